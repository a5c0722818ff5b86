import type * as tf from '@tensorflow/tfjs-core'
import { TrainError } from './errors'
import { checkRange, Optimizer, type ParamGroup, type ParamsArg, tensorsOf } from './Optimizer'
import { sgdRule } from './optim/sgd'
import { tensorStep } from './optim/tensors'

/** Options of {@link SGD}; PyTorch's `torch.optim.SGD` arguments in camelCase. */
export interface SGDOptions {
  /** Learning rate (required, as in PyTorch). */
  lr: number
  /** Momentum factor. Default 0. */
  momentum?: number
  /** Dampening for momentum. Default 0. */
  dampening?: number
  /** L2 penalty, added to the gradient: `g + weightDecay * p`. Default 0. */
  weightDecay?: number
  /** Nesterov momentum (needs momentum > 0 and dampening 0). Default false. */
  nesterov?: boolean
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize?: boolean
}

/** The resolved options of an SGD parameter group. */
export type SGDGroupOptions = Required<SGDOptions>

/**
 * Stochastic gradient descent with momentum, exactly `torch.optim.SGD` (PyTorch 1.13):
 *
 * ```
 * g = grad (+ weightDecay * p)
 * buf = g                                   on the first step (no dampening)
 * buf = momentum * buf + (1 - dampening) * g  afterwards
 * g = nesterov ? g + momentum * buf : buf    (when momentum != 0)
 * p = p - lr * g
 * ```
 *
 * @example
 * const optimizer = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 })
 * const loss = optimizer.step(() => criterion.call(model.call(images), labels))
 */
export class SGD extends Optimizer<SGDGroupOptions> {
  constructor(params: ParamsArg<SGDGroupOptions>, options: SGDOptions) {
    if (options === undefined || options.lr === undefined) {
      throw new TrainError(
        'INVALID_OPTION',
        'SGD: required option lr (learning rate) is missing.',
        'Pass e.g. new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 }).',
        { option: 'lr', value: undefined },
      )
    }
    super('SGD', params, {
      lr: options.lr,
      momentum: options.momentum ?? 0,
      dampening: options.dampening ?? 0,
      weightDecay: options.weightDecay ?? 0,
      nesterov: options.nesterov ?? false,
      maximize: options.maximize ?? false,
    })
  }

  protected validate(group: SGDGroupOptions): void {
    const hint = 'Use a non-negative number.'
    checkRange(
      'SGD',
      'lr',
      'learning rate',
      group.lr,
      (v) => v >= 0,
      'Use a positive learning rate such as 0.01.',
    )
    checkRange('SGD', 'momentum', 'momentum value', group.momentum, (v) => v >= 0, hint)
    checkRange('SGD', 'weightDecay', 'weight_decay value', group.weightDecay, (v) => v >= 0, hint)
    checkRange(
      'SGD',
      'dampening',
      'dampening value',
      group.dampening,
      Number.isFinite,
      'Use a number, usually 0.',
    )
    if (group.nesterov && (group.momentum <= 0 || group.dampening !== 0)) {
      throw new TrainError(
        'INVALID_OPTION',
        'SGD: Nesterov momentum requires a momentum and zero dampening.',
        'Set momentum > 0 (e.g. 0.9) and dampening 0, or nesterov false.',
        { momentum: group.momentum, dampening: group.dampening, nesterov: group.nesterov },
      )
    }
  }

  protected update(group: ParamGroup<SGDGroupOptions>, grads: Array<tf.Tensor | null>): void {
    group.params.forEach((p, i) => {
      const grad = grads[i]
      if (!grad) return
      const state = tensorsOf(this.getState(p))
      const hyper = { ...group, hasBuffer: state.momentumBuffer !== undefined }
      const out = tensorStep(sgdRule, hyper, { param: p, grad, state }, (v) => this.scalar(v))
      p.assign(out.param)
      for (const [name, value] of Object.entries(out.state)) this.setState(p, name, value)
    })
  }
}
