import * as tf from '@tensorflow/tfjs-core'
import { isTensorBacked, type TensorBackedDataset } from '@tensorloom/data'
import type { Unsupported } from './plan'
import { TexelWriter } from './webglRows'

/** What the fast path needs of a training loader: a `DataLoader` over an MNIST-like dataset. */
export interface IndexedLoader {
  readonly length: number
  readonly dataset: unknown
  /** Each iteration draws one epoch's batches of indices, exactly as iterating the loader does. */
  readonly batchSampler: Iterable<Int32Array>
}

/** The whole training set, transformed once and kept on the device as one `[N, D]` matrix. */
export interface ResidentData {
  /**
   * Transformed samples, flattened: float32 `[N, D]` on the device (null: kept on the host), or,
   * with `texels`, the WebGL texel layout of webglRows.ts.
   */
  x: tf.Tensor2D | null
  /** Whether `x` is in the WebGL texel layout (only the row matmuls can read it). */
  texels: boolean
  /** The same on the host, when batches are built there. */
  host: Float32Array | null
  /** Features per sample (`D`). */
  features: number
  /** Class labels, on the host (a batch's labels are a few bytes; they travel as kernel attributes). */
  labels: Int32Array
  /** Shape of one transformed sample, e.g. `[1, 28, 28]`. */
  sampleShape: number[]
  /** Number of classes (largest label + 1). */
  numClasses: number
}

/** Whether `loader` is a `DataLoader` whose batches the fast path can build itself. */
export function checkLoader(loader: unknown): IndexedLoader | Unsupported {
  const l = loader as Partial<IndexedLoader> | null
  if (!l || typeof l !== 'object' || !l.batchSampler || !l.dataset) {
    return { reason: 'the training loader is not a DataLoader from @tensorloom/data' }
  }
  const dataset = l.dataset as object
  if (!isTensorBacked(dataset)) {
    return { reason: 'the training dataset does not keep its samples in one array (as MNIST does)' }
  }
  if (dataset.targetTransform !== undefined) {
    return { reason: 'the training dataset has a targetTransform' }
  }
  if (typeof dataset.transform?.applyBatch !== 'function') {
    return { reason: 'the training transform has no batched form (use ToTensor and Normalize)' }
  }
  return l as IndexedLoader
}

const CHUNK = 4096

/**
 * Applies the dataset's transform to every sample once, in chunks, and uploads the result as one
 * float32 matrix. The transform is element-wise (ToTensor, Normalize), so each row equals what the
 * DataLoader would have built for that sample in a batch. With `texels` (WebGL), the matrix is
 * laid out for the row matmuls of webglRows.ts when it fits the largest texture.
 */
export async function makeResident(
  dataset: TensorBackedDataset,
  onDevice = true,
  texels = false,
): Promise<ResidentData> {
  const n = dataset.length
  const rowShape = dataset.shape.slice(1)
  const rowSize = rowShape.reduce((a, b) => a * b, 1)
  const transform = dataset.transform!
  let host: Float32Array | null = null
  let writer: TexelWriter | null = null
  let features = 0
  let sampleShape: number[] = []
  for (let start = 0; start < n; start += CHUNK) {
    const count = Math.min(CHUNK, n - start)
    const raw = Int32Array.from(dataset.data.subarray(start * rowSize, (start + count) * rowSize))
    const out = tf.tidy(() => transform.applyBatch!(tf.tensor(raw, [count, ...rowShape], 'int32')))
    try {
      if (out.dtype !== 'float32') {
        throw new Error(`the transform produced ${out.dtype} samples; the fast path needs float32`)
      }
      if (start === 0) {
        sampleShape = out.shape.slice(1)
        features = sampleShape.reduce((a, b) => a * b, 1)
        writer = onDevice && texels ? TexelWriter.create(n, features) : null
        if (!writer) host = new Float32Array(n * features)
      }
      const values = (await out.data()) as Float32Array
      if (writer) writer.write(start, values)
      else host!.set(values, start * features)
    } finally {
      out.dispose()
    }
  }
  let numClasses = 0
  const labels = Int32Array.from(dataset.targets)
  for (const label of labels) numClasses = Math.max(numClasses, label + 1)
  const values = host ?? new Float32Array(0)
  let x: tf.Tensor2D | null = null
  if (writer) x = writer.finish()
  else if (onDevice) x = tf.tensor2d(values, [n, features], 'float32')
  return {
    x,
    texels: writer !== null,
    host: onDevice ? null : values,
    features,
    labels,
    sampleShape,
    numClasses,
  }
}
