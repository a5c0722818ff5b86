import * as tf from '@tensorflow/tfjs-core'
import type { LayerParams } from '@tensorloom/graph'
import { layersError } from './errors'
import { Layer } from './Layer'

/** GELU's form: the exact erf one, or PyTorch's tanh approximation. */
export type GELUApproximate = 'none' | 'tanh'

/**
 * `x * Φ(x)` element-wise, with Φ the standard normal CDF, like `torch.nn.GELU`:
 * `0.5 * x * (1 + erf(x / √2))`, or with `'tanh'`
 * `0.5 * x * (1 + tanh(√(2/π) * (x + 0.044715 * x³)))`.
 *
 * @example new GELU().call(tf.tensor1d([-1, 0, 1])) // [-0.1587, 0, 0.8413]
 */
export class GELU extends Layer<'GELU'> {
  static readonly displayName = 'GELU'
  /** `'none'` (exact, with erf) or `'tanh'`. */
  readonly approximate: GELUApproximate

  constructor(approximate: GELUApproximate = 'none') {
    super()
    if (approximate !== 'none' && approximate !== 'tanh') {
      throw layersError('GELU_APPROXIMATE', { approximate })
    }
    this.approximate = approximate
  }

  get layerType(): 'GELU' {
    return 'GELU'
  }

  get params(): LayerParams['GELU'] {
    return { approximate: this.approximate }
  }

  forward(input: tf.Tensor): tf.Tensor {
    this.checkInput(input)
    const x = input
    const phi =
      this.approximate === 'tanh'
        ? tf.tanh(
            tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.mul(x, tf.mul(x, x))))),
          )
        : tf.erf(tf.mul(x, Math.SQRT1_2))
    return tf.mul(tf.mul(x, 0.5), tf.add(phi, 1))
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`
  }
}
