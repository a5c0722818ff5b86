import * as tf from '@tensorflow/tfjs-core'
import type { LayerParams } from '@tensorloom/graph'
import { layersError } from './errors'
import { type Generator, resolveGenerator } from './Generator'
import { Layer } from './Layer'
import { pyFloat } from './pyRepr'

/** Options of {@link Dropout}. */
export interface DropoutOptions {
  /** Seed of a generator owned by this layer; default: draw from the default generator. */
  seed?: number
  /** Generator to draw masks from (takes precedence over `seed`). */
  generator?: Generator
}

/** `p` as dropout layers take it: a number from 0 to 1 (else `DROPOUT_PROBABILITY`). */
export function checkDropoutP(p: unknown): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw layersError('DROPOUT_PROBABILITY', { p })
  return p
}

/**
 * `count` mask values for dropout with probability `p` (0 < p < 1): `1/(1-p)` where kept, 0 where
 * dropped, drawn from `generator` as PyTorch's `bernoulli_` draws them.
 */
export function dropoutMask(generator: Generator, p: number, count: number): Float32Array {
  const keep = 1 - p
  const scale = Math.fround(1 / Math.fround(keep))
  const mask = generator.fillBernoulli(new Float32Array(count), keep)
  for (let i = 0; i < mask.length; i++) mask[i] = mask[i] === 1 ? scale : 0
  return mask
}

/**
 * In training mode zeroes each element with probability `p` and scales the rest by `1/(1-p)`; in
 * eval mode passes the input through, like `torch.nn.Dropout`. Masks are drawn from a
 * {@link Generator} exactly as PyTorch's CPU `bernoulli_` draws them (builds without MKL), so after
 * the same `manualSeed` the masks are PyTorch's.
 */
export class Dropout extends Layer<'Dropout'> {
  static readonly displayName = 'Dropout'
  /** Probability of zeroing an element. */
  readonly p: number
  /** The generator masks are drawn from. */
  readonly generator: Generator

  constructor(p = 0.5, options: DropoutOptions = {}) {
    super()
    this.p = checkDropoutP(p)
    this.generator = resolveGenerator(options)
  }

  get layerType(): 'Dropout' {
    return 'Dropout'
  }

  get params(): LayerParams['Dropout'] {
    return { p: this.p }
  }

  forward(input: tf.Tensor): tf.Tensor {
    this.checkInput(input)
    if (!this.training || this.p === 0 || input.size === 0) return tf.clone(input)
    if (this.p === 1) return tf.mul(input, tf.scalar(0, input.dtype))
    const mask = dropoutMask(this.generator, this.p, input.size)
    return tf.mul(input, tf.tensor(mask, input.shape, 'float32'))
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`
  }
}
