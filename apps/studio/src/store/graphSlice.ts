import type {
  ConnectionRequest,
  Fix,
  GraphDocument,
  NodeType,
  ShapeInference,
  TrainingSettings,
} from '@tensorloom/graph'
import * as graph from '@tensorloom/graph'
import { applyFix, inferShapes, safeParseGraph, templates, validateParam } from '@tensorloom/graph'
import { autoLayout, blockSize, NODE_SIZE, withAutoLayout } from '../lib/autoLayout'
import { realErrors } from '../lib/issues'
import { freeSpot } from '../lib/placement'
import type { SliceCreator, StudioDeps } from './types'

/** The templates in the header's menu. */
export type TemplateName = keyof typeof templates

/** Undo keeps this many steps. */
export const HISTORY_LIMIT = 100
/** Edits with the same merge key within this window form one undo step (typing a number). */
export const MERGE_WINDOW_MS = 1000

export interface GraphSlice {
  /** The id under which the document is saved (see persistence.ts). */
  docId: string
  doc: GraphDocument
  /** Shapes, parameter counts and issues, derived from `doc` on every change. */
  inference: ShapeInference
  past: GraphDocument[]
  future: GraphDocument[]
  /** Replaces the document as one undoable step (merged with the previous one on equal mergeKey). */
  commit(doc: GraphDocument, options?: { mergeKey?: string }): void
  loadTemplate(name: TemplateName): void
  /** Opens another document with its own undo history (not undoable: the old one stays saved). */
  openDocument(
    id: string,
    doc: GraphDocument,
    history?: { past: GraphDocument[]; future: GraphDocument[] },
  ): void
  addNode(type: NodeType, position: { x: number; y: number }): string
  /**
   * Adds a block the way the palette, a drop and quick add do: dropped on a wire (`edgeId`) it is
   * spliced in; otherwise after `after` (default: the one selected block) it is wired in after
   * that block (into its one outgoing wire, if it has one) when the shapes allow, its size
   * parameters fitted to its input; it never lands on another block. Selects the new block.
   */
  addBlock(type: NodeType, options?: AddBlockOptions): AddedBlock
  /**
   * Wires `source` into input `port` of `nodeId` (undefined: its main input), replacing the wire
   * there, or removes that wire (`source` null): connecting without a mouse. Returns why it was
   * refused, or null.
   */
  setInput(nodeId: string, port: string | undefined, source: string | null): string | null
  /** Splices a block without wires into a wire (a block dragged onto it); false when refused. */
  spliceNode(nodeId: string, edgeId: string): boolean
  /** Sets a parameter if `validateParam` accepts it; otherwise returns its message. */
  setParam(nodeId: string, name: string, value: unknown): string | null
  moveNodes(positions: Record<string, { x: number; y: number }>): void
  connect(request: ConnectionRequest): boolean
  reconnect(edgeId: string, request: ConnectionRequest): boolean
  deleteElements(nodeIds: readonly string[], edgeIds?: readonly string[]): void
  deleteSelection(): void
  applyFix(nodeId: string, fix: Fix): void
  undo(): void
  redo(): void
  copySelection(): void
  pasteClipboard(): void
  duplicateSelection(): void
  autoLayout(sizes?: Record<string, { width: number; height: number }>): void
  rename(name: string): void
  setTraining(patch: Partial<TrainingSettings>): void
  /** Replaces the graph with a file's contents, or returns the graph package's message. */
  importGraph(text: string): { ok: true } | { ok: false; message: string }
}

/** Where and how {@link GraphSlice.addBlock} puts a block. */
export interface AddBlockOptions {
  /** The top-left the block should have (it moves to the nearest free place). */
  at?: { x: number; y: number }
  /** A wire to splice the block into (dropped on it). */
  edgeId?: string
  /** The block to add it after; default the one selected block; null for none. */
  after?: string | null
}

/** What {@link GraphSlice.addBlock} did. */
export interface AddedBlock {
  id: string
  /** `spliced` into a wire, `connected` after a block, or null: left unwired. */
  wired: 'spliced' | 'connected' | null
  /** Why it was left unwired where wiring was asked for. */
  problem: string | null
}

/** Errors on blocks that are not merely unfinished, as `node:code` keys. */
function errorKeys(doc: GraphDocument): Set<string> {
  return new Set(realErrors(inferShapes(doc).issues).map((i) => `${i.nodeId}:${i.code}`))
}

/** Ids of `start` and of every block downstream of it. */
function downstreamOf(doc: GraphDocument, start: string): Set<string> {
  const seen = new Set([start])
  const stack = [start]
  while (stack.length > 0) {
    const id = stack.pop()!
    for (const e of doc.edges) {
      if (e.source === id && !seen.has(e.target)) {
        seen.add(e.target)
        stack.push(e.target)
      }
    }
  }
  return seen
}

/**
 * `wired` (a document with block `id` wired in) fitted to the block's input, or why not: the
 * wiring stands only when it adds no error to the graph (unfinished parts don't count).
 */
function fitted(
  before: GraphDocument,
  wired: GraphDocument,
  id: string,
): { doc: GraphDocument; problem: null } | { doc: null; problem: string } {
  const doc = graph.fitToInput(wired, id)
  const had = errorKeys(before)
  const added = realErrors(inferShapes(doc).issues).find((i) => !had.has(`${i.nodeId}:${i.code}`))
  return added ? { doc: null, problem: added.message } : { doc, problem: null }
}

const PASTE_OFFSET = { x: 40, y: 40 }
/** How far blocks move down to make room for one inserted above them. */
const INSERT_ROW = NODE_SIZE.height + 64

function overlaps(doc: GraphDocument, at: { x: number; y: number }, except: Set<string>) {
  return doc.nodes.some(
    (n) =>
      !except.has(n.id) &&
      Math.abs(n.position.x - at.x) < NODE_SIZE.width &&
      Math.abs(n.position.y - at.y) < NODE_SIZE.height,
  )
}

/**
 * The graph package makes room for an inserted block by moving what follows to the right; the
 * studio's columns read top to bottom. A block inserted on a merge block's port goes below the
 * block that fed that port, in its column, when there is a free row before the merge; any other
 * block goes above its target when there is room there (after deleting it, say). Otherwise the
 * target and what follows it move down one row to make room: the new block takes the target's
 * row, in the feeding block's column for a port.
 */
function placeInserted(
  before: GraphDocument,
  fixed: GraphDocument,
  /** The blocks to move down a row if needed (default: those the fix moved). */
  following?: ReadonlySet<string>,
): GraphDocument {
  const old = new Map(before.nodes.map((n) => [n.id, n.position]))
  const added = fixed.nodes.filter((n) => !old.has(n.id))
  const moved =
    following ??
    new Set(
      fixed.nodes
        .filter((n) => {
          const p = old.get(n.id)
          return p && (p.x !== n.position.x || p.y !== n.position.y)
        })
        .map((n) => n.id),
    )
  if (added.length !== 1) return fixed
  const id = added[0]!.id
  const out = fixed.edges.find((e) => e.source === id)
  const anchor = out ? old.get(out.target) : undefined
  if (!out || !anchor) return fixed
  const feeder = fixed.edges.find((e) => e.target === id)
  const from = feeder ? old.get(feeder.source) : undefined
  const onPort = out.targetPort !== undefined && from !== undefined
  const free = (at: { x: number; y: number }) => !overlaps(before, at, new Set())

  let at: { x: number; y: number } | null = null
  if (onPort) {
    const below = { x: from.x, y: from.y + INSERT_ROW }
    if (below.y + INSERT_ROW <= anchor.y && free(below)) at = below
  } else {
    const above = { x: anchor.x, y: anchor.y - INSERT_ROW }
    if (free(above)) at = above
  }
  const shift = at === null
  if (shift) {
    const beside = onPort ? { x: from.x, y: anchor.y } : { ...anchor }
    at = onPort && !overlaps(before, beside, new Set([out.target])) ? beside : { ...anchor }
  }
  const place = at!
  return {
    ...fixed,
    nodes: fixed.nodes.map((n) => {
      if (n.id === id) return { ...n, position: place }
      const p = old.get(n.id)
      if (!p || !moved.has(n.id)) return n
      return { ...n, position: shift ? { x: p.x, y: p.y + INSERT_ROW } : p }
    }),
  }
}

export function createGraphSlice(
  initial: {
    doc: GraphDocument
    docId: string
    past?: GraphDocument[]
    future?: GraphDocument[]
  },
  deps: StudioDeps,
): SliceCreator<GraphSlice> {
  const now = deps.now ?? (() => Date.now())
  let lastMerge: { key: string; at: number } | null = null

  return (set, get) => {
    const commit: GraphSlice['commit'] = (doc, options = {}) => {
      const { doc: current, past } = get()
      if (doc === current) return
      const at = now()
      const merge =
        options.mergeKey !== undefined &&
        lastMerge?.key === options.mergeKey &&
        at - lastMerge.at < MERGE_WINDOW_MS
      lastMerge = options.mergeKey === undefined ? null : { key: options.mergeKey, at }
      const ids = new Set(doc.nodes.map((n) => n.id))
      const edgeIds = new Set(doc.edges.map((e) => e.id))
      const { selection } = get()
      set({
        doc,
        inference: inferShapes(doc),
        past: merge ? past : [...past, current].slice(-HISTORY_LIMIT),
        future: [],
        selection: {
          nodes: selection.nodes.filter((id) => ids.has(id)),
          edges: selection.edges.filter((id) => edgeIds.has(id)),
        },
      })
    }

    const restore = (doc: GraphDocument, past: GraphDocument[], future: GraphDocument[]) => {
      lastMerge = null
      const ids = new Set(doc.nodes.map((n) => n.id))
      const { selection } = get()
      set({
        doc,
        inference: inferShapes(doc),
        past,
        future,
        selection: { nodes: selection.nodes.filter((id) => ids.has(id)), edges: [] },
      })
    }

    return {
      docId: initial.docId,
      doc: initial.doc,
      inference: inferShapes(initial.doc),
      past: initial.past ?? [],
      future: initial.future ?? [],
      commit,

      openDocument(id, doc, history = { past: [], future: [] }) {
        lastMerge = null
        set({
          docId: id,
          doc,
          inference: inferShapes(doc),
          past: history.past,
          future: history.future,
          selection: { nodes: [], edges: [] },
        })
        get().requestFit()
      },

      loadTemplate(name) {
        commit(withAutoLayout(structuredClone(templates[name])))
        set({ selection: { nodes: [], edges: [] } })
        get().requestFit()
      },

      addNode(type, position) {
        const { doc, id } = graph.addNode(get().doc, type, position)
        commit(doc)
        set({ selection: { nodes: [id], edges: [] } })
        return id
      },

      addBlock(type, options = {}) {
        const before = get().doc
        const { selection } = get()
        const afterId =
          options.after !== undefined
            ? options.after
            : selection.nodes.length === 1
              ? selection.nodes[0]!
              : null
        const after = afterId === null ? undefined : before.nodes.find((n) => n.id === afterId)
        const centre = options.at ?? (after ? after.position : { x: 0, y: 0 })
        const added = graph.addNode(before, type, centre)
        const { id } = added
        let result: { doc: GraphDocument; wired: AddedBlock['wired'] } | null = null
        let problem: string | null = null

        // Into a wire: the dropped-on one, or the one wire out of the block it goes after.
        const outOfAfter = after ? before.edges.filter((e) => e.source === after.id) : []
        const wire =
          options.edgeId ??
          (outOfAfter.length === 1 && graph.hasOutput(type) ? outOfAfter[0]!.id : undefined)
        if (wire !== undefined) {
          const spliced = graph.spliceIntoEdge(added.doc, wire, id)
          const target = before.edges.find((e) => e.id === wire)?.target
          if (!spliced || !target) {
            problem = graph.spliceProblem(added.doc, wire, id)
          } else {
            const fit = fitted(before, spliced, id)
            problem = fit.problem
            if (fit.doc) {
              result = {
                doc: placeInserted(before, fit.doc, downstreamOf(before, target)),
                wired: 'spliced',
              }
            }
          }
        } else if (after && graph.hasInput(type)) {
          const request = { source: after.id, target: id }
          problem = graph.connectionProblem(added.doc, request)
          if (problem === null) {
            const fit = fitted(before, graph.connect(added.doc, request)!, id)
            problem = fit.problem
            if (fit.doc) {
              // Under the block it follows; a second branch out of it goes to the side.
              const below = {
                x: after.position.x + (outOfAfter.length > 0 ? NODE_SIZE.width + 48 : 0),
                y: after.position.y + blockSize(after).height + 64,
              }
              result = {
                doc: graph.moveNodes(fit.doc, { [id]: freeSpot(before, below) }),
                wired: 'connected',
              }
            }
          }
        }
        if (!result) {
          const near =
            options.at ??
            (after ? { x: after.position.x + NODE_SIZE.width + 48, y: after.position.y } : centre)
          result = {
            doc: graph.moveNodes(added.doc, { [id]: freeSpot(before, near) }),
            wired: null,
          }
        }
        commit(result.doc)
        set({ selection: { nodes: [id], edges: [] } })
        return { id, wired: result.wired, problem: result.wired ? null : problem }
      },

      setInput(nodeId, port, source) {
        const before = get().doc
        // Which wire takes that input: a merge's wires by their (assigned) port, else the main one.
        const ports = graph.edgePorts(before, nodeId)
        const old = before.edges.filter(
          (e) =>
            e.target === nodeId &&
            (port === undefined ? !e.targetPort : (ports.get(e.id) ?? e.targetPort) === port),
        )
        const without = graph.deleteElements(
          before,
          [],
          old.map((e) => e.id),
        )
        if (source === null) {
          if (old.length > 0) commit(without)
          return null
        }
        const request = {
          source,
          target: nodeId,
          ...(port === undefined ? {} : { targetPort: port }),
        }
        const problem = graph.connectionProblem(without, request)
        if (problem) return problem
        commit(graph.connect(without, request)!)
        return null
      },

      spliceNode(nodeId, edgeId) {
        const before = get().doc
        const target = before.edges.find((e) => e.id === edgeId)?.target
        const spliced = graph.spliceIntoEdge(before, edgeId, nodeId)
        if (!spliced || !target) return false
        const without = { ...before, nodes: before.nodes.filter((n) => n.id !== nodeId) }
        const fit = fitted(before, spliced, nodeId)
        if (!fit.doc) return false
        commit(placeInserted(without, fit.doc, downstreamOf(before, target)))
        return true
      },

      setParam(nodeId, name, value) {
        const node = get().doc.nodes.find((n) => n.id === nodeId)
        if (!node) return `There is no block ${nodeId}.`
        const problem = validateParam(node.type, name, value)
        if (problem) return problem
        commit(graph.setParam(get().doc, nodeId, name, value), { mergeKey: `${nodeId}.${name}` })
        return null
      },

      moveNodes(positions) {
        commit(graph.moveNodes(get().doc, positions))
      },

      connect(request) {
        const doc = graph.connect(get().doc, request)
        if (doc) commit(doc)
        return doc !== null
      },

      reconnect(edgeId, request) {
        const doc = graph.reconnect(get().doc, edgeId, request)
        if (doc) commit(doc)
        return doc !== null
      },

      deleteElements(nodeIds, edgeIds = []) {
        if (nodeIds.length === 0 && edgeIds.length === 0) return
        commit(graph.deleteElements(get().doc, nodeIds, edgeIds))
      },

      deleteSelection() {
        const { selection } = get()
        get().deleteElements(selection.nodes, selection.edges)
      },

      applyFix(nodeId, fix) {
        const before = get().doc
        commit(placeInserted(before, applyFix(before, nodeId, fix)))
        if (fix.kind === 'insertBefore') get().requestFit()
      },

      undo() {
        const { past, future, doc } = get()
        const previous = past.at(-1)
        if (!previous) return
        restore(previous, past.slice(0, -1), [doc, ...future])
      },

      redo() {
        const { past, future, doc } = get()
        const next = future[0]
        if (!next) return
        restore(next, [...past, doc], future.slice(1))
      },

      copySelection() {
        const { doc, selection } = get()
        if (selection.nodes.length === 0) return
        set({ clipboard: graph.copySelection(doc, selection.nodes) })
      },

      pasteClipboard() {
        const { clipboard, doc } = get()
        if (!clipboard || clipboard.nodes.length === 0) return
        const pasted = graph.paste(doc, clipboard, PASTE_OFFSET)
        commit(pasted.doc)
        // Pasting again lands one step further along.
        set({
          selection: { nodes: pasted.ids, edges: [] },
          clipboard: {
            nodes: clipboard.nodes.map((n) => ({
              ...n,
              position: { x: n.position.x + PASTE_OFFSET.x, y: n.position.y + PASTE_OFFSET.y },
            })),
            edges: clipboard.edges,
          },
        })
      },

      duplicateSelection() {
        const { doc, selection } = get()
        if (selection.nodes.length === 0) return
        const pasted = graph.paste(doc, graph.copySelection(doc, selection.nodes), PASTE_OFFSET)
        commit(pasted.doc)
        set({ selection: { nodes: pasted.ids, edges: [] } })
      },

      autoLayout(sizes) {
        commit(graph.moveNodes(get().doc, autoLayout(get().doc, sizes)))
        get().requestFit()
      },

      rename(name) {
        commit({ ...get().doc, name }, { mergeKey: 'name' })
      },

      setTraining(patch) {
        const { doc } = get()
        const key = Object.keys(patch).sort().join(',')
        commit({ ...doc, training: { ...doc.training, ...patch } }, { mergeKey: `training.${key}` })
      },

      importGraph(text) {
        const parsed = safeParseGraph(text)
        if (!parsed.ok) return { ok: false, message: parsed.error.message }
        commit(parsed.doc)
        set({ selection: { nodes: [], edges: [] } })
        get().requestFit()
        return { ok: true }
      },
    }
  }
}
