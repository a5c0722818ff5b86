import type { GraphPlan } from '@tensorloom/graph'
import type { FromGraphResult } from '@tensorloom/layers'
import { Linear } from '@tensorloom/layers'

/** What the model's last layer outputs: raw scores, probabilities or log-probabilities. */
export type OutputKind = 'logits' | 'probabilities' | 'logProbabilities'

export function outputKind(plan: GraphPlan): OutputKind {
  const last = plan.layers.at(-1)
  if (last?.type === 'Softmax') return 'probabilities'
  if (last?.type === 'LogSoftmax') return 'logProbabilities'
  return 'logits'
}

/**
 * The first Linear layer when it reads a flattened 28x28 image (784 inputs): its weight rows can be
 * drawn as images. Null for other networks (a CNN's first Linear reads feature maps).
 */
export function firstImageLinear(built: FromGraphResult): Linear | null {
  const first = built.nodes.find((n) => n.module instanceof Linear)
  return first && first.module instanceof Linear && first.module.inFeatures === 784
    ? first.module
    : null
}
