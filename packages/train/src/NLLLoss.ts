import type * as tf from '@tensorflow/tfjs-core'
import { checkIgnoreIndex, checkWeight, classLoss } from './classLoss'
import { Loss, type Reduction } from './Loss'

/** Options of {@link NLLLoss}; PyTorch's `nn.NLLLoss` arguments in camelCase. */
export interface NLLLossOptions {
  /** A rescaling weight per class (PyTorch `weight`). Default: all 1. */
  weight?: readonly number[]
  /** Targets equal to this class index contribute nothing (PyTorch `ignore_index`). Default -100. */
  ignoreIndex?: number
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction
  /** Range-check the targets like PyTorch (one small read per call). Default true. */
  validateTargets?: boolean
}

/**
 * Negative log likelihood, like PyTorch's `nn.NLLLoss`: `input` holds log-probabilities (the
 * output of `LogSoftmax`) shaped `[N, C]`, `[C]` or `[N, C, d1, …]`; `target` int32 class indices.
 * `NLLLoss(LogSoftmax(x))` equals `CrossEntropyLoss(x)`.
 */
export class NLLLoss extends Loss {
  /** Per-class weights, or null. */
  readonly weight: readonly number[] | null
  /** Class index whose targets are ignored. */
  readonly ignoreIndex: number
  /** Always 0: NLLLoss has no label smoothing. */
  readonly labelSmoothing = 0
  /** Whether targets are range-checked. */
  readonly validateTargets: boolean

  constructor(options: NLLLossOptions = {}) {
    super('NLLLoss', options.reduction)
    this.weight = checkWeight(this.lossName, options.weight)
    this.ignoreIndex = checkIgnoreIndex(this.lossName, options.ignoreIndex)
    this.validateTargets = options.validateTargets ?? true
  }

  /** The loss of log-probabilities `input` against class indices `target`. */
  forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return classLoss(this, input, target, true)
  }
}
