import * as tf from '@tensorflow/tfjs-core'
import type { LayerParams } from '@tensorloom/graph'
import { checkInt, checkNumber, layersError } from './errors'
import { createVariable } from './init'
import { Layer } from './Layer'
import { pyBool, pyFloat, pyTuple } from './pyRepr'

/** Options of {@link LayerNorm}; the defaults are PyTorch's. */
export interface LayerNormOptions {
  /** Added to the variance for numerical stability (default 1e-5). */
  eps?: number
  /** Learn a scale (`weight`, ones) and shift (`bias`, zeros) of `normalizedShape` (default true). */
  elementwiseAffine?: boolean
}

/**
 * Layer normalisation like `torch.nn.LayerNorm`: each sample is normalised over its last
 * `normalizedShape.length` dimensions with its own mean and biased variance (no running
 * statistics, the same in training and eval), then scaled by `weight` and shifted by `bias`.
 * `normalizedShape` is an int (the last dimension) or the list of trailing dimensions.
 *
 * @example new LayerNorm(128).call(tf.zeros([64, 128])).shape       // [64, 128]
 * @example new LayerNorm([16, 7, 7]).call(tf.zeros([8, 16, 7, 7])) // normalises each image
 */
export class LayerNorm extends Layer<'LayerNorm'> {
  static readonly displayName = 'LayerNorm'
  /** The trailing dimensions normalised over. */
  readonly normalizedShape: readonly number[]
  /** Added to the variance for numerical stability. */
  readonly eps: number
  /** Whether `weight` and `bias` are learned. */
  readonly elementwiseAffine: boolean
  /** Learnable scale of shape `normalizedShape` (ones at first), or null. */
  weight: tf.Variable | null
  /** Learnable shift of shape `normalizedShape` (zeros at first), or null. */
  bias: tf.Variable | null

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super()
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape]
    if (!Array.isArray(shape) || shape.length === 0) {
      throw layersError('LAYERNORM_SHAPE', { normalizedShape })
    }
    for (const d of shape) checkInt('LayerNorm', 'normalized_shape', d, 1)
    this.normalizedShape = Object.freeze(shape)
    this.eps = checkNumber('LayerNorm', 'eps', options.eps ?? 1e-5, 0, 1)
    this.elementwiseAffine = options.elementwiseAffine ?? true
    const size = shape.reduce((a, b) => a * b, 1)
    this.weight = this.elementwiseAffine
      ? createVariable(new Float32Array(size).fill(1), shape)
      : null
    this.bias = this.elementwiseAffine ? createVariable(new Float32Array(size), shape) : null
  }

  get layerType(): 'LayerNorm' {
    return 'LayerNorm'
  }

  get params(): LayerParams['LayerNorm'] {
    return { normalizedShape: [...this.normalizedShape], eps: this.eps }
  }

  forward(input: tf.Tensor): tf.Tensor {
    this.checkInput(input)
    const axes = this.normalizedShape.map((_, i) => input.rank - this.normalizedShape.length + i)
    const { mean, variance } = tf.moments(input, axes, true)
    let y = tf.mul(tf.sub(input, mean), tf.rsqrt(tf.add(variance, this.eps)))
    if (this.weight) y = tf.mul(y, this.weight)
    if (this.bias) y = tf.add(y, this.bias)
    return y
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`
  }
}
