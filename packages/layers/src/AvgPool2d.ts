import * as tf from '@tensorflow/tfjs-core'
import type { LayerParams } from '@tensorloom/graph'
import { checkInt } from './errors'
import { Layer } from './Layer'

/** Options of {@link AvgPool2d}. */
export interface AvgPool2dOptions {
  /** Step of the window; null or absent means `kernelSize` (PyTorch's `stride=None`). */
  stride?: number | null
  /** Zeros added to each side, at most half the kernel (default 0). */
  padding?: number
}

/**
 * 2-D average pooling over `[N, C, H, W]` (or `[C, H, W]`) input, like `torch.nn.AvgPool2d` with
 * `ceil_mode=False` and `count_include_pad=True`: padded zeros count in each window's mean, so
 * every window divides by `kernelSize²`.
 *
 * @example new AvgPool2d(2).call(tf.zeros([64, 32, 26, 26])).shape // [64, 32, 13, 13]
 */
export class AvgPool2d extends Layer<'AvgPool2d'> {
  static readonly displayName = 'AvgPool2d'
  /** Side of the square window (`kernel_size`). */
  readonly kernelSize: number
  /** Step of the window; equals `kernelSize` unless given. */
  readonly stride: number
  /** Zeros added to each side. */
  readonly padding: number
  private readonly strideGiven: boolean

  constructor(kernelSize: number, options: AvgPool2dOptions = {}) {
    super()
    this.kernelSize = checkInt('AvgPool2d', 'kernel_size', kernelSize, 1)
    const stride = options.stride ?? null
    this.strideGiven = stride !== null
    this.stride = stride === null ? kernelSize : checkInt('AvgPool2d', 'stride', stride, 1)
    this.padding = checkInt('AvgPool2d', 'padding', options.padding ?? 0, 0)
  }

  get layerType(): 'AvgPool2d' {
    return 'AvgPool2d'
  }

  get params(): LayerParams['AvgPool2d'] {
    return {
      kernelSize: this.kernelSize,
      stride: this.strideGiven ? this.stride : null,
      padding: this.padding,
    }
  }

  forward(input: tf.Tensor): tf.Tensor {
    this.checkInput(input)
    const batched = (input.rank === 3 ? tf.expandDims(input, 0) : input) as tf.Tensor4D
    let nhwc = tf.transpose(batched, [0, 2, 3, 1])
    const p = this.padding
    if (p > 0) {
      // Zeros padded explicitly: tfjs's own padding leaves them out of the mean.
      nhwc = tf.pad(nhwc, [
        [0, 0],
        [p, p],
        [p, p],
        [0, 0],
      ])
    }
    const k = this.kernelSize
    const pooled = tf.avgPool(nhwc, [k, k], [this.stride, this.stride], 'valid')
    const nchw = tf.transpose(pooled, [0, 3, 1, 2])
    return input.rank === 3 ? tf.squeeze(nchw, [0]) : nchw
  }

  override extraRepr(): string {
    return `kernel_size=${this.kernelSize}, stride=${this.stride}, padding=${this.padding}`
  }
}
