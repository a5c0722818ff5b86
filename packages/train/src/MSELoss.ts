import * as tf from '@tensorflow/tfjs-core'
import { trainError } from './errors'
import { Loss, type Reduction } from './Loss'

/** Options of {@link MSELoss}. */
export interface MSELossOptions {
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction
}

/**
 * Mean squared error, like PyTorch's `nn.MSELoss`: `(input - target)²`, reduced.
 * Unlike PyTorch (which broadcasts with a warning), different shapes are an error, because
 * broadcasting a `[N]` target against a `[N, 1]` input is almost always a bug.
 */
export class MSELoss extends Loss {
  constructor(options: MSELossOptions = {}) {
    super('MSELoss', options.reduction)
  }

  /** The loss of `input` against a float32 `target` of the same shape. */
  forward(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
    const same =
      input.rank === target.rank && input.shape.every((size, i) => size === target.shape[i])
    if (!same) {
      throw trainError('MSE_SHAPE_MISMATCH', { inputShape: input.shape, targetShape: target.shape })
    }
    return tf.tidy(() => {
      const squared = tf.squaredDifference(input, tf.cast(target, input.dtype))
      if (this.reduction === 'none') return squared
      if (this.reduction === 'sum') return tf.sum(squared)
      return tf.mean(squared)
    })
  }
}
