import * as tf from '@tensorflow/tfjs-core'
import type { LayerParams } from '@tensorloom/graph'
import { checkInt } from './errors'
import { type Generator, resolveGenerator } from './Generator'
import { createVariable, kaimingUniformBound, uniformValues } from './init'
import { Layer } from './Layer'
import { pyBool } from './pyRepr'

const CPU_BACKENDS = new Set(['wasm', 'cpu'])

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean
  /** Seed for this layer's initialisation (a fresh generator); default: the default generator. */
  seed?: number
  /** Generator to draw the initial weights from (takes precedence over `seed`). */
  generator?: Generator
}

/**
 * Applies `y = x Wᵀ + b` to the last dimension, like `torch.nn.Linear`. `weight` has PyTorch's
 * `[outFeatures, inFeatures]` layout, and both tensors start from PyTorch's default init
 * (Kaiming-uniform with a = √5, i.e. U(-1/√in, 1/√in), bias U(-1/√in, 1/√in)) drawn as PyTorch
 * draws them: after `manualSeed(s)` the values equal `torch.manual_seed(s); nn.Linear(in, out)`.
 *
 * @example
 * const fc = new Linear(784, 128)           // fc.weight: [128, 784], fc.bias: [128]
 * fc.call(tf.zeros([64, 784])).shape        // [64, 128]
 */
export class Linear extends Layer<'Linear'> {
  static readonly displayName = 'Linear'
  /** Size of each input sample (`in_features`). */
  readonly inFeatures: number
  /** Size of each output sample (`out_features`). */
  readonly outFeatures: number
  /** The learnable weights, shape `[outFeatures, inFeatures]`. */
  weight: tf.Variable
  /** The learnable bias, shape `[outFeatures]`, or null with `bias: false`. */
  bias: tf.Variable | null

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super()
    this.inFeatures = checkInt('Linear', 'in_features', inFeatures, 1)
    this.outFeatures = checkInt('Linear', 'out_features', outFeatures, 1)
    const generator = resolveGenerator(options)
    const shape = [outFeatures, inFeatures]
    const bound = kaimingUniformBound(shape, { a: Math.sqrt(5) })
    this.weight = createVariable(uniformValues(shape, -bound, bound, generator), shape)
    const biasBound = 1 / Math.sqrt(inFeatures)
    this.bias =
      options.bias === false
        ? null
        : createVariable(uniformValues([outFeatures], -biasBound, biasBound, generator), [
            outFeatures,
          ])
  }

  get layerType(): 'Linear' {
    return 'Linear'
  }

  get params(): LayerParams['Linear'] {
    return { inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== null }
  }

  forward(input: tf.Tensor): tf.Tensor {
    const outShape = this.checkInput(input)
    const flat = input.rank === 2 ? input : tf.reshape(input, [-1, this.inFeatures])
    // tfjs-wasm's matMul with transposeB takes a slow path (~10x on the lesson's shapes), so CPU-side
    // backends get an explicit transpose; GPU backends fold the flag into the shader for free.
    let y = CPU_BACKENDS.has(tf.getBackend())
      ? tf.matMul(flat, tf.transpose(this.weight))
      : tf.matMul(flat, this.weight, false, true)
    if (this.bias) y = tf.add(y, this.bias)
    return input.rank === 2 ? y : tf.reshape(y, outShape)
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`
  }
}
