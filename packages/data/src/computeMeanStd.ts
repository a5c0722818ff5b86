import * as tf from '@tensorflow/tfjs-core'
import { DataLoader } from './DataLoader.js'
import type { Dataset } from './Dataset.js'
import { checkKnownOptions, OptionError, TransformError } from './errors.js'
import { describeValue } from './transforms/Transform.js'

/** Options of {@link computeMeanStd}. */
export interface ComputeMeanStdOptions {
  /** Samples reduced per step on the device (default 1000). */
  batchSize?: number
}

/** Per-channel statistics of a dataset's images. */
export interface MeanStd {
  /** Mean of every pixel value, per channel. */
  readonly mean: number[]
  /** Standard deviation of every pixel value, per channel (unbiased, like `tensor.std()`). */
  readonly std: number[]
}

/**
 * The per-channel mean and standard deviation of every pixel of every image in `dataset`, after its
 * transform: the numbers `Normalize` needs. For MNIST with `ToTensor` this is where 0.1307 and
 * 0.3081 come from (`train.data.float().div(255).mean()` / `.std()` in PyTorch).
 *
 * Images must come out as `[C, H, W]` (e.g. after `ToTensor`) or single-channel `[H, W]`. Each image
 * row is summed on the device; the rest is accumulated in float64.
 *
 * @example
 * const train = await MNIST.load({ root: './data', transform: new ToTensor() })
 * await computeMeanStd(train) // { mean: [0.1307...], std: [0.3081...] }
 */
export async function computeMeanStd(
  dataset: Dataset<readonly [unknown, unknown]>,
  options: ComputeMeanStdOptions = {},
): Promise<MeanStd> {
  checkKnownOptions('computeMeanStd', options, ['batchSize'])
  const batchSize = options.batchSize ?? 1000
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new OptionError('INVALID_OPTION', {
      owner: 'computeMeanStd',
      option: 'batchSize',
      value: batchSize,
      expected: 'a positive integer',
    })
  }
  const loader = new DataLoader(dataset, { batchSize })
  let sums: Float64Array | undefined
  let squares: Float64Array | undefined
  let count = 0
  for await (const batch of loader) {
    const [images] = batch
    try {
      if (images.rank !== 3 && images.rank !== 4) {
        throw new TransformError('TRANSFORM_BAD_INPUT', {
          transform: 'computeMeanStd',
          expected: 'images of shape [C, H, W] or [H, W] (use ToTensor)',
          actual: `a batch ${describeValue(images)}`,
        })
      }
      // Sum each image row on the device (28 values for MNIST: float32 stays exact enough) and
      // the rest in float64 here; summing whole images in float32 drifts by ~1e-6 in the mean.
      const [rowSums, rowSquares] = tf.tidy(() => {
        const x = tf.cast(images.rank === 3 ? tf.expandDims(images, 1) : images, 'float32')
        return [tf.sum(x, 3), tf.sum(tf.square(x), 3)]
      })
      const s = await rowSums.data()
      const q = await rowSquares.data()
      const [, channels, rows] = rowSums.shape as [number, number, number]
      tf.dispose([rowSums, rowSquares])
      sums ??= new Float64Array(channels)
      squares ??= new Float64Array(channels)
      for (let i = 0; i < s.length; i++) {
        const c = Math.floor(i / rows) % channels
        sums[c] = sums[c]! + s[i]!
        squares[c] = squares[c]! + q[i]!
      }
      count += images.shape[0]! * images.shape[images.rank - 2]! * images.shape[images.rank - 1]!
    } finally {
      tf.dispose(batch)
    }
  }
  if (!sums || !squares || count === 0) return { mean: [], std: [] }
  const n = count
  const mean = Array.from(sums, (s) => s / n)
  const std = Array.from(squares, (q, c) =>
    Math.sqrt(Math.max(0, (q - n * mean[c]! ** 2) / Math.max(1, n - 1))),
  )
  return { mean, std }
}
