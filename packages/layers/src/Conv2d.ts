import * as tf from '@tensorflow/tfjs-core'
import type { LayerParams } from '@tensorloom/graph'
import { checkInt } from './errors'
import { type Generator, resolveGenerator } from './Generator'
import { createVariable, kaimingUniformBound, uniformValues } from './init'
import { Layer } from './Layer'
import { pyTuple } from './pyRepr'

/** Options of {@link Conv2d}. */
export interface Conv2dOptions {
  /** Step of the kernel (default 1). */
  stride?: number
  /** Zero padding added on every side (default 0). */
  padding?: number
  /** Learn an additive bias per output channel (default true). */
  bias?: boolean
  /** Seed for this layer's initialisation (a fresh generator); default: the default generator. */
  seed?: number
  /** Generator to draw the initial weights from (takes precedence over `seed`). */
  generator?: Generator
}

/**
 * 2-D convolution over `[N, C, H, W]` (or unbatched `[C, H, W]`) input, like `torch.nn.Conv2d` with
 * square kernels, `dilation=1`, `groups=1`. `weight` has PyTorch's `[out, in, k, k]` layout and
 * PyTorch's default init, drawn as PyTorch draws it. (tfjs convolves channels-last, so the layer
 * transposes around the convolution.)
 *
 * @example new Conv2d(1, 32, 3).call(tf.zeros([64, 1, 28, 28])).shape // [64, 32, 26, 26]
 */
export class Conv2d extends Layer<'Conv2d'> {
  static readonly displayName = 'Conv2d'
  /** Channels of the input (`in_channels`). */
  readonly inChannels: number
  /** Channels produced (`out_channels`). */
  readonly outChannels: number
  /** Side of the square kernel (`kernel_size`). */
  readonly kernelSize: number
  /** Step of the kernel. */
  readonly stride: number
  /** Zero padding on every side. */
  readonly padding: number
  /** The learnable kernels, shape `[outChannels, inChannels, kernelSize, kernelSize]`. */
  weight: tf.Variable
  /** The learnable bias, shape `[outChannels]`, or null with `bias: false`. */
  bias: tf.Variable | null

  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number,
    options: Conv2dOptions = {},
  ) {
    super()
    this.inChannels = checkInt('Conv2d', 'in_channels', inChannels, 1)
    this.outChannels = checkInt('Conv2d', 'out_channels', outChannels, 1)
    this.kernelSize = checkInt('Conv2d', 'kernel_size', kernelSize, 1)
    this.stride = checkInt('Conv2d', 'stride', options.stride ?? 1, 1)
    this.padding = checkInt('Conv2d', 'padding', options.padding ?? 0, 0)
    const generator = resolveGenerator(options)
    const shape = [outChannels, inChannels, kernelSize, kernelSize]
    const bound = kaimingUniformBound(shape, { a: Math.sqrt(5) })
    this.weight = createVariable(uniformValues(shape, -bound, bound, generator), shape)
    const biasBound = 1 / Math.sqrt(inChannels * kernelSize * kernelSize)
    this.bias =
      options.bias === false
        ? null
        : createVariable(uniformValues([outChannels], -biasBound, biasBound, generator), [
            outChannels,
          ])
  }

  get layerType(): 'Conv2d' {
    return 'Conv2d'
  }

  get params(): LayerParams['Conv2d'] {
    return {
      inChannels: this.inChannels,
      outChannels: this.outChannels,
      kernelSize: this.kernelSize,
      stride: this.stride,
      padding: this.padding,
      bias: this.bias !== null,
    }
  }

  forward(input: tf.Tensor): tf.Tensor {
    this.checkInput(input)
    const batched = (input.rank === 3 ? tf.expandDims(input, 0) : input) as tf.Tensor4D
    const nhwc = tf.transpose(batched, [0, 2, 3, 1])
    const filter = tf.transpose(this.weight, [2, 3, 1, 0]) as tf.Tensor4D
    let y: tf.Tensor4D = tf.conv2d(nhwc, filter, this.stride, this.padding)
    if (this.bias) y = tf.add(y, this.bias)
    const nchw = tf.transpose(y, [0, 3, 1, 2])
    return input.rank === 3 ? tf.squeeze(nchw, [0]) : nchw
  }

  override extraRepr(): string {
    const k = this.kernelSize
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple([k, k])}, stride=${pyTuple([this.stride, this.stride])}`
    if (this.padding !== 0) s += `, padding=${pyTuple([this.padding, this.padding])}`
    if (this.bias === null) s += ', bias=False'
    return s
  }
}
