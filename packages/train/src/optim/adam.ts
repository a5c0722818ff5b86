import type { UpdateRuleSpec } from './rule'

/** One Adam/AdamW step's hyper-parameters for one parameter (PyTorch 1.13's arguments). */
export interface AdamHyper {
  lr: number
  beta1: number
  beta2: number
  eps: number
  weightDecay: number
  amsgrad: boolean
  maximize: boolean
  /** AdamW: `p *= 1 - lr·weightDecay` before the update instead of `g += weightDecay·p`. */
  decoupled: boolean
  /** The parameter's step count after this update (1 on the first). */
  step: number
}

/** The branches of an Adam step. */
export interface AdamFlags {
  maximize: boolean
  weightDecay: 'none' | 'l2' | 'decoupled'
  amsgrad: boolean
}

type AdamConstant =
  | 'weightDecay'
  | 'shrink'
  | 'beta1'
  | 'beta2'
  | 'c1'
  | 'c2'
  | 'stepSize'
  | 'bc2Sqrt'
  | 'eps'

type AdamState = 'expAvg' | 'expAvgSq' | 'maxExpAvgSq'

/** Adam and AdamW: `_single_tensor_adam` and `_single_tensor_adamw` of PyTorch 1.13. */
export const adamRule: UpdateRuleSpec<AdamHyper, AdamFlags, AdamConstant, AdamState> = {
  flags: (h) => ({
    maximize: h.maximize,
    weightDecay: h.weightDecay === 0 ? 'none' : h.decoupled ? 'decoupled' : 'l2',
    amsgrad: h.amsgrad,
  }),
  key: (f) => `adam${f.maximize ? '-maximize' : ''}-${f.weightDecay}${f.amsgrad ? '-amsgrad' : ''}`,
  allFlags: () =>
    [false, true].flatMap((maximize) =>
      (['none', 'l2', 'decoupled'] as const).flatMap((weightDecay) =>
        [false, true].map((amsgrad) => ({ maximize, weightDecay, amsgrad })),
      ),
    ),
  state: (f) => (f.amsgrad ? ['expAvg', 'expAvgSq', 'maxExpAvgSq'] : ['expAvg', 'expAvgSq']),
  constants: (h) => ({
    weightDecay: h.weightDecay,
    shrink: 1 - h.lr * h.weightDecay,
    beta1: h.beta1,
    beta2: h.beta2,
    c1: 1 - h.beta1,
    c2: 1 - h.beta2,
    // bias_correction1 = 1 - beta1 ** step; step_size = lr / bias_correction1
    stepSize: h.lr / (1 - h.beta1 ** h.step),
    // bias_correction2_sqrt = _dispatch_sqrt(1 - beta2 ** step)
    bc2Sqrt: Math.sqrt(1 - h.beta2 ** h.step),
    eps: h.eps,
  }),
  perStep: ['stepSize', 'bc2Sqrt'],
  step(a, x, k, f) {
    // grad = grads[i] if not maximize else -grads[i]
    let grad = f.maximize ? a.neg(x.grad) : x.grad
    let param = x.param
    // AdamW: param.mul_(1 - lr * weight_decay); Adam: grad = grad.add(param, alpha=weight_decay)
    if (f.weightDecay === 'decoupled') param = a.mul(param, k.shrink)
    if (f.weightDecay === 'l2') grad = a.add(grad, a.mul(param, k.weightDecay))
    // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
    const expAvg = a.add(a.mul(x.state.expAvg!, k.beta1), a.mul(grad, k.c1))
    // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    const expAvgSq = a.add(a.mul(x.state.expAvgSq!, k.beta2), a.mul(a.mul(grad, k.c2), grad))
    const state: Partial<Record<AdamState, typeof grad>> = { expAvg, expAvgSq }
    let second = expAvgSq
    if (f.amsgrad) {
      // torch.maximum(max_exp_avg_sqs[i], exp_avg_sq, out=max_exp_avg_sqs[i])
      second = a.max(x.state.maxExpAvgSq!, expAvgSq)
      state.maxExpAvgSq = second
    }
    // denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
    const denom = a.add(a.div(a.sqrt(second), k.bc2Sqrt), k.eps)
    // param.addcdiv_(exp_avg, denom, value=-step_size)
    return { param: a.sub(param, a.div(a.mul(expAvg, k.stepSize), denom)), state }
  },
}
