/** Adding and inserting blocks: wiring a new block in, and where it goes on the canvas. */
import type { GraphDocument, NodeType } from '@tensorloom/graph'
import * as graph from '@tensorloom/graph'
import { inferShapes } from '@tensorloom/graph'
import { blockSize, NODE_SIZE } from '../lib/autoLayout'
import { realErrors } from '../lib/issues'
import { freeSpot } from '../lib/placement'
import type { AddBlockOptions, AddedBlock } from './graphSlice'

/** Errors on blocks that are not merely unfinished, as `node:code` keys. */
function errorKeys(doc: GraphDocument): Set<string> {
  return new Set(realErrors(inferShapes(doc).issues).map((i) => `${i.nodeId}:${i.code}`))
}

/** Ids of `start` and of every block downstream of it. */
export function downstreamOf(doc: GraphDocument, start: string): Set<string> {
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
export function fitted(
  before: GraphDocument,
  wired: GraphDocument,
  id: string,
): { doc: GraphDocument; problem: null } | { doc: null; problem: string } {
  const doc = graph.fitToInput(wired, id)
  const had = errorKeys(before)
  const added = realErrors(inferShapes(doc).issues).find((i) => !had.has(`${i.nodeId}:${i.code}`))
  return added ? { doc: null, problem: added.message } : { doc, problem: null }
}

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
export function placeInserted(
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

/**
 * `before` with a `type` block added where {@link AddBlockOptions} says: spliced into a wire,
 * connected after a block (by default the one selected block), or, where that would add an error
 * or no wiring was asked for, left unwired at the nearest free place.
 */
export function addBlockTo(
  before: GraphDocument,
  selection: { nodes: readonly string[] },
  type: NodeType,
  options: AddBlockOptions,
): AddedBlock & { doc: GraphDocument } {
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
  return {
    doc: result.doc,
    id,
    wired: result.wired,
    problem: result.wired ? null : problem,
  }
}
