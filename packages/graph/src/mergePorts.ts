/** Merge blocks' input ports (Add, Concat…): the ports a block shows, which wire takes which. */
import type { Block, MergeBlock } from './blocks/block.js'
import { blocks } from './blocks/index.js'
import { assignPorts } from './blocks/ports.js'
import type { GraphDocument, GraphEdge } from './types.js'

/** The merge block definition of a node type, or undefined (also for unknown types). */
export function mergeOf(type: string | undefined): MergeBlock<string, object> | undefined {
  const block = type === undefined ? undefined : (blocks as Record<string, Block | undefined>)[type]
  return block?.kind === 'merge' ? block : undefined
}

/** Whether `port` names a numbered port (`0` to `9999`). */
export const isPortNumber = (port: string) => /^(0|[1-9]\d{0,3})$/.test(port)

/** A merge block's input ports as the canvas shows them, and the port each wire into it takes. */
export interface MergeInputs {
  /** The ports in order (see `inputPorts`). */
  ports: string[]
  /** Per edge id, the port the wire takes (undefined when no port is free for it). */
  edges: Map<string, string | undefined>
}

function mergeInputs(block: MergeBlock<string, object>, into: readonly GraphEdge[]): MergeInputs {
  const result = assignPorts(
    block.ports,
    into.map((e) => ({ port: e.targetPort, source: e })),
  )
  const edges = new Map<string, string | undefined>()
  for (const e of into) edges.set(e.id, e.targetPort)
  for (const { port, source } of result.assigned) edges.set(source.id, port)
  for (const edge of result.overflow) edges.set(edge.id, undefined)
  const used = new Set<string>()
  for (const port of edges.values()) if (port !== undefined) used.add(port)
  if (block.ports.kind === 'named') {
    const names = block.ports.names
    return { ports: [...names, ...[...used].filter((p) => !names.includes(p))], edges }
  }
  const numbered = [...used].filter(isPortNumber).sort((a, b) => Number(a) - Number(b))
  const shown = [...numbered]
  let next = numbered.length > 0 ? Number(numbered.at(-1)) + 1 : 0
  while (shown.length < Math.max(block.ports.min, numbered.length + 1)) shown.push(String(next++))
  return { ports: [...shown, ...[...used].filter((p) => !isPortNumber(p))], edges }
}

/**
 * The input port each edge into `nodeId` takes, by edge id. On a merge block an edge without
 * `targetPort` takes the first free port, as `inferShapes` assigns it (`undefined` when none is
 * free); into any other block, an edge takes the port it names (`undefined`: the main input).
 */
export function edgePorts(doc: GraphDocument, nodeId: string): Map<string, string | undefined> {
  const into = doc.edges.filter((e) => e.target === nodeId)
  const block = mergeOf(doc.nodes.find((n) => n.id === nodeId)?.type)
  if (block) return mergeInputs(block, into).edges
  return new Map(into.map((e) => [e.id, e.targetPort]))
}

/**
 * The input ports a block shows on the canvas, in order: a merge block's named ports (`a`, `b`),
 * or a list's (Concat's) connected ports plus free ones up to one more than are connected (at
 * least its minimum), so any number of inputs can be added in order. A port an edge names that
 * the block does not have is listed too, so its edge can be seen and removed. Empty for blocks
 * with one input.
 */
export function inputPorts(doc: GraphDocument, nodeId: string): string[] {
  const block = mergeOf(doc.nodes.find((n) => n.id === nodeId)?.type)
  if (!block) return []
  return mergeInputs(
    block,
    doc.edges.filter((e) => e.target === nodeId),
  ).ports
}

/**
 * `inputPorts` and `edgePorts` of every merge block of `doc` at once, by node id, in one pass
 * over the document (for drawing a whole graph).
 */
export function mergePorts(doc: GraphDocument): Map<string, MergeInputs> {
  const merges = new Map<string, MergeBlock<string, object>>()
  for (const node of doc.nodes) {
    const block = mergeOf(node.type)
    if (block && !merges.has(node.id)) merges.set(node.id, block)
  }
  const into = new Map<string, GraphEdge[]>()
  for (const edge of doc.edges) {
    if (!merges.has(edge.target)) continue
    const list = into.get(edge.target)
    if (list) list.push(edge)
    else into.set(edge.target, [edge])
  }
  const result = new Map<string, MergeInputs>()
  for (const [id, block] of merges) result.set(id, mergeInputs(block, into.get(id) ?? []))
  return result
}
