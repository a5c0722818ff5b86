import * as tf from '@tensorflow/tfjs-core'
import type { LayerParams } from '@tensorloom/graph'
import { Layer } from './Layer'

/**
 * Flattens dimensions `startDim`..`endDim` into one, like `torch.nn.Flatten` (defaults 1 and -1:
 * `[64, 1, 28, 28]` becomes `[64, 784]`).
 */
export class Flatten extends Layer<'Flatten'> {
  static readonly displayName = 'Flatten'
  /** First dimension to flatten (`start_dim`, default 1). */
  startDim: number
  /** Last dimension to flatten (`end_dim`, default -1). */
  endDim: number

  constructor(options: { startDim?: number; endDim?: number } = {}) {
    super()
    this.startDim = options.startDim ?? 1
    this.endDim = options.endDim ?? -1
  }

  get layerType(): 'Flatten' {
    return 'Flatten'
  }

  get params(): LayerParams['Flatten'] {
    return { startDim: this.startDim, endDim: this.endDim }
  }

  forward(input: tf.Tensor): tf.Tensor {
    return tf.reshape(input, this.checkInput(input))
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`
  }
}
