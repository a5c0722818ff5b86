import { adamRule } from './adam'
import { generatedLoops, ruleLoops } from './js'
import { sgdRule } from './sgd'

/** The source of loops.generated.ts, before formatting. */
export function updateLoopsModule(): string {
  return generatedLoops([
    ...ruleLoops(adamRule, {
      lr: 1,
      beta1: 0,
      beta2: 0,
      eps: 0,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
      decoupled: false,
      step: 1,
    }),
    ...ruleLoops(sgdRule, {
      lr: 1,
      momentum: 0,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
      maximize: false,
      hasBuffer: false,
    }),
  ])
}
