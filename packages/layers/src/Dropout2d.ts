import * as tf from '@tensorflow/tfjs-core'
import type { LayerParams } from '@tensorloom/graph'
import { checkDropoutP, type DropoutOptions, dropoutMask } from './Dropout'
import { type Generator, resolveGenerator } from './Generator'
import { Layer } from './Layer'
import { pyFloat } from './pyRepr'

/** Options of {@link Dropout2d}: where its masks come from. */
export type Dropout2dOptions = DropoutOptions

/**
 * In training mode zeroes whole channels with probability `p` and scales the rest by `1/(1-p)`;
 * in eval mode passes the input through, like `torch.nn.Dropout2d`. As PyTorch 1.13 does, it
 * draws one value per `(input[0], input[1])` pair (one per channel of each sample of `[N, C, H,
 * W]`; note that PyTorch reads a 3-D input as `(N, C, L)`), with `bernoulli_` from a
 * {@link Generator}, so after the same `manualSeed` the masks are PyTorch's.
 */
export class Dropout2d extends Layer<'Dropout2d'> {
  static readonly displayName = 'Dropout2d'
  /** Probability of zeroing a channel. */
  readonly p: number
  /** The generator masks are drawn from. */
  readonly generator: Generator

  constructor(p = 0.5, options: Dropout2dOptions = {}) {
    super()
    this.p = checkDropoutP(p)
    this.generator = resolveGenerator(options)
  }

  get layerType(): 'Dropout2d' {
    return 'Dropout2d'
  }

  get params(): LayerParams['Dropout2d'] {
    return { p: this.p }
  }

  forward(input: tf.Tensor): tf.Tensor {
    this.checkInput(input)
    if (!this.training || this.p === 0 || input.size === 0) return tf.clone(input)
    if (this.p === 1) return tf.mul(input, tf.scalar(0, input.dtype))
    const [n = 1, c = 1] = input.shape
    const mask = dropoutMask(this.generator, this.p, n * c)
    const maskShape = input.shape.map((d, i) => (i < 2 ? d : 1))
    return tf.mul(input, tf.tensor(mask, maskShape, 'float32'))
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`
  }
}
