import dagre from '@dagrejs/dagre'
import type { GraphDocument, GraphNode } from '@tensorloom/graph'
import { nodeSpecs } from '@tensorloom/graph'

/** Default block size used for layout before React Flow has measured a node. */
export const NODE_SIZE = { width: 240, height: 64 }

const LANE_GAP = 150
const RANK_GAP = 64
const NODE_GAP = 48
/** A straight chain longer than this wraps into side-by-side columns, to stay readable. */
const MAX_ROWS = 6

type Sizes = Readonly<Record<string, { width: number; height: number }>>

/** Lays out some nodes top to bottom with dagre; positions are top-left corners. */
function layoutLane(doc: GraphDocument, nodes: GraphNode[], sizes: Sizes) {
  const ids = new Set(nodes.map((n) => n.id))
  const g = new dagre.graphlib.Graph()
  g.setGraph({ rankdir: 'TB', nodesep: NODE_GAP, ranksep: RANK_GAP, marginx: 0, marginy: 0 })
  g.setDefaultEdgeLabel(() => ({}))
  for (const node of nodes) g.setNode(node.id, { ...(sizes[node.id] ?? NODE_SIZE) })
  for (const edge of doc.edges) {
    if (ids.has(edge.source) && ids.has(edge.target)) g.setEdge(edge.source, edge.target)
  }
  dagre.layout(g)
  const positions: Record<string, { x: number; y: number }> = {}
  let maxX = 0
  for (const node of nodes) {
    const laid = g.node(node.id) as { x: number; y: number; width: number; height: number }
    positions[node.id] = {
      x: Math.round(laid.x - laid.width / 2),
      y: Math.round(laid.y - laid.height / 2),
    }
    maxX = Math.max(maxX, laid.x + laid.width / 2)
  }
  return { positions, width: maxX }
}

/** Splits a single-column lane taller than MAX_ROWS into columns of equal length. */
function wrapColumn(lane: ReturnType<typeof layoutLane>): ReturnType<typeof layoutLane> {
  const entries = Object.entries(lane.positions).sort((a, b) => a[1].y - b[1].y)
  const xs = new Set(entries.map(([, p]) => p.x))
  if (xs.size !== 1 || entries.length <= MAX_ROWS) return lane
  const columns = Math.ceil(entries.length / MAX_ROWS)
  const rows = Math.ceil(entries.length / columns)
  const x0 = entries[0]![1].x
  const ys = entries.map(([, p]) => p.y)
  const positions: Record<string, { x: number; y: number }> = {}
  entries.forEach(([id], i) => {
    const column = Math.floor(i / rows)
    positions[id] = { x: x0 + column * (NODE_SIZE.width + LANE_GAP), y: ys[i % rows]! }
  })
  return { positions, width: lane.width + (columns - 1) * (NODE_SIZE.width + LANE_GAP) }
}

/**
 * Arranges the graph in two lanes read top to bottom: the data pipeline on the left and the model
 * (layers, activations, loss) on the right, each laid out with dagre; a long chain of layers wraps
 * into more columns. Returns top-left positions.
 */
export function autoLayout(doc: GraphDocument, sizes: Sizes = {}) {
  const data = doc.nodes.filter((n) => nodeSpecs[n.type].category === 'data')
  const model = doc.nodes.filter((n) => nodeSpecs[n.type].category !== 'data')
  const left = layoutLane(doc, data, sizes)
  const right = wrapColumn(layoutLane(doc, model, sizes))
  const offset = data.length > 0 ? left.width + LANE_GAP : 0
  const positions = { ...left.positions }
  for (const [id, p] of Object.entries(right.positions)) {
    positions[id] = { x: p.x + offset, y: p.y }
  }
  return positions
}

/** A copy of `doc` with its nodes arranged by `autoLayout`. */
export function withAutoLayout(doc: GraphDocument, sizes: Sizes = {}): GraphDocument {
  const positions = autoLayout(doc, sizes)
  return {
    ...doc,
    nodes: doc.nodes.map((n) => ({ ...n, position: positions[n.id] ?? n.position })),
  }
}
