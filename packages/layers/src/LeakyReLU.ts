import * as tf from '@tensorflow/tfjs-core'
import type { LayerParams } from '@tensorloom/graph'
import { checkNumber } from './errors'
import { Layer } from './Layer'
import { pyFloat } from './pyRepr'

/**
 * `x` for positive values and `negativeSlope * x` otherwise, element-wise, like
 * `torch.nn.LeakyReLU` (default slope 0.01; the gradient at 0 is the slope, as in PyTorch).
 *
 * @example new LeakyReLU(0.2).call(tf.tensor1d([-1, 2])) // [-0.2, 2]
 */
export class LeakyReLU extends Layer<'LeakyReLU'> {
  static readonly displayName = 'LeakyReLU'
  /** Slope for negative inputs (`negative_slope`). */
  readonly negativeSlope: number

  constructor(negativeSlope = 0.01) {
    super()
    this.negativeSlope = checkNumber('LeakyReLU', 'negative_slope', negativeSlope, 0, 1)
  }

  get layerType(): 'LeakyReLU' {
    return 'LeakyReLU'
  }

  get params(): LayerParams['LeakyReLU'] {
    return { negativeSlope: this.negativeSlope }
  }

  forward(input: tf.Tensor): tf.Tensor {
    this.checkInput(input)
    return tf.leakyRelu(input, this.negativeSlope)
  }

  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}`
  }
}
