import type { Flow } from '../blocks/block.js'
import type { GraphNode, NodeType } from '../types.js'

/** What inference knows about one node. */
export interface Info {
  node: GraphNode
  index: number
  type: NodeType | null
  params: Record<string, unknown>
  /** Indices of the nodes feeding this one, one per edge. */
  ins: number[]
  /** The target port of each edge in `ins` (undefined when the edge names none). */
  inPorts: (string | undefined)[]
  outs: number[]
  /** For a merge block: its connected ports in order, and the node feeding each. */
  ports: { port: string; source: number }[]
  /** The node whose output is this node's (first) input, -1 for none. */
  from: number
  input: Flow | null
  output: Flow | null
  paramCount: number
}

/** True for objects that are not arrays. */
export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
