import type * as tf from '@tensorflow/tfjs-core'
import type { LayerParams } from '@tensorloom/graph'
import { softmax } from './functional'
import { Layer } from './Layer'

/**
 * Rescales `dim` so its entries are positive and sum to 1, like `torch.nn.Softmax(dim)`. `dim` is
 * required (PyTorch warns when it is omitted); use 1 for `[batch, classes]`.
 */
export class Softmax extends Layer<'Softmax'> {
  static readonly displayName = 'Softmax'
  /** The dimension that sums to 1. */
  dim: number

  constructor(dim: number) {
    super()
    this.dim = dim
  }

  get layerType(): 'Softmax' {
    return 'Softmax'
  }

  get params(): LayerParams['Softmax'] {
    return { dim: this.dim }
  }

  forward(input: tf.Tensor): tf.Tensor {
    this.checkInput(input)
    return softmax(input, this.dim)
  }

  override extraRepr(): string {
    return `dim=${this.dim}`
  }
}
