import dagre from '@dagrejs/dagre'
import type { GraphDocument, GraphNode, MergeInputs } from '@tensorloom/graph'
import { mergePorts, nodeSpecs } from '@tensorloom/graph'

/** Default block size used for layout before React Flow has measured a node. */
export const NODE_SIZE = { width: 240, height: 64 }
/** A merge block is taller: the names of its input ports sit above its title. */
export const MERGE_SIZE = { width: 240, height: 77 }

const LANE_GAP = 150
const RANK_GAP = 64
const NODE_GAP = 48
/** Between the main path's column and a branch beside it: room for the wires and their shapes. */
const COLUMN_GAP = 72
/**
 * The room the layout is fitted into: the editor's canvas at 1440×900 less the margins of its
 * fit. A long model wraps into as many side-by-side columns as show it largest there.
 */
const TARGET = { width: 710, height: 666 }

type Size = { width: number; height: number }
type Sizes = Readonly<Record<string, Size>>
type Point = { x: number; y: number }

/** The size a block is laid out with: React Flow's measurement, else the default for its kind. */
export function blockSize(node: GraphNode, sizes: Sizes = {}): Size {
  return sizes[node.id] ?? (nodeSpecs[node.type]?.category === 'merges' ? MERGE_SIZE : NODE_SIZE)
}

/** Lays out some nodes top to bottom with dagre; positions are top-left corners. */
function layoutLane(doc: GraphDocument, nodes: GraphNode[], sizes: Sizes) {
  const ids = new Set(nodes.map((n) => n.id))
  const g = new dagre.graphlib.Graph()
  g.setGraph({ rankdir: 'TB', nodesep: NODE_GAP, ranksep: RANK_GAP, marginx: 0, marginy: 0 })
  g.setDefaultEdgeLabel(() => ({}))
  for (const node of nodes) g.setNode(node.id, { ...blockSize(node, sizes) })
  for (const edge of doc.edges) {
    if (ids.has(edge.source) && ids.has(edge.target)) g.setEdge(edge.source, edge.target)
  }
  dagre.layout(g)
  const positions: Record<string, Point> = {}
  let maxX = 0
  let maxY = 0
  for (const node of nodes) {
    const laid = g.node(node.id) as { x: number; y: number; width: number; height: number }
    positions[node.id] = {
      x: Math.round(laid.x - laid.width / 2),
      y: Math.round(laid.y - laid.height / 2),
    }
    maxX = Math.max(maxX, laid.x + laid.width / 2)
    maxY = Math.max(maxY, laid.y + laid.height / 2)
  }
  return { positions, width: maxX, height: maxY }
}

type Lane = ReturnType<typeof layoutLane>

interface Layered {
  /** Nodes in topological order. */
  order: string[]
  rank: Map<string, number>
  column: Map<string, number>
  /** The edges inside the lane. */
  edges: GraphDocument['edges']
  /** The merge blocks' ports (`mergePorts`). */
  merges: Map<string, MergeInputs>
}

/**
 * Ranks (longest path from the lane's inputs) and columns for a DAG: the main path, from the
 * loss back along the earliest input of each merge (the identity of a skip connection), runs
 * straight down column 0; every branch is a chain of blocks in a column of its own beside it,
 * on the side of the port it feeds (a merge's port `a` left of `b`), where no other block sits
 * in its rows, so no wire runs through a block. Null on a cycle.
 */
function layer(doc: GraphDocument, nodes: GraphNode[]): Layered | null {
  const ids = new Set(nodes.map((n) => n.id))
  const edges = doc.edges.filter((e) => ids.has(e.source) && ids.has(e.target))
  // Each edge's place among its target's inputs: a merge's port order, else 0.
  const merges = mergePorts(doc)
  const portIndex = new Map<string, number>()
  for (const { ports, edges: byEdge } of merges.values()) {
    for (const [edgeId, port] of byEdge) {
      portIndex.set(edgeId, port === undefined ? ports.length : ports.indexOf(port))
    }
  }
  const preds = new Map<string, { id: string; port: number }[]>(nodes.map((n) => [n.id, []]))
  const succs = new Map<string, string[]>(nodes.map((n) => [n.id, []]))
  for (const e of edges) {
    preds.get(e.target)!.push({ id: e.source, port: portIndex.get(e.id) ?? 0 })
    succs.get(e.source)!.push(e.target)
  }

  // Kahn's order, in document order among ready nodes.
  const indegree = new Map(nodes.map((n) => [n.id, preds.get(n.id)!.length]))
  const order: string[] = []
  const ready = nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id)
  for (let head = 0; head < ready.length; head++) {
    const id = ready[head]!
    order.push(id)
    for (const next of succs.get(id)!) {
      const left = indegree.get(next)! - 1
      indegree.set(next, left)
      if (left === 0) ready.push(next)
    }
  }
  if (order.length < nodes.length) return null

  const rank = new Map<string, number>()
  for (const id of order) {
    rank.set(id, Math.max(-1, ...preds.get(id)!.map((p) => rank.get(p.id)!)) + 1)
  }

  const column = new Map<string, number>()
  const taken = new Map<number, [number, number][]>()
  const free = (col: number, from: number, to: number) =>
    (taken.get(col) ?? []).every(([a, b]) => b < from || a > to)
  /** Puts a chain in a column, which it keeps down to `until` (the rank its wire runs to). */
  const place = (chain: string[], col: number, until: number) => {
    for (const id of chain) column.set(id, col)
    const list = taken.get(col)
    const span: [number, number] = [rank.get(chain[0]!)!, until]
    const last = list?.at(-1)
    // Chains come in topological order: one that continues the last span extends it.
    if (last && span[0] >= last[0] && span[0] <= last[1] + 1) last[1] = Math.max(last[1], span[1])
    else if (list) list.push(span)
    else taken.set(col, [span])
  }

  // The main path, from the loss (else the deepest node) up.
  const typeOf = new Map(nodes.map((n) => [n.id, n.type]))
  const sink =
    order.find((id) => nodeSpecs[typeOf.get(id)!]?.category === 'losses') ??
    order.reduce((a, b) => (rank.get(b)! > rank.get(a)! ? b : a))
  const main: string[] = [sink]
  for (let id = sink; preds.get(id)!.length > 0; ) {
    const [first] = [...preds.get(id)!].sort(
      (a, b) => rank.get(a.id)! - rank.get(b.id)! || a.port - b.port,
    )
    id = first!.id
    main.unshift(id)
  }
  place(main, 0, rank.get(sink)!)

  // Branches: chains of unplaced blocks, each in the nearest free column on its side.
  for (const start of order) {
    if (column.has(start)) continue
    const chain = [start]
    for (;;) {
      const next = succs.get(chain.at(-1)!)!
      if (next.length !== 1) break
      const [only] = next
      if (column.has(only!) || preds.get(only!)!.length !== 1) break
      chain.push(only!)
    }
    const end = chain.at(-1)!
    const into = succs.get(end)!.find((id) => column.has(id))
    const from = preds.get(start)!.find((p) => column.has(p.id))
    const r0 = rank.get(start)!
    // The chain's column stays clear down to just above the merge its wire runs into.
    const r1 = into === undefined ? rank.get(end)! : rank.get(into)! - 1
    let col: number
    if (into !== undefined) {
      const mine = preds.get(into)!.find((p) => p.id === end)!.port
      // Left of the merge when the wire feeds a port before one already wired from above it.
      const placed = preds.get(into)!.filter((p) => p.id !== end && column.has(p.id))
      const side = placed.some((p) => p.port > mine) ? -1 : 1
      col = column.get(into)! + side
      while (!free(col, r0, r1)) col += side
    } else {
      // Straight below the block it hangs from, else in the nearest free column to its right.
      col = from ? column.get(from.id)! : 0
      while (!free(col, r0, r1)) col++
    }
    place(chain, col, r1)
  }
  return { order, rank, column, edges, merges }
}

/**
 * Lays out the model lane: ranks top to bottom, columns side by side; a tall lane wraps into
 * segments side by side, cut only between two single blocks joined by the one wire crossing the
 * cut (never through a branch). `extra` is the width already taken left of the lane.
 */
function layoutModel(
  doc: GraphDocument,
  nodes: GraphNode[],
  sizes: Sizes,
  extra: { width: number; height: number },
): Lane | null {
  const layered = layer(doc, nodes)
  if (!layered) return null
  const { order, rank, column, edges } = layered
  const byId = new Map(nodes.map((n) => [n.id, n]))
  const size = (id: string) => blockSize(byId.get(id)!, sizes)
  const ranks = Math.max(...order.map((id) => rank.get(id)!)) + 1
  const inRank: string[][] = Array.from({ length: ranks }, () => [])
  for (const id of order) inRank[rank.get(id)!]!.push(id)
  const rowHeight = inRank.map((ids) => Math.max(...ids.map((id) => size(id).height)))
  const rowTop: number[] = [0]
  for (let r = 1; r < ranks; r++) rowTop.push(rowTop[r - 1]! + rowHeight[r - 1]! + RANK_GAP)
  const columnWidth = Math.max(...nodes.map((n) => blockSize(n, sizes).width))

  // Where the lane may wrap: after rank r, when ranks r and r + 1 hold one block each and the
  // one wire crossing is the wire between them.
  const crossing = new Array<number>(ranks).fill(0)
  for (const e of edges) {
    for (let r = rank.get(e.source)!; r < rank.get(e.target)!; r++) crossing[r]!++
  }
  const cut = (r: number) =>
    inRank[r]!.length === 1 && inRank[r + 1]?.length === 1 && crossing[r] === 1

  const segmentHeight = (first: number, last: number) =>
    rowTop[last]! - rowTop[first]! + rowHeight[last]!
  /** Greedy segments no taller than `limit` (one rank may be taller on its own). */
  const segmentsUnder = (limit: number) => {
    const starts = [0]
    let lastCut = -1
    for (let r = 0; r < ranks; r++) {
      if (segmentHeight(starts.at(-1)!, r) > limit && lastCut >= starts.at(-1)!) {
        starts.push(lastCut + 1)
        lastCut = -1
        r = starts.at(-1)! - 1
        continue
      }
      if (r < ranks - 1 && cut(r)) lastCut = r
    }
    return starts
  }
  const columnsOf = (first: number, last: number) => {
    const cols = inRank.slice(first, last + 1).flatMap((ids) => ids.map((id) => column.get(id)!))
    return { min: Math.min(...cols), max: Math.max(...cols) }
  }
  const measure = (starts: number[]) => {
    let width = 0
    let height = 0
    starts.forEach((first, i) => {
      const last = (starts[i + 1] ?? ranks) - 1
      const { min, max } = columnsOf(first, last)
      width += (max - min + 1) * columnWidth + (max - min) * COLUMN_GAP + (i > 0 ? LANE_GAP : 0)
      height = Math.max(height, segmentHeight(first, last))
    })
    return { width, height }
  }
  const zoom = (starts: number[]) => {
    const { width, height } = measure(starts)
    return Math.min(
      1,
      TARGET.width / (extra.width + width),
      TARGET.height / Math.max(extra.height, height),
    )
  }

  // The fewest segments that fit the graph largest into the canvas.
  let best = [0]
  let bestZoom = zoom(best)
  const total = segmentHeight(0, ranks - 1)
  for (let k = 2; k <= Math.min(ranks, 12); k++) {
    let lo = 0
    let hi = total
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2)
      if (segmentsUnder(mid).length <= k) hi = mid
      else lo = mid
    }
    const starts = segmentsUnder(hi)
    if (starts.length !== k) continue
    const z = zoom(starts)
    if (z > bestZoom + 1e-9) {
      best = starts
      bestZoom = z
    }
  }

  const positions: Record<string, Point> = {}
  let x0 = 0
  let width = 0
  let height = 0
  best.forEach((first, i) => {
    const last = (best[i + 1] ?? ranks) - 1
    const { min, max } = columnsOf(first, last)
    for (let r = first; r <= last; r++) {
      for (const id of inRank[r]!) {
        positions[id] = {
          x: x0 + (column.get(id)! - min) * (columnWidth + COLUMN_GAP),
          y: rowTop[r]! - rowTop[first]!,
        }
      }
    }
    width = x0 + (max - min + 1) * columnWidth + (max - min) * COLUMN_GAP
    height = Math.max(height, segmentHeight(first, last))
    x0 = width + LANE_GAP
  })
  alignMainPorts(layered, inRank, positions, size)
  return { positions, width, height }
}

/**
 * Moves each merge block sideways so that the port fed from straight above (the main path, a
 * skip connection) sits under that wire: it runs straight in, and no other port's wire meets it
 * (Concat's middle port would sit under it otherwise). Skipped where the block would then come
 * too near another, and below another merge block.
 */
function alignMainPorts(
  { column, edges, merges }: Layered,
  inRank: readonly string[][],
  positions: Record<string, Point>,
  size: (id: string) => Size,
) {
  const rankOf = new Map<string, number>()
  inRank.forEach((ids, r) => {
    for (const id of ids) rankOf.set(id, r)
  })
  const inLane = new Set(edges.map((e) => e.id))
  const into = new Map<string, GraphDocument['edges']>()
  for (const e of edges) {
    const list = into.get(e.target)
    if (list) list.push(e)
    else into.set(e.target, [e])
  }
  for (const [id, { ports, edges: byEdge }] of merges) {
    const p = positions[id]
    if (!p || ports.length === 0) continue
    const above = (into.get(id) ?? []).find(
      (e) =>
        inLane.has(e.id) &&
        column.get(e.source) === column.get(id) &&
        positions[e.source]?.x === p.x &&
        // A merge straight below another stays in line (a ladder would drift off sideways).
        !merges.has(e.source),
    )
    const port = above ? byEdge.get(above.id) : undefined
    if (!above || port === undefined) continue
    const fraction = (ports.indexOf(port) + 1) / (ports.length + 1)
    const x = p.x + size(above.source).width / 2 - fraction * size(id).width
    const clear = inRank[rankOf.get(id)!]!.every((other) => {
      const q = positions[other]!
      if (other === id) return true
      return x + size(id).width + NODE_GAP <= q.x || q.x + size(other).width + NODE_GAP <= x
    })
    if (clear) positions[id] = { x: Math.round(x), y: p.y }
  }
}

/**
 * Arranges the graph in lanes read top to bottom: the data pipeline on the left and the model
 * (layers, merges, activations, loss) on the right. The model's main path runs straight down,
 * branches sit side by side next to it and skip connections run in free columns, so wires don't
 * cross blocks; a long model wraps into side-by-side columns. Returns top-left positions.
 */
export function autoLayout(doc: GraphDocument, sizes: Sizes = {}) {
  const data = doc.nodes.filter((n) => nodeSpecs[n.type]?.category === 'data')
  const model = doc.nodes.filter((n) => nodeSpecs[n.type]?.category !== 'data')
  const left = layoutLane(doc, data, sizes)
  const offset = data.length > 0 ? left.width + LANE_GAP : 0
  const right =
    model.length === 0
      ? null
      : (layoutModel(doc, model, sizes, { width: offset, height: left.height }) ??
        layoutLane(doc, model, sizes))
  const positions = { ...left.positions }
  for (const [id, p] of Object.entries(right?.positions ?? {})) {
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
