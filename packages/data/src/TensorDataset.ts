import * as tf from '@tensorflow/tfjs-core'
import type { BatchableDataset } from './BatchableDataset.js'
import { DatasetError, OptionError } from './errors.js'
import { isTensor } from './transforms/Transform.js'

/** Options of {@link TensorDataset}. */
export interface TensorDatasetOptions {
  /**
   * Shape of one sample's features (default `[features.length / targets.length]`, one row of a
   * table; e.g. `[2]` for the toy problems, `[1, 8, 8]` for 8x8 images).
   */
  shape?: readonly number[]
  /** Class names, indexed by label (classification). */
  classes?: readonly string[]
}

/** Targets of a {@link TensorDataset}: integer labels (classification) or numbers (regression). */
export type TensorDatasetTargets = Int32Array | Float32Array | readonly number[] | tf.Tensor

/**
 * Samples held as two arrays, like `torch.utils.data.TensorDataset(features, targets)`: row `i` of
 * `features` and `targets[i]`. For tables (`CSVDataset`), the 2-D toy problems (`moons`, ...) and
 * any data already in memory.
 *
 * Integer targets (an `Int32Array`, an int32 tensor, or numbers that are all integers) make it a
 * classification dataset whose labels batch as int32; other targets make it a regression dataset
 * whose targets batch as float32. The arrays are copied from tensors once (the dataset never owns
 * or disposes a tensor you pass).
 *
 * `get(i)` returns `[features, target]` with `features` a new float32 tensor of `shape` (yours to
 * dispose). `DataLoader` batches it without per-sample work: each batch is two tensors built from
 * the rows at once (`getBatch`, the loader's `'dataset'` path).
 *
 * @example
 * const xs = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1])
 * const dataset = new TensorDataset(xs, new Int32Array([0, 1, 1, 0]), { shape: [2] })
 * dataset.length // 4
 */
export class TensorDataset implements BatchableDataset<[tf.Tensor, number]> {
  /** All features, row-major, `length x shape`. */
  readonly features: Float32Array
  /** One target per sample: `Int32Array` (classification) or `Float32Array` (regression). */
  readonly targets: Int32Array | Float32Array
  /** Shape of one sample's features. */
  readonly shape: readonly number[]
  /** `'classification'` for integer targets, `'regression'` otherwise. */
  readonly task: 'classification' | 'regression'
  /** Class names, when given. */
  readonly classes: readonly string[] | undefined
  private readonly size: number

  constructor(
    features: Float32Array | tf.Tensor | readonly (readonly number[])[],
    targets: TensorDatasetTargets,
    options: TensorDatasetOptions = {},
  ) {
    const bad = (option: string, value: unknown, expected: string): never => {
      throw new OptionError('INVALID_OPTION', { owner: 'TensorDataset', option, value, expected })
    }
    this.targets = toTargets(targets, bad)
    this.features = toFeatures(features, bad)
    const n = this.targets.length
    const defaultShape = isTensor(features)
      ? features.shape.slice(1)
      : [n === 0 ? 0 : this.features.length / n]
    const shape = options.shape ?? defaultShape
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      bad('shape', shape, 'an array of non-negative integers, e.g. [2]')
    }
    this.size = shape.reduce((a, b) => a * b, 1)
    if (this.features.length !== n * this.size) {
      throw new DatasetError('DATASET_COUNT_MISMATCH', {
        dataset: 'TensorDataset',
        imagesFile: `features (${this.features.length} values of shape [${shape.join(', ')}])`,
        labelsFile: 'targets',
        images: this.size === 0 ? 0 : this.features.length / this.size,
        labels: n,
      })
    }
    this.shape = [...shape]
    this.task = this.targets instanceof Int32Array ? 'classification' : 'regression'
    this.classes = options.classes ? [...options.classes] : undefined
  }

  /** Number of samples. */
  get length(): number {
    return this.targets.length
  }

  /**
   * `[features, target]` of sample `index`: a new float32 tensor of {@link TensorDataset.shape}
   * (dispose it) and a number.
   * @throws {DatasetError} `INDEX_OUT_OF_RANGE`.
   */
  get(index: number): [tf.Tensor, number] {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new DatasetError('INDEX_OUT_OF_RANGE', { index, length: this.length })
    }
    const row = this.features.slice(index * this.size, (index + 1) * this.size)
    return [tf.tensor(row, [...this.shape], 'float32'), this.targets[index]!]
  }

  /** The samples at `indices`, stacked: float32 `[B, ...shape]` and int32 or float32 `[B]`. */
  getBatch(indices: Int32Array): [tf.Tensor, tf.Tensor] {
    const size = this.size
    const xs = new Float32Array(indices.length * size)
    const ys =
      this.task === 'classification'
        ? new Int32Array(indices.length)
        : new Float32Array(indices.length)
    for (let b = 0; b < indices.length; b++) {
      const i = indices[b]!
      if (!(i >= 0 && i < this.length)) {
        throw new DatasetError('INDEX_OUT_OF_RANGE', { index: i, length: this.length })
      }
      xs.set(this.features.subarray(i * size, (i + 1) * size), b * size)
      ys[b] = this.targets[i]!
    }
    return [
      tf.tensor(xs, [indices.length, ...this.shape], 'float32'),
      tf.tensor1d(ys, this.task === 'classification' ? 'int32' : 'float32'),
    ]
  }

  toString(): string {
    return `TensorDataset(length=${this.length}, shape=[${this.shape.join(', ')}], task=${this.task})`
  }
}

function toFeatures(
  features: Float32Array | tf.Tensor | readonly (readonly number[])[],
  bad: (option: string, value: unknown, expected: string) => never,
): Float32Array {
  if (features instanceof Float32Array) return features
  if (isTensor(features)) return Float32Array.from(features.dataSync())
  if (Array.isArray(features) && features.every((r) => Array.isArray(r))) {
    const rows = features as readonly (readonly number[])[]
    const width = rows[0]?.length ?? 0
    const out = new Float32Array(rows.length * width)
    rows.forEach((row, i) => {
      if (row.length !== width)
        bad(
          'features',
          features,
          `rows of equal length (row ${i} has ${row.length}, row 0 has ${width})`,
        )
      out.set(row, i * width)
    })
    return out
  }
  return bad('features', features, 'a Float32Array, a tensor, or an array of rows')
}

function toTargets(
  targets: TensorDatasetTargets,
  bad: (option: string, value: unknown, expected: string) => never,
): Int32Array | Float32Array {
  if (targets instanceof Int32Array || targets instanceof Float32Array) return targets
  if (isTensor(targets)) {
    if (targets.rank !== 1) bad('targets', targets, 'a 1-D tensor')
    return targets.dtype === 'int32'
      ? Int32Array.from(targets.dataSync())
      : Float32Array.from(targets.dataSync())
  }
  if (Array.isArray(targets) && targets.every((t) => typeof t === 'number')) {
    return targets.every((t) => Number.isInteger(t))
      ? Int32Array.from(targets)
      : Float32Array.from(targets)
  }
  return bad(
    'targets',
    targets,
    'an Int32Array (labels), a Float32Array (values), a 1-D tensor or numbers',
  )
}
