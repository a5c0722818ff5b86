import * as tf from '@tensorflow/tfjs-core'
import { Layer } from './Layer'

/**
 * `x * sigmoid(x)` element-wise (swish), like `torch.nn.SiLU`.
 *
 * @example new SiLU().call(tf.tensor1d([-1, 0, 1])) // [-0.2689, 0, 0.7311]
 */
export class SiLU extends Layer<'SiLU'> {
  static readonly displayName = 'SiLU'

  get layerType(): 'SiLU' {
    return 'SiLU'
  }

  get params(): Record<string, never> {
    return {}
  }

  forward(input: tf.Tensor): tf.Tensor {
    this.checkInput(input)
    return tf.mul(input, tf.sigmoid(input))
  }
}
