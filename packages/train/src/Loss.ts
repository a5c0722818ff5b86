import type * as tf from '@tensorflow/tfjs-core'
import { trainError } from './errors'
import { registerGradients } from './gradients'

/** How a loss reduces per-element losses, as in PyTorch: `'mean'` (default), `'sum'` or `'none'`. */
export type Reduction = 'mean' | 'sum' | 'none'

/** Anything that maps `(input, target)` to a loss tensor: the losses here, or your own function. */
export interface Criterion {
  call(input: tf.Tensor, target: tf.Tensor): tf.Tensor
}

const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none']

/** @internal Validates a `reduction` option with PyTorch's wording. */
export function checkReduction(lossName: string, reduction: unknown): Reduction {
  if (!REDUCTIONS.includes(reduction as Reduction)) {
    throw trainError('LOSS_REDUCTION', { lossName, value: reduction })
  }
  return reduction as Reduction
}

/**
 * Base class of the losses, like PyTorch's `_Loss`: holds `reduction`, and `call` runs `forward`.
 * The returned tensor belongs to the caller; intermediate tensors are disposed.
 */
export abstract class Loss implements Criterion {
  /** How per-element losses are reduced. */
  readonly reduction: Reduction

  /** The PyTorch class name, e.g. `'CrossEntropyLoss'`. */
  readonly lossName: string

  protected constructor(lossName: string, reduction: Reduction | undefined) {
    this.lossName = lossName
    registerGradients()
    this.reduction = checkReduction(lossName, reduction ?? 'mean')
  }

  /** Computes the loss. Subclasses implement this; prefer {@link Loss.call}. */
  abstract forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor

  /** Computes the loss of `input` against `target` (like calling a PyTorch loss module). */
  call(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    return this.forward(input, target)
  }

  /** PyTorch's `print(criterion)` text, e.g. `CrossEntropyLoss()`. */
  toString(): string {
    return `${this.lossName}()`
  }
}
