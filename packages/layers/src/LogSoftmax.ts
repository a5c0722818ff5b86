import type * as tf from '@tensorflow/tfjs-core'
import type { LayerParams } from '@tensorloom/graph'
import { logSoftmax } from './functional'
import { Layer } from './Layer'

/**
 * `log(softmax(x))` along `dim`, computed stably, like `torch.nn.LogSoftmax(dim)`. `dim` is
 * required (PyTorch warns when it is omitted); use 1 for `[batch, classes]`.
 */
export class LogSoftmax extends Layer<'LogSoftmax'> {
  static readonly displayName = 'LogSoftmax'
  /** The dimension normalised. */
  dim: number

  constructor(dim: number) {
    super()
    this.dim = dim
  }

  get layerType(): 'LogSoftmax' {
    return 'LogSoftmax'
  }

  get params(): LayerParams['LogSoftmax'] {
    return { dim: this.dim }
  }

  forward(input: tf.Tensor): tf.Tensor {
    this.checkInput(input)
    return logSoftmax(input, this.dim)
  }

  override extraRepr(): string {
    return `dim=${this.dim}`
  }
}
