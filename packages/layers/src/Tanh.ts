import * as tf from '@tensorflow/tfjs-core'
import { Layer } from './Layer'

/** Hyperbolic tangent element-wise, like `torch.nn.Tanh`. */
export class Tanh extends Layer<'Tanh'> {
  static readonly displayName = 'Tanh'

  get layerType(): 'Tanh' {
    return 'Tanh'
  }

  get params(): Record<string, never> {
    return {}
  }

  forward(input: tf.Tensor): tf.Tensor {
    this.checkInput(input)
    return tf.tanh(input)
  }
}
