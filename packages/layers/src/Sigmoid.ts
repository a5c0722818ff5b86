import * as tf from '@tensorflow/tfjs-core'
import { Layer } from './Layer'

/** `1 / (1 + exp(-x))` element-wise, like `torch.nn.Sigmoid`. */
export class Sigmoid extends Layer<'Sigmoid'> {
  static readonly displayName = 'Sigmoid'

  get layerType(): 'Sigmoid' {
    return 'Sigmoid'
  }

  get params(): Record<string, never> {
    return {}
  }

  forward(input: tf.Tensor): tf.Tensor {
    this.checkInput(input)
    return tf.sigmoid(input)
  }
}
