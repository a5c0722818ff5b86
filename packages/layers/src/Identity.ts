import * as tf from '@tensorflow/tfjs-core'
import { Layer } from './Layer'

/**
 * Returns its input unchanged, like `torch.nn.Identity`: a placeholder where a layer may go (the
 * output is a new tensor handle sharing the input's data, so disposing one keeps the other).
 */
export class Identity extends Layer<'Identity'> {
  static readonly displayName = 'Identity'

  get layerType(): 'Identity' {
    return 'Identity'
  }

  get params(): Record<string, never> {
    return {}
  }

  forward(input: tf.Tensor): tf.Tensor {
    this.checkInput(input)
    return tf.clone(input)
  }
}
