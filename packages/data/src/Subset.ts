import * as tf from '@tensorflow/tfjs-core'
import { createGenerator, type RandomSource, randperm } from '@tensorloom/random'
import { type BatchableDataset, isBatchable } from './BatchableDataset.js'
import { type Dataset, isTensorBacked, type TensorBackedDataset } from './Dataset.js'
import { DatasetError, OptionError } from './errors.js'

/**
 * The samples of `dataset` at `indices`, like `torch.utils.data.Subset`: `subset.get(i)` is
 * `dataset.get(indices[i])`. A subset of a dataset that batches itself (a `TensorDataset`) or of a
 * tensor-backed one (MNIST, CIFAR10, an ImageFolder of one image size) whose transforms have batched
 * forms batches the same way, so `DataLoader` keeps its fast path.
 *
 * @example
 * const firstThousand = new Subset(train, Array.from({ length: 1000 }, (_, i) => i))
 */
export class Subset<TSample> implements Dataset<TSample> {
  /** The dataset the samples come from. */
  readonly dataset: Dataset<TSample>
  /** Indices into `dataset`, in order. */
  readonly indices: Int32Array
  /** Present when the samples can be stacked in one go (see {@link BatchableDataset}). */
  readonly getBatch?: (indices: Int32Array) => [tf.Tensor, tf.Tensor]

  constructor(dataset: Dataset<TSample>, indices: Int32Array | readonly number[]) {
    const idx = Int32Array.from(indices as ArrayLike<number>)
    for (let k = 0; k < idx.length; k++) {
      const i = (indices as ArrayLike<number>)[k]!
      if (!Number.isInteger(i) || i < 0 || i >= dataset.length) {
        throw new DatasetError('INDEX_OUT_OF_RANGE', { index: i, length: dataset.length })
      }
    }
    this.dataset = dataset
    this.indices = idx
    const map = (batch: Int32Array) => {
      const out = new Int32Array(batch.length)
      for (let b = 0; b < batch.length; b++) {
        const i = batch[b]!
        if (!(i >= 0 && i < idx.length)) {
          throw new DatasetError('INDEX_OUT_OF_RANGE', { index: i, length: idx.length })
        }
        out[b] = idx[i]!
      }
      return out
    }
    if (isBatchable(dataset)) {
      const base = dataset as BatchableDataset
      this.getBatch = (batch) => base.getBatch(map(batch))
    } else if (isTensorBacked(dataset) && hasBatchedTransforms(dataset)) {
      this.getBatch = (batch) => gatherTensorBacked(dataset, map(batch))
    }
  }

  /** Number of samples. */
  get length(): number {
    return this.indices.length
  }

  /** `dataset.get(indices[index])`. @throws {DatasetError} `INDEX_OUT_OF_RANGE`. */
  get(index: number): TSample {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new DatasetError('INDEX_OUT_OF_RANGE', { index, length: this.length })
    }
    return this.dataset.get(this.indices[index]!)
  }
}

function hasBatchedTransforms(dataset: TensorBackedDataset): boolean {
  const ok = (t: { applyBatch?: unknown } | undefined) =>
    t === undefined || typeof t.applyBatch === 'function'
  return ok(dataset.transform) && ok(dataset.targetTransform)
}

/** Copies the rows at `indices` and transforms them as a batch (DataLoader's host path). */
function gatherTensorBacked(
  dataset: TensorBackedDataset,
  indices: Int32Array,
): [tf.Tensor, tf.Tensor] {
  const sampleShape = dataset.shape.slice(1)
  const size = sampleShape.reduce((a, b) => a * b, 1)
  const pixels = new Int32Array(indices.length * size)
  const labels = new Int32Array(indices.length)
  for (let b = 0; b < indices.length; b++) {
    const i = indices[b]!
    pixels.set(dataset.data.subarray(i * size, (i + 1) * size), b * size)
    labels[b] = dataset.targets[i]!
  }
  return tf.tidy(() => {
    const images = tf.tensor(pixels, [indices.length, ...sampleShape], 'int32')
    const targets = tf.tensor1d(labels, 'int32')
    return [
      dataset.transform?.applyBatch ? dataset.transform.applyBatch(images) : images,
      dataset.targetTransform?.applyBatch ? dataset.targetTransform.applyBatch(targets) : targets,
    ]
  })
}

/**
 * Splits `dataset` at random into non-overlapping {@link Subset}s of the given lengths, exactly like
 * PyTorch 1.13's `torch.utils.data.random_split(dataset, lengths, generator)`: with a
 * `Generator` seeded like `torch.Generator().manual_seed(seed)` the subsets hold the same indices.
 *
 * `lengths` are sample counts that add up to `dataset.length`, or fractions that add up to 1: each
 * split then gets `floor(length * fraction)` samples and the remainder is handed out one by one,
 * round-robin from the first split (so `[0.8, 0.2]` of 1001 samples gives 801 and 200).
 * `generator` is a `Generator` (or any `RandomSource`) or a seed; without one a random seed is drawn.
 *
 * @throws {OptionError} `INVALID_OPTION` when a fraction is outside [0, 1] or the lengths do not add
 *   up to the dataset's length.
 *
 * @example
 * const [trainSet, valSet] = randomSplit(dataset, [0.8, 0.2], createGenerator(42))
 */
export function randomSplit<TSample, const L extends readonly number[]>(
  dataset: Dataset<TSample>,
  lengths: L,
  generator?: RandomSource | number | bigint,
): { -readonly [K in keyof L]: Subset<TSample> } {
  const n = dataset.length
  const counts = splitLengths(n, lengths)
  const source =
    generator === undefined || typeof generator === 'number' || typeof generator === 'bigint'
      ? createGenerator(generator)
      : generator
  const order = randperm(n, source)
  const out: Subset<TSample>[] = []
  let offset = 0
  for (const count of counts) {
    out.push(new Subset(dataset, order.subarray(offset, offset + count)))
    offset += count
  }
  return out as { -readonly [K in keyof L]: Subset<TSample> }
}

/** `random_split`'s lengths: counts as given, or fractions turned into counts its way. */
export function splitLengths(n: number, lengths: readonly number[]): number[] {
  const fail = (expected: string): never => {
    throw new OptionError('INVALID_OPTION', {
      owner: 'randomSplit',
      option: 'lengths',
      value: lengths,
      expected,
    })
  }
  if (!Array.isArray(lengths) || lengths.length === 0 || !lengths.every(Number.isFinite)) {
    fail('a non-empty array of sample counts or fractions, e.g. [0.8, 0.2]')
  }
  let sum = 0
  for (const l of lengths) sum += l
  // Python's math.isclose(sum, 1) with its default rel_tol=1e-9.
  if (Math.abs(sum - 1) <= 1e-9 * Math.max(Math.abs(sum), 1) && sum <= 1) {
    const counts = lengths.map((fraction, i) => {
      if (fraction < 0 || fraction > 1)
        fail(`fractions between 0 and 1 (index ${i} is ${fraction})`)
      return Math.floor(n * fraction)
    })
    const remainder = n - counts.reduce((a, b) => a + b, 0)
    for (let i = 0; i < remainder; i++) counts[i % counts.length]! += 1
    return counts
  }
  if (!lengths.every((l) => Number.isInteger(l) && l >= 0)) {
    fail('sample counts (non-negative integers) or fractions that add up to 1')
  }
  if (sum !== n) fail(`lengths that add up to the dataset's length, ${n} (they add up to ${sum})`)
  return [...lengths]
}
