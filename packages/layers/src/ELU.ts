import * as tf from '@tensorflow/tfjs-core'
import type { LayerParams } from '@tensorloom/graph'
import { checkNumber } from './errors'
import { Layer } from './Layer'
import { pyFloat } from './pyRepr'

/**
 * `x` for positive values and `alpha * (exp(x) - 1)` otherwise, element-wise, like
 * `torch.nn.ELU` (default alpha 1.0; the gradient at 0 is alpha, as in PyTorch).
 *
 * @example new ELU().call(tf.tensor1d([-1, 2])) // [-0.632, 2]
 */
export class ELU extends Layer<'ELU'> {
  static readonly displayName = 'ELU'
  /** The value negative inputs approach is `-alpha`. */
  readonly alpha: number

  constructor(alpha = 1) {
    super()
    this.alpha = checkNumber('ELU', 'alpha', alpha, 0, 10)
  }

  get layerType(): 'ELU' {
    return 'ELU'
  }

  get params(): LayerParams['ELU'] {
    return { alpha: this.alpha }
  }

  forward(input: tf.Tensor): tf.Tensor {
    this.checkInput(input)
    if (this.alpha === 1) return tf.elu(input)
    // relu(x) + alpha * min(elu(x), 0): x above 0, alpha * (exp(x) - 1) below, and PyTorch's
    // gradient alpha at 0, with kernels whose gradients tfjs-core registers (no comparison).
    return tf.add(tf.relu(input), tf.mul(tf.minimum(tf.elu(input), 0), this.alpha))
  }

  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`
  }
}
