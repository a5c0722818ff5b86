import type * as tf from '@tensorflow/tfjs-core'
import { softmax } from './functional'
import { SoftmaxBase } from './SoftmaxBase'

/**
 * Rescales `dim` so its entries are positive and sum to 1, like `torch.nn.Softmax(dim)`. `dim` is
 * required (PyTorch warns when it is omitted); use 1 for `[batch, classes]`.
 */
export class Softmax extends SoftmaxBase<'Softmax'> {
  static readonly displayName = 'Softmax'

  get layerType(): 'Softmax' {
    return 'Softmax'
  }

  protected normalize(input: tf.Tensor, dim: number): tf.Tensor {
    return softmax(input, dim)
  }
}
