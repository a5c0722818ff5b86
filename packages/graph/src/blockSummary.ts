import { blockOf } from './blocks/index.js'
import { isNodeType, nodeSpecs } from './specs.js'
import type { GraphNode } from './types.js'

/**
 * One short line with a node's key parameters, as the canvas shows it under the block's name,
 * from the block's definition: `'784 → 128'`, `'batch 64 · shuffled'`. Missing parameters read
 * as their defaults; an unknown type gives `''`.
 *
 * @example blockSummary(templates.lesson.nodes[5]!) // '784 → 128'
 */
export function blockSummary(node: Pick<GraphNode, 'type' | 'params'>): string {
  if (!isNodeType(node.type)) return ''
  const params = { ...nodeSpecs[node.type].defaults, ...node.params }
  return (blockOf(node.type).summary as (p: object) => string)(params)
}
