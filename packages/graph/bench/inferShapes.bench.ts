/**
 * Times `inferShapes` on a 1,000-node chain, a 200-node branching tree and a valid 1,000-node
 * residual network with merges against the 5 ms target
 * (fast enough to run on every edit), and against a baseline measured in the same run: a plain
 * topological walk of the same graph, so the ratio stays comparable across machines.
 *
 * Run: pnpm bench (in packages/graph)
 */
import { performance } from 'node:perf_hooks'
import { inferShapes } from '../src/inferShapes.js'
import { CURRENT_VERSION } from '../src/parseGraph.js'
import { nodeSpecs } from '../src/specs.js'
import { defaultTraining } from '../src/training.js'
import type { GraphDocument, GraphEdge, GraphNode, NodeType } from '../src/types.js'

const TARGET_MS = 5
const WARMUP = 50
const RUNS = 300

const node = (
  id: string,
  type: NodeType,
  params: Record<string, unknown> = {},
  x = 0,
  y = 0,
): GraphNode => ({
  id,
  type,
  params: { ...structuredClone(nodeSpecs[type].defaults), ...params },
  position: { x, y },
})

const doc = (nodes: GraphNode[], edges: GraphEdge[]): GraphDocument => ({
  version: CURRENT_VERSION,
  name: 'bench',
  nodes,
  edges,
  training: { ...defaultTraining },
})

/** MNIST -> ... -> DataLoader -> Flatten -> Linear(784, 64) -> (ReLU -> Linear(64, 64))* -> Linear(64, 10) -> loss. */
function chain(size: number): GraphDocument {
  const nodes = [
    node('n1', 'MNIST'),
    node('n2', 'ToTensor'),
    node('n3', 'Normalize'),
    node('n4', 'DataLoader'),
    node('n5', 'Flatten'),
    node('n6', 'Linear', { inFeatures: 784, outFeatures: 64 }),
  ]
  while (nodes.length < size - 2) {
    const id = `n${nodes.length + 1}`
    nodes.push(
      nodes.length % 2 === 0
        ? node(id, 'ReLU')
        : node(id, 'Linear', { inFeatures: 64, outFeatures: 64 }),
    )
  }
  nodes.push(node(`n${nodes.length + 1}`, 'Linear', { inFeatures: 64, outFeatures: 10 }))
  nodes.push(node(`n${nodes.length + 1}`, 'CrossEntropyLoss'))
  const edges = nodes
    .slice(1)
    .map((n, i) => ({ id: `e${i + 1}`, source: nodes[i]!.id, target: n.id }))
  return doc(nodes, edges)
}

/** The data pipeline, then a binary tree of ReLU/Linear(64, 64) layers under Linear(784, 64). */
function branching(size: number): GraphDocument {
  const base = chain(8).nodes.slice(0, 6)
  const nodes = [...base]
  const edges: GraphEdge[] = base
    .slice(1)
    .map((n, i) => ({ id: `e${i + 1}`, source: base[i]!.id, target: n.id }))
  const tree: GraphNode[] = [base[5]!]
  for (let i = 1; nodes.length < size; i++) {
    const parent = tree[Math.floor((i - 1) / 2)]!
    const id = `t${i}`
    const child =
      i % 2 === 0 ? node(id, 'ReLU') : node(id, 'Linear', { inFeatures: 64, outFeatures: 64 })
    tree.push(child)
    nodes.push(child)
    edges.push({ id: `b${i}`, source: parent.id, target: id })
  }
  return doc(nodes, edges)
}

/**
 * A valid 1,000-node network of residual blocks: after Linear(784, 64), each block fans out to
 * Linear -> ReLU -> Linear and adds the result back to its input (`x + identity`), some blocks
 * also join a 32-wide side branch through Concat and a projection: every merge kind on every edit.
 */
function residual(size: number): GraphDocument {
  const base = chain(8).nodes.slice(0, 6)
  const nodes = [...base]
  const edges: GraphEdge[] = base
    .slice(1)
    .map((n, i) => ({ id: `e${i + 1}`, source: base[i]!.id, target: n.id }))
  let input = base[5]!.id
  let k = 0
  const add = (n: GraphNode) => {
    nodes.push(n)
    return n.id
  }
  const wire = (source: string, target: string, targetPort?: string) =>
    edges.push({ id: `w${edges.length}`, source, target, ...(targetPort ? { targetPort } : {}) })
  while (nodes.length < size - 10) {
    k++
    const a = add(node(`fc${k}a`, 'Linear', { inFeatures: 64, outFeatures: 64 }))
    const r = add(node(`r${k}`, 'ReLU'))
    const b = add(node(`fc${k}b`, 'Linear', { inFeatures: 64, outFeatures: 64 }))
    const sum = add(node(`add${k}`, k % 3 === 0 ? 'Mul' : 'Add'))
    wire(input, a)
    wire(a, r)
    wire(r, b)
    wire(b, sum, 'a')
    wire(input, sum, 'b')
    input = sum
    if (k % 4 === 0) {
      const side = add(node(`side${k}`, 'Linear', { inFeatures: 64, outFeatures: 32 }))
      const cat = add(node(`cat${k}`, 'Concat', { dim: 1 }))
      const proj = add(node(`proj${k}`, 'Linear', { inFeatures: 96, outFeatures: 64 }))
      wire(input, side)
      wire(input, cat, '0')
      wire(side, cat, '1')
      wire(cat, proj)
      input = proj
    }
  }
  const head = add(node('head', 'Linear', { inFeatures: 64, outFeatures: 10 }))
  const loss = add(node('loss', 'CrossEntropyLoss'))
  wire(input, head)
  wire(head, loss)
  return doc(nodes, edges)
}

/** The baseline: Kahn's topological walk over the same document, with maps. */
function topologicalWalk(d: GraphDocument): number {
  const indegree = new Map<string, number>()
  const outs = new Map<string, string[]>()
  for (const n of d.nodes) {
    indegree.set(n.id, 0)
    outs.set(n.id, [])
  }
  for (const e of d.edges) {
    indegree.set(e.target, (indegree.get(e.target) ?? 0) + 1)
    outs.get(e.source)?.push(e.target)
  }
  const queue = d.nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id)
  for (let head = 0; head < queue.length; head++) {
    for (const next of outs.get(queue[head]!) ?? []) {
      const left = indegree.get(next)! - 1
      indegree.set(next, left)
      if (left === 0) queue.push(next)
    }
  }
  return queue.length
}

function median(fn: () => unknown): number {
  for (let i = 0; i < WARMUP; i++) fn()
  const times: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now()
    fn()
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]!
}

const cases = [
  ['1,000-node chain', chain(1000)],
  ['200-node branching graph', branching(200)],
  ['1,000-node residual network (Add, Mul, Concat)', residual(1000)],
] as const

console.log(
  `inferShapes: median of ${RUNS} runs after ${WARMUP} warm-up runs (target < ${TARGET_MS} ms)\n`,
)
const rows: string[][] = [['graph', 'nodes', 'inferShapes', 'topological walk', 'ratio', 'target']]
let over = 0
for (const [name, d] of cases) {
  const issues = inferShapes(d).issues.filter((i) => i.severity === 'error').length
  const ms = median(() => inferShapes(d))
  const base = median(() => topologicalWalk(d))
  if (ms >= TARGET_MS) over++
  rows.push([
    `${name}${issues > 0 ? ` (${issues} errors reported)` : ''}`,
    String(d.nodes.length),
    `${ms.toFixed(3)} ms`,
    `${base.toFixed(3)} ms`,
    `${(ms / base).toFixed(1)}x`,
    ms < TARGET_MS ? 'ok' : 'OVER',
  ])
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
for (const row of rows)
  console.log(
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  )
process.exitCode = over > 0 ? 1 : 0
