import * as tf from '@tensorflow/tfjs-core'
import { createGenerator, type Generator, type RandomSource, randperm } from '@tensorloom/random'
import { type BatchableDataset, isBatchable } from './BatchableDataset.js'
import { type Dataset, isTensorBacked, type RawImage, type TensorBackedDataset } from './Dataset.js'
import { checkKnownOptions, OptionError, TransformError } from './errors.js'
import { MAX_SHUFFLE_LENGTH } from './limits.js'
import { describeValue, isTensor } from './transforms/Transform.js'

/** Options of {@link DataLoader}, named like PyTorch's `DataLoader` arguments. */
export interface DataLoaderOptions<G extends RandomSource = Generator> {
  /** Samples per batch (default 1). */
  batchSize?: number
  /** Draw a new random order of the samples at the start of every epoch (default false). */
  shuffle?: boolean
  /** Skip the last batch when it would be smaller than `batchSize` (default false). */
  dropLast?: boolean
  /** Seed of the shuffle generator; without seed or generator, a random seed is drawn. */
  seed?: number | bigint
  /** Generator to shuffle with (e.g. one you checkpoint); instead of `seed`. */
  generator?: G
  /**
   * For datasets like MNIST whose transforms have batched forms, where to gather each batch's
   * samples: `true` keeps one copy of the whole dataset on the device (uploaded once) and gathers
   * there; `false` gathers rows on the CPU and uploads just the batch. `'auto'` (default) keeps the
   * dataset resident on GPU backends (webgl, webgpu) and gathers on the CPU for the backends that
   * live in CPU memory anyway (cpu, wasm), where copying rows is several times faster than the
   * `gather` kernel (see `pnpm bench`). Either way the transforms run batched on the device.
   *
   * **Memory of the resident copy:** 4 bytes per pixel, as int32 — 188 MB of GPU memory for the
   * 60,000 MNIST training images, 31 MB for the 10,000 test images (plus 4 bytes per label) —
   * until `dataset.dispose()`; uploading it also takes a temporary host copy of that size (two on
   * webgl, which stages it as float32). tfjs has no uint8 tensors, and its WebGL backend keeps
   * int32 tensors in float textures (exact only up to 2^24, or 2^11 with half floats) with no
   * bit-shift ops, so packing pixels four to a value would not be exact on every device. Where GPU
   * memory is tight, `resident: false` uploads each batch instead (200 KB at batch size 64).
   */
  resident?: boolean | 'auto'
}

/** One batch: images (e.g. float32 `[B, 1, 28, 28]` after ToTensor) and labels (int32 `[B]`). */
export type Batch = [images: tf.Tensor, labels: tf.Tensor]

/**
 * How a {@link DataLoader} builds batches: `resident` (gather from one device copy of the dataset
 * and transform the batch on the device), `host` (gather rows on the CPU, upload the batch,
 * transform it on the device), `dataset` (the dataset stacks the batch itself: `getBatch(indices)`,
 * e.g. a `TensorDataset`), or `per-sample` (call `dataset.get` for each index, transform samples one
 * by one, stack).
 */
export type BatchPath = 'resident' | 'host' | 'dataset' | 'per-sample'

const OPTION_NAMES = ['batchSize', 'shuffle', 'dropLast', 'seed', 'generator', 'resident'] as const

function validate(dataset: unknown, options: DataLoaderOptions<RandomSource>): void {
  const owner = 'DataLoader'
  const d = dataset as Partial<Dataset<unknown>> | null
  if (
    d === null ||
    typeof d !== 'object' ||
    typeof d.get !== 'function' ||
    typeof d.length !== 'number' ||
    !Number.isInteger(d.length) ||
    d.length < 0
  ) {
    throw new OptionError('INVALID_OPTION', {
      owner,
      option: 'dataset',
      value: dataset,
      expected: 'a dataset with a length and get(index), e.g. from MNIST.load()',
    })
  }
  if (options === null || typeof options !== 'object') {
    throw new OptionError('INVALID_OPTION', {
      owner,
      option: 'options',
      value: options,
      expected: 'an object such as { batchSize: 64, shuffle: true }',
    })
  }
  checkKnownOptions(owner, options, OPTION_NAMES)
  const fail = (option: string, expected: string): never => {
    throw new OptionError('INVALID_OPTION', {
      owner,
      option,
      value: (options as Record<string, unknown>)[option],
      expected,
    })
  }
  const { batchSize, shuffle, dropLast, seed, generator, resident } = options
  if (
    batchSize !== undefined &&
    (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize <= 0)
  ) {
    fail('batchSize', 'a positive integer')
  }
  if (shuffle !== undefined && typeof shuffle !== 'boolean') fail('shuffle', 'true or false')
  if (shuffle && d.length > MAX_SHUFFLE_LENGTH) {
    throw new OptionError('INVALID_OPTION', {
      owner,
      option: 'shuffle',
      value: shuffle,
      expected: `false for a dataset of ${d.length.toLocaleString('en-US')} samples (at most ${MAX_SHUFFLE_LENGTH.toLocaleString('en-US')} are shuffled: each epoch draws a permutation of all of them at once)`,
    })
  }
  if (dropLast !== undefined && typeof dropLast !== 'boolean') fail('dropLast', 'true or false')
  if (resident !== undefined && typeof resident !== 'boolean' && resident !== 'auto') {
    fail('resident', "true, false or 'auto'")
  }
  if (
    seed !== undefined &&
    typeof seed !== 'bigint' &&
    !(typeof seed === 'number' && Number.isSafeInteger(seed))
  ) {
    fail('seed', 'an integer')
  }
  if (
    generator !== undefined &&
    (generator === null || typeof (generator as RandomSource).nextUint32 !== 'function')
  ) {
    fail('generator', 'a generator (an object with nextUint32(), e.g. createGenerator(42))')
  }
  if (generator !== undefined && seed !== undefined) {
    fail('generator', 'absent when seed is given (pass one of seed or generator)')
  }
}

/**
 * Combines a dataset and batching, like PyTorch's `torch.utils.data.DataLoader`: iterate it with
 * `for await` to get `[images, labels]` batches of tfjs tensors. With `shuffle`, every epoch (every
 * new iteration) uses a fresh random order from the loader's generator; with the same `seed` the
 * orders repeat exactly — and match PyTorch 1.13's `DataLoader(..., shuffle=True,
 * generator=torch.Generator().manual_seed(seed))`.
 *
 * **Who disposes:** every batch is new and belongs to you. Dispose both tensors when done with them
 * (`tf.dispose(batch)`), or device memory fills up. Batches are built one at a time, when asked for,
 * so stopping early leaks nothing. The device copy of a tensor-backed dataset (see `resident`) is
 * owned by the dataset: `dataset.dispose()` frees it.
 *
 * For MNIST-like datasets whose transforms have batched forms (ToTensor, Normalize, Compose of them),
 * there is no per-sample work: each batch is gathered in one go — from a copy of the whole dataset
 * kept on the device (uploaded once; GPU backends; 4 bytes per pixel, 188 MB for MNIST's training
 * set) or by copying rows on the CPU (cpu and wasm backends, where that is faster), see `resident`
 * — and transformed on the device in one op per transform.
 *
 * @throws {OptionError} `INVALID_OPTION` naming the option and value (e.g. `batchSize` 0 or 2.5,
 *   `shuffle` of a dataset longer than `MAX_SHUFFLE_LENGTH`),
 *   `UNKNOWN_OPTION` (e.g. `batch_size`: did you mean batchSize?).
 *
 * @example
 * const trainLoader = new DataLoader(train, { batchSize: 64, shuffle: true, seed: 42 })
 * for await (const [images, labels] of trainLoader) {
 *   // images: float32 [64, 1, 28, 28], labels: int32 [64]
 *   tf.dispose([images, labels])
 * }
 */
export class DataLoader<G extends RandomSource = Generator> implements AsyncIterable<Batch> {
  /** The dataset batches come from. */
  readonly dataset: Dataset<readonly [unknown, unknown]>
  /** Samples per batch. */
  readonly batchSize: number
  /** Whether each epoch draws a new random order. */
  readonly shuffle: boolean
  /** Whether a smaller last batch is skipped. */
  readonly dropLast: boolean
  /**
   * The generator that draws each epoch's order (the one given, or a {@link Generator} from `seed`).
   * Save its state with `getState()` at the end of an epoch to resume the same shuffles later.
   */
  readonly generator: G
  private readonly resident: boolean | 'auto'

  constructor(dataset: Dataset<readonly [unknown, unknown]>, options: DataLoaderOptions<G> = {}) {
    validate(dataset, options as DataLoaderOptions<RandomSource>)
    this.dataset = dataset
    this.batchSize = options.batchSize ?? 1
    this.shuffle = options.shuffle ?? false
    this.dropLast = options.dropLast ?? false
    this.generator = options.generator ?? (createGenerator(options.seed) as unknown as G)
    this.resident = options.resident ?? 'auto'
  }

  /** How batches are built now, on the current tfjs backend (see {@link BatchPath}). */
  get path(): BatchPath {
    return choosePath(this.dataset, this.resident)
  }

  /** Number of batches per epoch: `ceil(length / batchSize)`, or `floor` with `dropLast`. */
  get length(): number {
    const n = this.dataset.length
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize)
  }

  /**
   * The indices of each batch of one epoch. Iterating it draws an epoch's order from the generator,
   * exactly as iterating the loader does (so it advances the shuffle by one epoch).
   */
  get batchSampler(): Iterable<Int32Array> {
    return { [Symbol.iterator]: () => this.epochIndices() }
  }

  /** Yields the batches of one epoch; each call starts a new epoch. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Batch, void, undefined> {
    const path = this.path
    for (const indices of this.epochIndices()) yield this.buildBatch(path, indices)
  }

  private *epochIndices(): IndexBatches {
    const n = this.dataset.length
    let order: Int32Array | undefined
    if (this.shuffle) {
      // PyTorch's DataLoader draws a 64-bit base seed for its workers from the generator before
      // the sampler's randperm; drawing it too keeps the orders identical to PyTorch's.
      this.generator.nextUint32()
      this.generator.nextUint32()
      order = randperm(n, this.generator)
    }
    for (let start = 0; start < n; start += this.batchSize) {
      const end = Math.min(start + this.batchSize, n)
      if (this.dropLast && end - start < this.batchSize) break
      if (order) {
        yield order.slice(start, end)
      } else {
        const indices = new Int32Array(end - start)
        for (let i = 0; i < indices.length; i++) indices[i] = start + i
        yield indices
      }
    }
    // PyTorch 1.13's RandomSampler ends with `randperm(n)[:num_samples % n]`, an empty slice that
    // still draws a permutation once an epoch is read to the end; draw the same numbers.
    if (order) for (let i = 0; i < n - 1; i++) this.generator.nextUint32()
  }

  private buildBatch(path: BatchPath, indices: Int32Array): Batch {
    if (path === 'per-sample') return perSampleBatch(this.dataset, indices)
    if (path === 'dataset') return (this.dataset as BatchableDataset).getBatch(indices)
    const dataset = this.dataset as TensorBackedDataset
    return path === 'resident' ? residentBatch(dataset, indices) : hostBatch(dataset, indices)
  }
}

/** An iterator of index batches (the global `Generator` type; `Generator` here is the RNG). */
type IndexBatches = globalThis.Generator<Int32Array, void, undefined>

/** Backends whose tensors live in GPU memory, where a resident dataset saves an upload per batch. */
const GPU_BACKENDS = new Set(['webgl', 'webgpu'])

function choosePath(dataset: Dataset<unknown>, resident: boolean | 'auto'): BatchPath {
  if (!isTensorBacked(dataset)) return isBatchable(dataset) ? 'dataset' : 'per-sample'
  const batchable = (t: { applyBatch?: unknown } | undefined) =>
    t === undefined || typeof t.applyBatch === 'function'
  if (!batchable(dataset.transform) || !batchable(dataset.targetTransform)) return 'per-sample'
  if (resident === 'auto') return GPU_BACKENDS.has(tf.getBackend()) ? 'resident' : 'host'
  return resident ? 'resident' : 'host'
}

function applyTransforms(
  dataset: TensorBackedDataset,
  images: tf.Tensor,
  labels: tf.Tensor,
): Batch {
  return [
    dataset.transform?.applyBatch ? dataset.transform.applyBatch(images) : images,
    dataset.targetTransform?.applyBatch ? dataset.targetTransform.applyBatch(labels) : labels,
  ]
}

function residentBatch(dataset: TensorBackedDataset, indices: Int32Array): Batch {
  const resident = dataset.toTensors()
  // Always gather, even for consecutive indices: the wasm backend's slice copies the whole source
  // tensor off the heap first, which for a resident dataset costs more than the batch itself.
  return tf.tidy(() => {
    const idx = tf.tensor1d(indices, 'int32')
    return applyTransforms(
      dataset,
      tf.gather(resident.images, idx),
      tf.gather(resident.targets, idx),
    )
  })
}

function hostBatch(dataset: TensorBackedDataset, indices: Int32Array): Batch {
  const sampleShape = dataset.shape.slice(1)
  const size = sampleShape.reduce((a, b) => a * b, 1)
  const pixels = new Int32Array(indices.length * size)
  const labels = new Int32Array(indices.length)
  for (let b = 0; b < indices.length; b++) {
    const i = indices[b]!
    pixels.set(dataset.data.subarray(i * size, (i + 1) * size), b * size)
    labels[b] = dataset.targets[i]!
  }
  return tf.tidy(() =>
    applyTransforms(
      dataset,
      tf.tensor(pixels, [indices.length, ...sampleShape], 'int32'),
      tf.tensor1d(labels, 'int32'),
    ),
  )
}

function perSampleBatch(dataset: Dataset<readonly [unknown, unknown]>, indices: Int32Array): Batch {
  const images: unknown[] = []
  const labels: unknown[] = []
  try {
    for (const i of indices) {
      const [image, label] = dataset.get(i)
      images.push(image)
      labels.push(label)
    }
    const imageBatch = collate(images, 'image', indices)
    try {
      return [imageBatch, collate(labels, 'label', indices)]
    } catch (error) {
      imageBatch.dispose()
      throw error
    }
  } finally {
    for (const value of [...images, ...labels]) if (isTensor(value)) value.dispose()
  }
}

const isRawImage = (v: unknown): v is RawImage =>
  v !== null &&
  typeof v === 'object' &&
  !isTensor(v) &&
  ((v as RawImage).data instanceof Uint8Array ||
    (v as RawImage).data instanceof Uint8ClampedArray) &&
  Array.isArray((v as RawImage).shape)

/** Stacks samples into a batch tensor, like PyTorch's `default_collate`. */
function collate(values: unknown[], what: 'image' | 'label', indices: Int32Array): tf.Tensor {
  const bad = (k: number): never => {
    throw new TransformError('COLLATE_UNSUPPORTED', {
      what,
      index: indices[k]!,
      actual: describeValue(values[k]),
    })
  }
  const first = values[0]
  if (isTensor(first)) {
    values.forEach((v, k) => {
      if (!isTensor(v)) bad(k)
    })
    return tf.stack(values as tf.Tensor[])
  }
  if (typeof first === 'number') {
    values.forEach((v, k) => {
      if (typeof v !== 'number') bad(k)
    })
    const numbers = values as number[]
    return tf.tensor1d(numbers, numbers.every(Number.isInteger) ? 'int32' : 'float32')
  }
  if (isRawImage(first)) {
    const shape = first.shape
    const size = first.data.length
    const out = new Int32Array(values.length * size)
    values.forEach((v, k) => {
      if (!isRawImage(v) || v.data.length !== size || v.shape.join() !== shape.join()) bad(k)
      out.set((v as RawImage).data, k * size)
    })
    return tf.tensor(out, [values.length, ...shape], 'int32')
  }
  return bad(0)
}
