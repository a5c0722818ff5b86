import { applyFix } from './applyFix.js'
import type { Block } from './blocks/block.js'
import { blocks } from './blocks/index.js'
import { inferShapes } from './inferShapes.js'
import type { GraphDocument } from './types.js'

/**
 * Sets the size parameters of node `nodeId` that its input decides (Linear's `in_features`,
 * Conv2d's `in_channels`, BatchNorm's `num_features`, LayerNorm's `normalized_shape`) to what
 * flows into it, as the one-click fixes on its shape errors would: a block wired in after
 * `Linear(784, 128)` becomes `Linear(128, …)`. Other parameters and other nodes are left alone;
 * `doc` is returned as it is when nothing needs to change.
 */
export function fitToInput(doc: GraphDocument, nodeId: string): GraphDocument {
  const node = doc.nodes.find((n) => n.id === nodeId)
  const block = node ? (blocks as Record<string, Block | undefined>)[node.type] : undefined
  const decided = new Set(
    block?.kind === 'layer' && block.paramFromInput ? Object.keys(block.paramFromInput) : [],
  )
  let current = doc
  // Each fix may reveal the next (BatchNorm's features after a Linear's), never more than these.
  for (let round = 0; round < decided.size; round++) {
    const issue = inferShapes(current).issues.find(
      (i) =>
        i.nodeId === nodeId &&
        i.fix?.kind === 'setParam' &&
        (i.fix.nodeId ?? nodeId) === nodeId &&
        decided.has(i.fix.param),
    )
    if (!issue?.fix) break
    current = applyFix(current, nodeId, issue.fix)
  }
  return current
}
