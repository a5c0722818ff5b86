import type * as tf from '@tensorflow/tfjs-core'
import { checkRange, Optimizer, type ParamGroup, type ParamsArg, tensorsOf } from './Optimizer'
import { adamRule } from './optim/adam'
import { tensorStep } from './optim/tensors'

/** Options of {@link Adam} and {@link AdamW}; PyTorch's arguments in camelCase. */
export interface AdamOptions {
  /** Learning rate. Default 1e-3. */
  lr?: number
  /** Coefficients of the running averages of the gradient and its square. Default [0.9, 0.999]. */
  betas?: readonly [number, number]
  /** Added to the denominator for numerical stability. Default 1e-8. */
  eps?: number
  /** Adam: L2 penalty added to the gradient. AdamW: decoupled weight decay. Default 0 / 0.01. */
  weightDecay?: number
  /** Use the AMSGrad variant (the maximum of past squared-gradient averages). Default false. */
  amsgrad?: boolean
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize?: boolean
}

/** The resolved options of an Adam/AdamW parameter group. */
export interface AdamGroupOptions {
  lr: number
  betas: [number, number]
  eps: number
  weightDecay: number
  amsgrad: boolean
  maximize: boolean
}

function resolve(options: AdamOptions, weightDecay: number): AdamGroupOptions {
  return {
    lr: options.lr ?? 1e-3,
    betas: [...(options.betas ?? [0.9, 0.999])] as [number, number],
    eps: options.eps ?? 1e-8,
    weightDecay: options.weightDecay ?? weightDecay,
    amsgrad: options.amsgrad ?? false,
    maximize: options.maximize ?? false,
  }
}

/** @internal Shared by Adam and AdamW: PyTorch 1.13's `_single_tensor_adam(w)` (optim/adam.ts). */
abstract class AdamBase extends Optimizer<AdamGroupOptions> {
  protected abstract readonly decoupled: boolean

  protected validate(group: AdamGroupOptions): void {
    const name = this.optimizerName
    checkRange(
      name,
      'lr',
      'learning rate',
      group.lr,
      (v) => v >= 0,
      'Use a positive learning rate such as 1e-3.',
    )
    checkRange(
      name,
      'eps',
      'epsilon value',
      group.eps,
      (v) => v >= 0,
      'Use a small positive number such as 1e-8.',
    )
    const betaOk = (v: number) => v >= 0 && v < 1
    const betaHint = 'Each beta must lie in [0, 1); the defaults are [0.9, 0.999].'
    checkRange(name, 'betas', 'beta parameter at index 0', group.betas?.[0], betaOk, betaHint)
    checkRange(name, 'betas', 'beta parameter at index 1', group.betas?.[1], betaOk, betaHint)
    checkRange(
      name,
      'weightDecay',
      'weight_decay value',
      group.weightDecay,
      (v) => v >= 0,
      'Use a non-negative number.',
    )
  }

  protected update(group: ParamGroup<AdamGroupOptions>, grads: Array<tf.Tensor | null>): void {
    const { lr, eps, weightDecay, amsgrad, maximize } = group
    const [beta1, beta2] = group.betas
    group.params.forEach((p, i) => {
      const grad = grads[i]
      if (!grad) return
      const state = this.getState(p)
      const step = ((state?.step as number | undefined) ?? 0) + 1
      const hyper = { lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, step }
      const out = tensorStep(
        adamRule,
        { ...hyper, decoupled: this.decoupled },
        { param: p, grad, state: tensorsOf(state) },
        (v) => this.scalar(v),
      )
      p.assign(out.param)
      this.setState(p, 'step', step)
      for (const [name, value] of Object.entries(out.state)) this.setState(p, name, value)
    })
  }
}

/**
 * Adam, exactly `torch.optim.Adam` (PyTorch 1.13), including its bias corrections, `eps` added
 * after the bias-corrected square root, L2 `weightDecay` added to the gradient, and AMSGrad.
 *
 * @example
 * const optimizer = new Adam(model.parameters(), { lr: 1e-3 })
 * const loss = optimizer.step(() => criterion.call(model.call(images), labels))
 */
export class Adam extends AdamBase {
  protected readonly decoupled = false

  constructor(params: ParamsArg<AdamGroupOptions>, options: AdamOptions = {}) {
    super('Adam', params, resolve(options, 0))
  }
}

/**
 * AdamW, exactly `torch.optim.AdamW` (PyTorch 1.13): Adam with decoupled weight decay
 * `p *= 1 - lr * weightDecay` applied before the update. Default `weightDecay` is 0.01.
 */
export class AdamW extends AdamBase {
  protected readonly decoupled = true

  constructor(params: ParamsArg<AdamGroupOptions>, options: AdamOptions = {}) {
    super('AdamW', params, resolve(options, 0.01))
  }
}
