import * as tf from '@tensorflow/tfjs-core'
import { OptionError, TransformError } from '../errors.js'
import { describeValue, isTensor, type Transform } from './Transform.js'

/**
 * Normalizes a float image tensor channel by channel: `output[c] = (input[c] - mean[c]) / std[c]`,
 * like `torchvision.transforms.Normalize`. Takes `[C, H, W]` (or `[..., C, H, W]`); its batched form
 * takes `[B, C, H, W]`. One `mean`/`std` value applies to every channel.
 *
 * @throws {TransformError} `NORMALIZE_STD_ZERO` when a std is 0, `NORMALIZE_LENGTH_MISMATCH` when
 *   mean and std differ in length; `CHANNEL_MISMATCH` (on apply) when the image has another number
 *   of channels; `TRANSFORM_BAD_INPUT` for a non-float or too-small tensor (put `ToTensor` first).
 *
 * @example
 * const transform = new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])])
 */
export class Normalize implements Transform<tf.Tensor, tf.Tensor> {
  /** Per-channel means. */
  readonly mean: readonly number[]
  /** Per-channel standard deviations. */
  readonly std: readonly number[]

  constructor(mean: readonly number[], std: readonly number[]) {
    for (const [option, values] of [
      ['mean', mean],
      ['std', std],
    ] as const) {
      if (
        !Array.isArray(values) ||
        values.length === 0 ||
        !values.every((v) => typeof v === 'number' && Number.isFinite(v))
      ) {
        throw new OptionError('INVALID_OPTION', {
          owner: 'Normalize',
          option,
          value: values,
          expected: 'a non-empty array of finite numbers, one per channel',
        })
      }
    }
    if (mean.length !== std.length) {
      throw new TransformError('NORMALIZE_LENGTH_MISMATCH', { mean, std })
    }
    const zero = std.findIndex((s) => Math.fround(s) === 0)
    if (zero !== -1) throw new TransformError('NORMALIZE_STD_ZERO', { std, channel: zero })
    this.mean = [...mean]
    this.std = [...std]
  }

  /** Normalizes one `[C, H, W]` (or `[..., C, H, W]`) float tensor into a new tensor. */
  apply(input: tf.Tensor): tf.Tensor {
    return this.normalize(input, 3, '[C, H, W]')
  }

  /** Normalizes a `[B, C, H, W]` float batch into a new tensor. */
  applyBatch(batch: tf.Tensor): tf.Tensor {
    return this.normalize(batch, 4, '[B, C, H, W]')
  }

  toString(): string {
    return `Normalize(mean=[${this.mean.join(', ')}], std=[${this.std.join(', ')}])`
  }

  private normalize(input: tf.Tensor, minRank: number, layout: string): tf.Tensor {
    if (!isTensor(input) || input.rank < minRank || input.dtype !== 'float32') {
      throw new TransformError('TRANSFORM_BAD_INPUT', {
        transform: 'Normalize',
        expected: `a float32 ${layout} tensor`,
        actual: describeValue(input),
      })
    }
    const channels = input.shape[input.rank - 3]!
    const n = this.mean.length
    if (n !== 1 && n !== channels) {
      throw new TransformError('CHANNEL_MISMATCH', {
        transform: 'Normalize',
        shape: input.shape,
        channels,
        expected: n,
      })
    }
    return tf.tidy(() => {
      if (n === 1) return tf.div(tf.sub(input, this.mean[0]!), this.std[0]!)
      const mean = tf.tensor3d(this.mean as number[], [n, 1, 1], 'float32')
      const std = tf.tensor3d(this.std as number[], [n, 1, 1], 'float32')
      return tf.div(tf.sub(input, mean), std)
    })
  }
}
