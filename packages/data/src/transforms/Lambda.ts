import type * as tf from '@tensorflow/tfjs-core'
import type { Transform } from './Transform.js'

/**
 * Wraps a function as a transform, like `torchvision.transforms.Lambda`. Give a second function to
 * give it a batched form, so `DataLoader` can keep transforming whole batches on the device.
 *
 * @example
 * const binary = new Lambda((y: number) => y % 2, (batch) => tf.mod(batch, 2))
 * const train = await MNIST.load({ root: './data', targetTransform: binary })
 */
export class Lambda<TIn, TOut> implements Transform<TIn, TOut> {
  /** The batched form, when one was given. */
  readonly applyBatch?: (batch: tf.Tensor) => tf.Tensor

  constructor(
    private readonly fn: (input: TIn) => TOut,
    batchFn?: (batch: tf.Tensor) => tf.Tensor,
  ) {
    if (typeof fn !== 'function') throw new TypeError('Lambda: expected a function')
    if (batchFn) this.applyBatch = batchFn
  }

  /** Calls the function on one sample. */
  apply(input: TIn): TOut {
    return this.fn(input)
  }

  toString(): string {
    return 'Lambda()'
  }
}
