import * as tf from '@tensorflow/tfjs-core'
import type { LayerParams } from '@tensorloom/graph'
import { checkInt } from './errors'
import { Layer } from './Layer'

/**
 * `[out, size]` matrix whose row `i` averages PyTorch's adaptive window `i`:
 * `[floor(i * size / out), ceil((i + 1) * size / out))`.
 */
function windowMatrix(size: number, out: number): Float32Array {
  const m = new Float32Array(out * size)
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * size) / out)
    const end = Math.ceil(((i + 1) * size) / out)
    for (let j = start; j < end; j++) m[i * size + j] = 1 / (end - start)
  }
  return m
}

/**
 * Adaptive 2-D average pooling like `torch.nn.AdaptiveAvgPool2d(output_size)` with a square
 * output: any `[N, C, H, W]` (or `[C, H, W]`) becomes `[N, C, S, S]`, each output averaging
 * PyTorch's window `[floor(i·H/S), ceil((i+1)·H/S))` (windows overlap when `H` is not a multiple
 * of `S`). `S = 1` is the global average pool, as in PyTorch a mean over the last two dimensions.
 *
 * @example new AdaptiveAvgPool2d(1).call(tf.zeros([64, 32, 7, 7])).shape // [64, 32, 1, 1]
 */
export class AdaptiveAvgPool2d extends Layer<'AdaptiveAvgPool2d'> {
  static readonly displayName = 'AdaptiveAvgPool2d'
  /** Height and width of the output (`output_size`). */
  readonly outputSize: number

  constructor(outputSize: number) {
    super()
    this.outputSize = checkInt('AdaptiveAvgPool2d', 'output_size', outputSize, 1)
  }

  get layerType(): 'AdaptiveAvgPool2d' {
    return 'AdaptiveAvgPool2d'
  }

  get params(): LayerParams['AdaptiveAvgPool2d'] {
    return { outputSize: this.outputSize }
  }

  forward(input: tf.Tensor): tf.Tensor {
    const outShape = this.checkInput(input)
    const rank = input.rank
    if (this.outputSize === 1) return tf.mean(input, [rank - 2, rank - 1], true)
    const [h, w] = input.shape.slice(rank - 2) as [number, number]
    const s = this.outputSize
    const planes = input.size / (h * w)
    // Separable: average the columns of each window, then its rows (two 2-D matmuls).
    const byCols = tf.matMul(
      tf.reshape(input, [planes * h, w]),
      tf.tensor2d(windowMatrix(w, s), [s, w]),
      false,
      true,
    )
    const rowsLast = tf.reshape(tf.transpose(tf.reshape(byCols, [planes, h, s]), [0, 2, 1]), [
      planes * s,
      h,
    ])
    const byRows = tf.matMul(rowsLast, tf.tensor2d(windowMatrix(h, s), [s, h]), false, true)
    return tf.reshape(tf.transpose(tf.reshape(byRows, [planes, s, s]), [0, 2, 1]), outShape)
  }

  override extraRepr(): string {
    return `output_size=${this.outputSize}`
  }
}
