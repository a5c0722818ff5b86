import * as tf from '@tensorflow/tfjs-core'
import { Layer } from './Layer'

/** `max(0, x)` element-wise, like `torch.nn.ReLU` (gradient 0 at 0, as in PyTorch). */
export class ReLU extends Layer<'ReLU'> {
  static readonly displayName = 'ReLU'

  get layerType(): 'ReLU' {
    return 'ReLU'
  }

  get params(): Record<string, never> {
    return {}
  }

  forward(input: tf.Tensor): tf.Tensor {
    this.checkInput(input)
    return tf.relu(input)
  }
}
