import type * as tf from '@tensorflow/tfjs-core'
import type { LayerParams } from '@tensorloom/graph'
import { Layer } from './Layer'

/**
 * What {@link Softmax} and {@link LogSoftmax} share: a required `dim`, their params, a forward
 * that checks the input against the shape rule, and PyTorch's `(dim=1)` repr. Internal.
 */
export abstract class SoftmaxBase<T extends 'Softmax' | 'LogSoftmax'> extends Layer<T> {
  /** The dimension normalised (for Softmax, the one that sums to 1). */
  dim: number

  constructor(dim: number) {
    super()
    this.dim = dim
  }

  get params(): LayerParams[T] {
    return { dim: this.dim } as LayerParams[T]
  }

  /** The layer's function of `input` along `dim`. */
  protected abstract normalize(input: tf.Tensor, dim: number): tf.Tensor

  forward(input: tf.Tensor): tf.Tensor {
    this.checkInput(input)
    return this.normalize(input, this.dim)
  }

  override extraRepr(): string {
    return `dim=${this.dim}`
  }
}
