import * as tf from '@tensorflow/tfjs-core'
import type { RawImage, ResidentTensors, TensorBackedDataset } from '../Dataset.js'
import { DatasetError, OptionError } from '../errors.js'
import { toTransform } from '../transforms/Compose.js'
import type { Transform, TransformLike, TransformOutput } from '../transforms/Transform.js'
import {
  type DatasetFilesOptions,
  type DatasetResource,
  type DatasetSpec,
  FILES_OPTION_NAMES,
  loadSplitFiles,
  type SplitFiles,
  validateFilesOptions,
} from './loadDataset.js'

/**
 * Options of {@link MNIST.load} (and {@link FashionMNIST.load}), named like torchvision's. The type
 * parameters are the types of `transform` and `targetTransform`; the dataset's sample types follow
 * from them.
 */
export interface MNISTOptions<
  TF extends TransformLike<RawImage, unknown> | undefined =
    | TransformLike<RawImage, unknown>
    | undefined,
  TT extends TransformLike<number, unknown> | undefined =
    | TransformLike<number, unknown>
    | undefined,
> extends DatasetFilesOptions {
  /** Applied to each image (a {@link RawImage}); e.g. `new Compose([new ToTensor(), new Normalize(...)])`. */
  transform?: TF
  /** Applied to each label (a number). */
  targetTransform?: TT
}

/** What an MNIST-style dataset is built from (see {@link MNIST.load} for the usual way). */
export interface MNISTInit<TImage = RawImage, TTarget = number> {
  /** All pixels, `shape[0] * shape[1] * shape[2]` bytes. */
  readonly data: Uint8Array
  /** One label per image. */
  readonly targets: Uint8Array
  /** `[count, height, width]`. */
  readonly shape: readonly [number, number, number]
  /** Whether this is the training split. */
  readonly train: boolean
  readonly transform?: TransformLike<RawImage, TImage> | undefined
  readonly targetTransform?: TransformLike<number, TTarget> | undefined
}

const MNIST_SPEC: DatasetSpec = {
  name: 'MNIST',
  // torchvision's mirrors, in torchvision's current order (pytorch/vision#8865 put the S3 mirror
  // first because yann.lecun.com often refuses downloads).
  mirrors: ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'http://yann.lecun.com/exdb/mnist/'],
  resources: [
    { file: 'train-images-idx3-ubyte.gz', md5: 'f68b3c2dcbeaaa9fbdd348bbdeb94873' },
    { file: 'train-labels-idx1-ubyte.gz', md5: 'd53e105ee54ea40749a09fcbcd1e9432' },
    { file: 't10k-images-idx3-ubyte.gz', md5: '9fb629c4189551a2d022fa330f9573f3' },
    { file: 't10k-labels-idx1-ubyte.gz', md5: 'ec29112dd5afa0611ce80d1b7f02629c' },
  ],
  classes: [
    '0 - zero',
    '1 - one',
    '2 - two',
    '3 - three',
    '4 - four',
    '5 - five',
    '6 - six',
    '7 - seven',
    '8 - eight',
    '9 - nine',
  ],
}

const OPTION_NAMES = [...FILES_OPTION_NAMES, 'transform', 'targetTransform'] as const

/**
 * Checks options, finds (and downloads, if asked) and parses the split's files, and checks they fit
 * together. Shared by {@link MNIST.load} and {@link FashionMNIST.load}.
 */
export async function loadMnistLike<TImage, TTarget>(
  spec: DatasetSpec,
  options: MNISTOptions,
): Promise<MNISTInit<TImage, TTarget>> {
  const owner = `${spec.name}.load`
  validateFilesOptions(owner, options, OPTION_NAMES)
  for (const option of ['transform', 'targetTransform'] as const) {
    const t = options[option] as unknown
    if (
      t !== undefined &&
      typeof t !== 'function' &&
      (t === null || typeof (t as { apply?: unknown }).apply !== 'function')
    ) {
      throw new OptionError('INVALID_OPTION', {
        owner,
        option,
        value: t,
        expected: 'a transform (an object with apply()) or a function',
      })
    }
  }
  const files = await loadSplitFiles(spec, options)
  const { data, targets, shape } = checkSplit(spec, files)
  return {
    data,
    targets,
    shape,
    train: options.train ?? true,
    transform: options.transform as TransformLike<RawImage, TImage> | undefined,
    targetTransform: options.targetTransform as TransformLike<number, TTarget> | undefined,
  }
}

function checkSplit(
  spec: DatasetSpec,
  files: SplitFiles,
): { data: Uint8Array; targets: Uint8Array; shape: [number, number, number] } {
  const { images, labels } = files
  const describe = (a: { dtype: string; shape: readonly number[] }) =>
    `${a.dtype} data of shape [${a.shape.join(', ')}]`
  if (images.dtype !== 'uint8' || images.shape.length !== 3) {
    throw new DatasetError('DATASET_BAD_FORMAT', {
      dataset: spec.name,
      file: files.imagesFile,
      expected: 'uint8 images of shape [count, height, width]',
      actual: describe(images),
    })
  }
  if (labels.dtype !== 'uint8' || labels.shape.length !== 1) {
    throw new DatasetError('DATASET_BAD_FORMAT', {
      dataset: spec.name,
      file: files.labelsFile,
      expected: 'uint8 labels of shape [count]',
      actual: describe(labels),
    })
  }
  const [count, height, width] = images.shape as [number, number, number]
  if (labels.shape[0] !== count) {
    throw new DatasetError('DATASET_COUNT_MISMATCH', {
      dataset: spec.name,
      imagesFile: files.imagesFile,
      labelsFile: files.labelsFile,
      images: count,
      labels: labels.shape[0]!,
    })
  }
  const targets = labels.data as Uint8Array
  const numClasses = spec.classes.length
  for (let i = 0; i < targets.length; i++) {
    if (targets[i]! >= numClasses) {
      throw new DatasetError('DATASET_BAD_LABEL', {
        dataset: spec.name,
        file: files.labelsFile,
        index: i,
        label: targets[i]!,
        numClasses,
      })
    }
  }
  return { data: images.data as Uint8Array, targets, shape: [count, height, width] }
}

/**
 * The MNIST handwritten digits (60,000 training and 10,000 test images, 28x28 grayscale, 10
 * classes), like `torchvision.datasets.MNIST`. Create it with {@link MNIST.load}.
 *
 * `get(i)` returns `[image, label]`: without a transform the image is a {@link RawImage} view of
 * `data` and the label a number. Tensors a transform returns belong to the caller (dispose them).
 * Batch it with `DataLoader`, which uploads `data` to the device once ({@link MNIST.toTensors}) and
 * builds batches there; free that copy with {@link MNIST.dispose}.
 *
 * @example
 * const transform = new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])])
 * const train = await MNIST.load({ root: './data', train: true, download: true, transform })
 * train.length // 60000
 * const [image, label] = train.get(0) // Tensor [1, 28, 28], 5
 */
export class MNIST<TImage = RawImage, TTarget = number>
  implements TensorBackedDataset<TImage, TTarget>
{
  /** Base URLs `download` tries, in order (torchvision's). */
  static readonly mirrors: readonly string[] = MNIST_SPEC.mirrors
  /** The four `.gz` files and torchvision's MD5 sums of them. */
  static readonly resources: readonly DatasetResource[] = MNIST_SPEC.resources
  /** Class names, indexed by label (torchvision's). */
  static readonly classes: readonly string[] = MNIST_SPEC.classes

  /**
   * Loads the training (`train: true`, default) or test split: from `source` if given, else (Node)
   * from `<root>/MNIST/raw/` (plain or `.gz` files with torchvision's names), downloading what is
   * missing when `download` is true; in the browser from Cache Storage, downloading into it.
   *
   * @throws {DatasetError} `DATASET_NOT_FOUND` (use `download: true` or `source`),
   *   `DATASET_COUNT_MISMATCH`, `DATASET_BAD_FORMAT`, `DATASET_BAD_LABEL`.
   * @throws {IdxError} for truncated or corrupt files. {@link DownloadError} when every mirror fails
   *   (nothing half-written is left). {@link OptionError} for bad options.
   */
  static async load<
    TF extends TransformLike<RawImage, unknown> | undefined = undefined,
    TT extends TransformLike<number, unknown> | undefined = undefined,
  >(
    options: MNISTOptions<TF, TT>,
  ): Promise<MNIST<TransformOutput<TF, RawImage>, TransformOutput<TT, number>>> {
    return new MNIST(await loadMnistLike(MNIST_SPEC, options))
  }

  /** All pixels, row-major, shape {@link MNIST.shape} (what torchvision calls `data`). */
  readonly data: Uint8Array
  /** All labels, one per image. */
  readonly targets: Uint8Array
  /** Shape of `data`: `[count, 28, 28]`. */
  readonly shape: readonly [number, number, number]
  /** Whether this is the training split. */
  readonly train: boolean
  /** The transform applied to images by `get` (and, batched, by `DataLoader`). */
  readonly transform: Transform<RawImage, TImage> | undefined
  /** The transform applied to labels. */
  readonly targetTransform: Transform<number, TTarget> | undefined
  private resident: ResidentTensors | undefined

  /** Builds the dataset from arrays; {@link MNIST.load} is the usual way. */
  constructor(init: MNISTInit<TImage, TTarget>) {
    const [count, height, width] = init.shape
    if (init.data.length !== count * height * width || init.targets.length !== count) {
      throw new DatasetError('DATASET_COUNT_MISMATCH', {
        dataset: this.constructor.name,
        imagesFile: 'data',
        labelsFile: 'targets',
        images: init.data.length / (height * width),
        labels: init.targets.length,
      })
    }
    this.data = init.data
    this.targets = init.targets
    this.shape = [count, height, width]
    this.train = init.train
    this.transform = init.transform === undefined ? undefined : toTransform(init.transform)
    this.targetTransform =
      init.targetTransform === undefined ? undefined : toTransform(init.targetTransform)
  }

  /** Class names, indexed by label. */
  get classes(): readonly string[] {
    return (this.constructor as typeof MNIST).classes
  }

  /**
   * The same images and labels with another image transform (the data is shared, not copied):
   * what a training run builds from one loaded split, e.g. with a graph's transforms.
   */
  withTransform<T>(transform: TransformLike<RawImage, T>): MNIST<T, TTarget> {
    const Dataset = this.constructor as new (init: MNISTInit<T, TTarget>) => MNIST<T, TTarget>
    return new Dataset({
      data: this.data,
      targets: this.targets,
      shape: this.shape,
      train: this.train,
      transform,
      targetTransform: this.targetTransform,
    })
  }

  /** Class name to label, like torchvision's `class_to_idx`. */
  get classToIdx(): Record<string, number> {
    return Object.fromEntries(this.classes.map((name, i) => [name, i]))
  }

  /** Number of samples. */
  get length(): number {
    return this.shape[0]
  }

  /**
   * The sample at `index`: `[image, label]` after the transforms.
   * @throws {DatasetError} `INDEX_OUT_OF_RANGE` unless `0 <= index < length`.
   */
  get(index: number): [TImage, TTarget] {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new DatasetError('INDEX_OUT_OF_RANGE', { index, length: this.length })
    }
    const [, height, width] = this.shape
    const size = height * width
    const image: RawImage = {
      data: this.data.subarray(index * size, (index + 1) * size),
      shape: [height, width],
    }
    const label = this.targets[index]!
    return [
      (this.transform ? this.transform.apply(image) : image) as TImage,
      (this.targetTransform ? this.targetTransform.apply(label) : label) as TTarget,
    ]
  }

  /**
   * The dataset on the device: `images` int32 `[count, 28, 28]` (raw pixel values; tfjs has no
   * uint8 tensors, so this takes 4 bytes per pixel: 188 MB for the 60,000 training images, 31 MB
   * for the 10,000 test images) and `targets` int32 `[count]`. Uploaded on first call and cached;
   * the dataset owns them, {@link MNIST.dispose} frees them. `DataLoader` calls this only on its
   * `resident` path (by default on webgl and webgpu).
   */
  toTensors(): ResidentTensors {
    if (!this.resident || this.resident.images.isDisposed || this.resident.targets.isDisposed) {
      this.resident = {
        images: tf.keep(tf.tensor(new Int32Array(this.data), [...this.shape], 'int32')),
        targets: tf.keep(tf.tensor1d(new Int32Array(this.targets), 'int32')),
      }
    }
    return this.resident
  }

  /** Frees the device copy made by {@link MNIST.toTensors} (if any); the dataset stays usable. */
  dispose(): void {
    if (this.resident) tf.dispose([this.resident.images, this.resident.targets])
    this.resident = undefined
  }

  toString(): string {
    const lines = [
      `Dataset ${this.constructor.name}`,
      `    Number of datapoints: ${this.length}`,
      `    Split: ${this.train ? 'Train' : 'Test'}`,
    ]
    if (this.transform) lines.push(`    StandardTransform\nTransform: ${String(this.transform)}`)
    return lines.join('\n')
  }
}
