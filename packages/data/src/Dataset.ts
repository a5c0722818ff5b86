import type * as tf from '@tensorflow/tfjs-core'
import type { Transform } from './transforms/Transform.js'

/**
 * An image as stored in the dataset files: 8-bit pixels in row-major order, height x width
 * (grayscale) or height x width x channels. What `MNIST.get(i)` returns without a transform, and
 * what {@link ToTensor} takes.
 */
export interface RawImage {
  /** Pixels 0..255, `shape[0] * shape[1] * (shape[2] ?? 1)` of them. */
  readonly data: Uint8Array | Uint8ClampedArray
  /** `[height, width]` or `[height, width, channels]`. */
  readonly shape: readonly [number, number] | readonly [number, number, number]
}

/**
 * A map-style dataset, like `torch.utils.data.Dataset`: a length and random access to samples.
 * `DataLoader` batches any dataset whose samples are `[image, label]` pairs.
 */
export interface Dataset<TSample> {
  /** Number of samples (`len(dataset)` in Python). */
  readonly length: number
  /** The sample at `index` (`dataset[index]` in Python). */
  get(index: number): TSample
}

/**
 * The device copy of a {@link TensorBackedDataset}: raw pixels and labels as int32 tensors, 4 bytes
 * per pixel (188 MB for MNIST's 60,000 training images).
 */
export interface ResidentTensors {
  /** All images, int32 pixel values 0..255, shape `dataset.shape`. */
  readonly images: tf.Tensor
  /** All labels, int32, shape `[length]`. */
  readonly targets: tf.Tensor
}

/**
 * A dataset whose images are rows of one uint8 array (MNIST and FashionMNIST are). `DataLoader`
 * recognises it and, when its transforms have batched forms, builds each batch on the device from
 * one resident copy of the data instead of transforming samples one by one.
 */
export interface TensorBackedDataset<TImage = unknown, TTarget = unknown>
  extends Dataset<[TImage, TTarget]> {
  /** All pixels, row-major, shape {@link TensorBackedDataset.shape}. */
  readonly data: Uint8Array
  /** All labels. */
  readonly targets: Uint8Array | Int32Array
  /** Shape of `data`: `[length, height, width]` or `[length, height, width, channels]`. */
  readonly shape: readonly number[]
  /** Applied to each image (its `applyBatch` to whole batches). */
  readonly transform: Transform<RawImage, TImage> | undefined
  /** Applied to each label (its `applyBatch` to whole batches). */
  readonly targetTransform: Transform<number, TTarget> | undefined
  /** Uploads `data` and `targets` to the device once and returns the cached tensors. */
  toTensors(): ResidentTensors
}

/** True when `dataset` implements {@link TensorBackedDataset}. */
export function isTensorBacked(dataset: object): dataset is TensorBackedDataset {
  const d = dataset as Partial<TensorBackedDataset>
  return (
    d.data instanceof Uint8Array &&
    (d.targets instanceof Uint8Array || d.targets instanceof Int32Array) &&
    Array.isArray(d.shape) &&
    typeof d.toTensors === 'function'
  )
}
