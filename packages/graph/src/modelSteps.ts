import type { Block } from './blocks/block.js'
import { blocks } from './blocks/index.js'
import { assignPorts } from './blocks/ports.js'
import { isNodeType } from './specs.js'
import type { GraphDocument, GraphNode } from './types.js'

/** One node of the model as the runtime and the exporters run it. */
export interface ModelStep {
  node: GraphNode
  /** The ids of the nodes feeding it, in port order; `''` is the model's input (the batch). */
  inputs: string[]
  /** The merge block's port of each input (`[]` for a layer). */
  ports: string[]
}

/** The model part of a document: its steps in execution order, its output and its loss. */
export interface ModelGraph {
  steps: ModelStep[]
  /** The id of the step whose output is the model's output (`''`: the input itself). */
  output: string
  loss: GraphNode | null
}

const blockOf = (type: unknown): Block | null => (isNodeType(type) ? blocks[type] : null)
const isModelNode = (node: GraphNode): boolean => {
  const kind = blockOf(node.type)?.kind
  return kind === 'layer' || kind === 'merge'
}

/**
 * The layers and merges between the model's input `start` (the DataLoader) and the loss, in an
 * order that runs each branch to its end before the next (a depth-first topological order), with
 * each node's inputs in port order. Nodes that do not lead to the loss and nodes on cycles are
 * left out. It does not validate: run `inferShapes` for errors.
 */
export function modelGraph(doc: GraphDocument, start: string): ModelGraph {
  const byId = new Map<string, GraphNode>()
  for (const node of doc.nodes) if (!byId.has(node.id)) byId.set(node.id, node)
  const outs = new Map<string, string[]>()
  const ins = new Map<string, { port: string | undefined; source: string }[]>()
  for (const edge of doc.edges) {
    if (!byId.has(edge.source) || !byId.has(edge.target)) continue
    const list = outs.get(edge.source)
    if (list) list.push(edge.target)
    else outs.set(edge.source, [edge.target])
    const into = ins.get(edge.target) ?? []
    into.push({ port: edge.targetPort, source: edge.source })
    ins.set(edge.target, into)
  }

  // What the input reaches, and the first loss among it.
  const reached = new Set<string>()
  const queue = [start]
  let loss: GraphNode | null = null
  for (let head = 0; head < queue.length; head++) {
    for (const next of outs.get(queue[head]!) ?? []) {
      if (reached.has(next)) continue
      const node = byId.get(next)!
      if (blockOf(node.type)?.kind === 'loss') {
        loss ??= node
        continue
      }
      if (!isModelNode(node)) continue
      reached.add(next)
      queue.push(next)
    }
  }
  // Of those, what leads to the loss (all of them without a loss).
  let kept = reached
  if (loss) {
    kept = new Set<string>()
    const up = [loss.id]
    while (up.length > 0) {
      for (const { source } of ins.get(up.pop()!) ?? []) {
        if (reached.has(source) && !kept.has(source)) {
          kept.add(source)
          up.push(source)
        }
      }
    }
  }

  const inputsOf = (node: GraphNode): { inputs: string[]; ports: string[] } => {
    const edges = (ins.get(node.id) ?? [])
      .filter((e) => e.source === start || kept.has(e.source))
      .map((e) => ({ port: e.port, source: e.source === start ? '' : e.source }))
    const block = blockOf(node.type)
    if (block?.kind !== 'merge')
      return { inputs: edges.slice(0, 1).map((e) => e.source), ports: [] }
    const { assigned } = assignPorts(block.ports, edges)
    return { inputs: assigned.map((a) => a.source), ports: assigned.map((a) => a.port) }
  }

  // Depth-first Kahn: a node runs once all its inputs have; a stack keeps each branch together.
  const steps: ModelStep[] = []
  const waiting = new Map<string, number>()
  const info = new Map<string, { inputs: string[]; ports: string[] }>()
  for (const id of kept) {
    const io = inputsOf(byId.get(id)!)
    info.set(id, io)
    waiting.set(id, new Set(io.inputs.filter((s) => s !== '')).size)
  }
  const ready = (from: string): string[] =>
    [...new Set(outs.get(from) ?? [])].filter((next) => kept.has(next) && waiting.get(next) === 0)
  const stack = ready(start).reverse()
  const done = new Set<string>()
  while (stack.length > 0) {
    const id = stack.pop()!
    if (done.has(id)) continue
    done.add(id)
    const node = byId.get(id)!
    steps.push({ node, ...info.get(id)! })
    for (const next of new Set(outs.get(id) ?? [])) {
      if (kept.has(next)) waiting.set(next, waiting.get(next)! - 1)
    }
    stack.push(
      ...ready(id)
        .filter((next) => !done.has(next))
        .reverse(),
    )
  }

  const lossInput = loss
    ? (ins.get(loss.id) ?? []).find((e) => e.source === start || done.has(e.source))
    : undefined
  const last = steps.at(-1)?.node.id ?? ''
  const output = lossInput ? (lossInput.source === start ? '' : lossInput.source) : last
  return { steps, output, loss }
}
