import type * as tf from '@tensorflow/tfjs-core'
import { logSoftmax } from './functional'
import { SoftmaxBase } from './SoftmaxBase'

/**
 * `log(softmax(x))` along `dim`, computed stably, like `torch.nn.LogSoftmax(dim)`. `dim` is
 * required (PyTorch warns when it is omitted); use 1 for `[batch, classes]`.
 */
export class LogSoftmax extends SoftmaxBase<'LogSoftmax'> {
  static readonly displayName = 'LogSoftmax'

  get layerType(): 'LogSoftmax' {
    return 'LogSoftmax'
  }

  protected normalize(input: tf.Tensor, dim: number): tf.Tensor {
    return logSoftmax(input, dim)
  }
}
