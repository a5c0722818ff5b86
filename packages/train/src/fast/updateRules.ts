// What both fast engines need of the optimizer: this step's update rule for each parameter, the
// names of its state buffers, and its parameter groups as PyTorch's state dict numbers them.
import type * as tf from '@tensorflow/tfjs-core'
import type { Optimizer } from '../Optimizer'
import { stateCount, type UpdateRule } from './kernels'

/**
 * This step's update rule for each of `variables` (read each step: lr may change between steps);
 * `steps[i]` updates done so far, `hasBuffer[i]` whether SGD's momentum buffer exists.
 */
export function updateRules(
  optimizer: Optimizer<object>,
  variables: readonly tf.Variable[],
  steps: readonly number[],
  hasBuffer: readonly boolean[],
): UpdateRule[] {
  const groupOf = new Map<tf.Variable, Record<string, unknown>>()
  for (const group of optimizer.paramGroups) {
    for (const p of group.params) groupOf.set(p, group as unknown as Record<string, unknown>)
  }
  const kind = optimizer.optimizerName === 'SGD' ? 'sgd' : 'adam'
  return variables.map((variable, i) => {
    const g = groupOf.get(variable)!
    const betas = (g.betas as [number, number] | undefined) ?? [0.9, 0.999]
    return {
      kind,
      lr: g.lr as number,
      weightDecay: (g.weightDecay as number | undefined) ?? 0,
      maximize: (g.maximize as boolean | undefined) ?? false,
      beta1: betas[0],
      beta2: betas[1],
      eps: (g.eps as number | undefined) ?? 1e-8,
      decoupled: optimizer.optimizerName === 'AdamW',
      amsgrad: (g.amsgrad as boolean | undefined) ?? false,
      step: steps[i]! + 1,
      momentum: (g.momentum as number | undefined) ?? 0,
      dampening: (g.dampening as number | undefined) ?? 0,
      nesterov: (g.nesterov as boolean | undefined) ?? false,
      hasBuffer: hasBuffer[i]!,
    }
  })
}

/** The optimizer's state buffers per parameter, by their state-dict names, in kernel order. */
export function stateNames(optimizer: Optimizer<object>): string[] {
  const g = optimizer.paramGroups[0] as unknown as Record<string, unknown>
  const shape: Pick<UpdateRule, 'kind' | 'amsgrad' | 'momentum'> = {
    kind: optimizer.optimizerName === 'SGD' ? 'sgd' : 'adam',
    amsgrad: (g.amsgrad as boolean | undefined) ?? false,
    momentum: (g.momentum as number | undefined) ?? 0,
  }
  const count = stateCount(shape)
  if (shape.kind === 'sgd') return count > 0 ? ['momentumBuffer'] : []
  return ['expAvg', 'expAvgSq', 'maxExpAvgSq'].slice(0, count)
}

/** The parameter groups with `params` as indices into `optimizer.params` (a state dict's form). */
export function groupsWithIndices(
  optimizer: Optimizer<object>,
): Array<Record<string, unknown> & { params: number[] }> {
  const order = new Map(optimizer.params.map((p, i) => [p, i]))
  return optimizer.paramGroups.map((group) => {
    const { params, ...options } = group as unknown as { params: tf.Variable[] }
    return { ...options, params: params.map((p) => order.get(p)!) }
  })
}
