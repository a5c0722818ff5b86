import type * as tf from '@tensorflow/tfjs-core'
import { checkIgnoreIndex, checkWeight, classLoss } from './classLoss'
import { trainError } from './errors'
import { Loss, type Reduction } from './Loss'

/** Options of {@link CrossEntropyLoss}; PyTorch's `nn.CrossEntropyLoss` arguments in camelCase. */
export interface CrossEntropyLossOptions {
  /** A rescaling weight per class (PyTorch `weight`). Default: all 1. */
  weight?: readonly number[]
  /** Targets equal to this class index contribute nothing (PyTorch `ignore_index`). Default -100. */
  ignoreIndex?: number
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction
  /** Mixes the target with a uniform distribution, in [0, 1] (PyTorch `label_smoothing`). Default 0. */
  labelSmoothing?: number
  /**
   * Read class-index targets back to check they lie in `[0, classes)`, as PyTorch does (it throws
   * `Target 10 is out of bounds.`). Costs one small read per call. Default true.
   */
  validateTargets?: boolean
}

/** @internal */
export function checkLabelSmoothing(lossName: string, value: unknown): number {
  const v = value ?? 0
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
    throw trainError('LOSS_LABEL_SMOOTHING', { lossName, value: v })
  }
  return v
}

/**
 * Cross entropy between logits and targets, exactly like PyTorch's `nn.CrossEntropyLoss`: a
 * numerically stable log-softmax followed by the negative log likelihood.
 *
 * - `input`: raw scores (logits) shaped `[N, C]`, `[C]`, or `[N, C, d1, …]`.
 * - `target`: int32 class indices shaped `[N]` (`[]`, `[N, d1, …]`), or float32 class
 *   probabilities shaped like the input.
 *
 * @example
 * ```ts
 * const criterion = new CrossEntropyLoss()
 * const loss = criterion.call(model.call(images), labels) // scalar, mean over the batch
 * ```
 */
export class CrossEntropyLoss extends Loss {
  /** Per-class weights, or null. */
  readonly weight: readonly number[] | null
  /** Class index whose targets are ignored. */
  readonly ignoreIndex: number
  /** Label smoothing amount in [0, 1]. */
  readonly labelSmoothing: number
  /** Whether targets are range-checked. */
  readonly validateTargets: boolean

  constructor(options: CrossEntropyLossOptions = {}) {
    super('CrossEntropyLoss', options.reduction)
    this.weight = checkWeight(this.lossName, options.weight)
    this.ignoreIndex = checkIgnoreIndex(this.lossName, options.ignoreIndex)
    this.labelSmoothing = checkLabelSmoothing(this.lossName, options.labelSmoothing)
    this.validateTargets = options.validateTargets ?? true
  }

  /** The loss of logits `input` against class indices (or probabilities) `target`. */
  forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return classLoss(this, input, target, false)
  }
}
