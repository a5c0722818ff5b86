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
import { autoLayout, withAutoLayout } from '../lib/autoLayout'
import { addBlockTo, downstreamOf, fitted, placeInserted } from './blockInsertion'
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

const PASTE_OFFSET = { x: 40, y: 40 }

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
        const { doc, ...added } = addBlockTo(get().doc, get().selection, type, options)
        commit(doc)
        set({ selection: { nodes: [added.id], edges: [] } })
        return added
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
