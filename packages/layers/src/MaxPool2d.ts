import * as tf from '@tensorflow/tfjs-core'
import type { LayerParams } from '@tensorloom/graph'
import { checkInt } from './errors'
import { Layer } from './Layer'

/**
 * 2-D max pooling over `[N, C, H, W]` (or `[C, H, W]`) input, like `torch.nn.MaxPool2d` with
 * `padding=0`, `dilation=1`, `ceil_mode=False`. `stride` defaults to `kernelSize`.
 *
 * @example new MaxPool2d(2).call(tf.zeros([64, 32, 26, 26])).shape // [64, 32, 13, 13]
 */
export class MaxPool2d extends Layer<'MaxPool2d'> {
  static readonly displayName = 'MaxPool2d'
  /** Side of the square window (`kernel_size`). */
  readonly kernelSize: number
  /** Step of the window; equals `kernelSize` unless given. */
  readonly stride: number
  private readonly strideGiven: boolean

  constructor(kernelSize: number, options: { stride?: number | null } = {}) {
    super()
    this.kernelSize = checkInt('MaxPool2d', 'kernel_size', kernelSize, 1)
    const stride = options.stride ?? null
    this.strideGiven = stride !== null
    this.stride = stride === null ? kernelSize : checkInt('MaxPool2d', 'stride', stride, 1)
  }

  get layerType(): 'MaxPool2d' {
    return 'MaxPool2d'
  }

  get params(): LayerParams['MaxPool2d'] {
    return { kernelSize: this.kernelSize, stride: this.strideGiven ? this.stride : null }
  }

  forward(input: tf.Tensor): tf.Tensor {
    this.checkInput(input)
    const batched = (input.rank === 3 ? tf.expandDims(input, 0) : input) as tf.Tensor4D
    const nhwc = tf.transpose(batched, [0, 2, 3, 1])
    const k = this.kernelSize
    const pooled = tf.maxPool(nhwc, [k, k], [this.stride, this.stride], 'valid')
    const nchw = tf.transpose(pooled, [0, 3, 1, 2])
    return input.rank === 3 ? tf.squeeze(nchw, [0]) : nchw
  }

  override extraRepr(): string {
    return `kernel_size=${this.kernelSize}, stride=${this.stride}, padding=0, dilation=1, ceil_mode=False`
  }
}
