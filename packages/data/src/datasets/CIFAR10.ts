import * as tf from '@tensorflow/tfjs-core'
import type { RawImage, ResidentTensors, TensorBackedDataset } from '../Dataset.js'
import { downloadWithMirrors, md5Of } from '../download.js'
import { DatasetError, OptionError } from '../errors.js'
import { gunzip } from '../gunzip.js'
import { OWN_DATA_LIMITS } from '../ownDataLimits.js'
import { isNode, nodeModules } from '../runtime.js'
import { toTransform } from '../transforms/Compose.js'
import type { Transform, TransformLike, TransformOutput } from '../transforms/Transform.js'
import { fileSink, readIfExists, writeFileAtomic } from './fileStore.js'
import type { InputFile } from './inputFiles.js'
import { asString, type PickledArray, unpickle } from './pickle.js'
import { readTar } from './tar.js'

const BASE = 'cifar-10-batches-py'
const ARCHIVE = 'cifar-10-python.tar.gz'
const TRAIN = ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5']
const TEST = ['test_batch']

/** Options of {@link CIFAR10.load}, named like torchvision's. */
export interface CIFAR10Options<
  TF extends TransformLike<RawImage, unknown> | undefined =
    | TransformLike<RawImage, unknown>
    | undefined,
  TT extends TransformLike<number, unknown> | undefined =
    | TransformLike<number, unknown>
    | undefined,
> {
  /** Node: the folder holding `cifar-10-batches-py/` (and the `.tar.gz`), as torchvision's `root`. */
  root?: string
  /** The `cifar-10-python.tar.gz` archive as bytes (e.g. picked by the user in a browser). */
  archive?: Uint8Array
  /** The extracted files in memory (paths ending in `cifar-10-batches-py/data_batch_1` ...). */
  files?: readonly InputFile[]
  /** The five training batches (50,000 images, default) or the test batch (10,000). */
  train?: boolean
  /** Node: download the archive into `root` (MD5-checked) and extract it when it is missing. */
  download?: boolean
  transform?: TF
  targetTransform?: TT
  /** Most bytes the archive may inflate to (default 256 MiB; the real one inflates to 178 MB). */
  maxInflatedBytes?: number
  /** Base URLs to download from instead of the official one. */
  mirrors?: readonly string[]
  signal?: AbortSignal
}

/**
 * CIFAR-10 (60,000 32x32 colour images in 10 classes), like `torchvision.datasets.CIFAR10`: the
 * same files (`root/cifar-10-batches-py/`, from the official `cifar-10-python.tar.gz` with its MD5),
 * read from their Python pickles (a restricted reader that only builds numpy arrays) and turned into
 * `[N, 32, 32, 3]` uint8 pixels (HWC, as torchvision's `data`). Tensor-backed, so `DataLoader`
 * batches it in one go; `ToTensor` gives `[3, 32, 32]`.
 *
 * @example
 * const train = await CIFAR10.load({ root: './data', train: true, download: true, transform: new ToTensor() })
 */
export class CIFAR10<TImage = RawImage, TTarget = number>
  implements TensorBackedDataset<TImage, TTarget>
{
  /** torchvision's URL of the archive. */
  static readonly url = 'https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz'
  /** torchvision's MD5 of the archive. */
  static readonly md5 = 'c58f30108f718f92721af3b95e74349a'
  static readonly classes: readonly string[] = [
    'airplane',
    'automobile',
    'bird',
    'cat',
    'deer',
    'dog',
    'frog',
    'horse',
    'ship',
    'truck',
  ]

  /**
   * Loads a split from `files`, `archive` or (Node) `root`, downloading into `root` when asked.
   * @throws {DatasetError} `DATASET_NOT_FOUND` (use `download: true`), `DATASET_BAD_FORMAT` naming
   *   the file that is not a CIFAR-10 batch. {@link DownloadError} when the download fails.
   */
  static async load<
    TF extends TransformLike<RawImage, unknown> | undefined = undefined,
    TT extends TransformLike<number, unknown> | undefined = undefined,
  >(
    options: CIFAR10Options<TF, TT>,
  ): Promise<CIFAR10<TransformOutput<TF, RawImage>, TransformOutput<TT, number>>> {
    const owner = 'CIFAR10.load'
    const train = options.train ?? true
    const names = train ? TRAIN : TEST
    const maxBytes = options.maxInflatedBytes ?? OWN_DATA_LIMITS.maxCifarInflatedBytes
    let files: Map<string, { bytes: Uint8Array; where: string }>
    if (options.files) {
      files = new Map(
        options.files
          .filter((f) => f.path.replace(/\\/g, '/').includes(`${BASE}/`))
          .map((f) => [
            f.path.replace(/\\/g, '/').split('/').pop()!,
            { bytes: f.bytes, where: f.path },
          ]),
      )
    } else if (options.archive) {
      files = extract(options.archive, ARCHIVE, maxBytes)
    } else {
      if (!isNode() || !options.root) {
        throw new OptionError('INVALID_OPTION', {
          owner,
          option: 'root',
          value: options.root,
          expected: 'a directory (Node), or give archive or files',
        })
      }
      files = await fromRoot(options.root, names, options, maxBytes)
    }
    const batches = names.map((name) => {
      const file = files.get(name)
      if (!file) {
        throw new DatasetError('DATASET_NOT_FOUND', {
          dataset: 'CIFAR10',
          file: `${BASE}/${name}`,
          searched: [options.root ?? '(given files)'],
        })
      }
      return readBatch(file.bytes, file.where)
    })
    const count = batches.reduce((n, b) => n + b.labels.length, 0)
    const data = new Uint8Array(count * 3072)
    const targets = new Uint8Array(count)
    let n = 0
    for (const batch of batches) {
      for (let k = 0; k < batch.labels.length; k++, n++) {
        const src = batch.pixels.subarray(k * 3072, (k + 1) * 3072)
        const dst = data.subarray(n * 3072, (n + 1) * 3072)
        for (let p = 0; p < 1024; p++) {
          dst[p * 3] = src[p]!
          dst[p * 3 + 1] = src[1024 + p]!
          dst[p * 3 + 2] = src[2048 + p]!
        }
        targets[n] = batch.labels[k]!
      }
    }
    return new CIFAR10({
      data,
      targets,
      train,
      transform: options.transform as
        | TransformLike<RawImage, TransformOutput<TF, RawImage>>
        | undefined,
      targetTransform: options.targetTransform as
        | TransformLike<number, TransformOutput<TT, number>>
        | undefined,
    })
  }

  /** All pixels, `[count, 32, 32, 3]`, row-major (torchvision's `data`). */
  readonly data: Uint8Array
  /** Labels 0..9. */
  readonly targets: Uint8Array
  readonly shape: readonly [number, number, number, number]
  readonly train: boolean
  readonly transform: Transform<RawImage, TImage> | undefined
  readonly targetTransform: Transform<number, TTarget> | undefined
  private resident: ResidentTensors | undefined

  constructor(init: {
    data: Uint8Array
    targets: Uint8Array
    train: boolean
    transform?: TransformLike<RawImage, TImage> | undefined
    targetTransform?: TransformLike<number, TTarget> | undefined
  }) {
    this.data = init.data
    this.targets = init.targets
    this.shape = [init.targets.length, 32, 32, 3]
    this.train = init.train
    this.transform = init.transform === undefined ? undefined : toTransform(init.transform)
    this.targetTransform =
      init.targetTransform === undefined ? undefined : toTransform(init.targetTransform)
  }

  get length(): number {
    return this.targets.length
  }

  /** The same images and labels with another image transform (the data is shared, not copied). */
  withTransform<T>(transform: TransformLike<RawImage, T>): CIFAR10<T, TTarget> {
    return new CIFAR10<T, TTarget>({
      data: this.data,
      targets: this.targets,
      train: this.train,
      transform,
      targetTransform: this.targetTransform,
    })
  }

  get classes(): readonly string[] {
    return CIFAR10.classes
  }

  get classToIdx(): Record<string, number> {
    return Object.fromEntries(CIFAR10.classes.map((c, i) => [c, i]))
  }

  get(index: number): [TImage, TTarget] {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new DatasetError('INDEX_OUT_OF_RANGE', { index, length: this.length })
    }
    const image: RawImage = {
      data: this.data.subarray(index * 3072, (index + 1) * 3072),
      shape: [32, 32, 3],
    }
    const label = this.targets[index]!
    return [
      (this.transform ? this.transform.apply(image) : image) as TImage,
      (this.targetTransform ? this.targetTransform.apply(label) : label) as TTarget,
    ]
  }

  toTensors(): ResidentTensors {
    if (!this.resident || this.resident.images.isDisposed) {
      this.resident = {
        images: tf.keep(tf.tensor(new Int32Array(this.data), [...this.shape], 'int32')),
        targets: tf.keep(tf.tensor1d(new Int32Array(this.targets), 'int32')),
      }
    }
    return this.resident
  }

  dispose(): void {
    if (this.resident) tf.dispose([this.resident.images, this.resident.targets])
    this.resident = undefined
  }

  toString(): string {
    return [
      'Dataset CIFAR10',
      `    Number of datapoints: ${this.length}`,
      `    Split: ${this.train ? 'Train' : 'Test'}`,
    ].join('\n')
  }
}

function badFormat(file: string, actual: string): never {
  throw new DatasetError('DATASET_BAD_FORMAT', {
    dataset: 'CIFAR10',
    file,
    expected: "a pickled dict with 'data' (uint8 [N, 3072]) and 'labels' (N numbers from 0 to 9)",
    actual,
  })
}

/** The pixels and labels of one batch file. */
function readBatch(bytes: Uint8Array, file: string): { pixels: Uint8Array; labels: number[] } {
  let value: unknown
  try {
    value = unpickle(bytes)
  } catch (error) {
    return badFormat(file, `an unreadable pickle (${(error as Error).message})`)
  }
  if (!(value instanceof Map)) return badFormat(file, 'something that is not a dict')
  const data = value.get('data') as PickledArray | undefined
  const labels = (value.get('labels') ?? value.get('fine_labels')) as unknown
  if (
    data?.kind !== 'ndarray' ||
    !['|u1', 'u1'].includes(data.dtype) ||
    data.shape.length !== 2 ||
    data.shape[1] !== 3072
  ) {
    return badFormat(
      file,
      `data ${data?.kind === 'ndarray' ? `${data.dtype} [${data.shape.join(', ')}]` : 'missing'}`,
    )
  }
  if (data.data.length !== data.shape[0]! * 3072)
    return badFormat(file, `${data.data.length} bytes of pixels for ${data.shape[0]} images`)
  if (
    !Array.isArray(labels) ||
    labels.length !== data.shape[0] ||
    !labels.every((l) => Number.isInteger(l) && l >= 0 && l < 10)
  ) {
    return badFormat(file, `labels that are not ${data.shape[0]} numbers from 0 to 9`)
  }
  void asString
  return { pixels: data.data, labels: labels as number[] }
}

/** The batch files of the archive, by name. */
function extract(
  archive: Uint8Array,
  name: string,
  maxBytes: number,
): Map<string, { bytes: Uint8Array; where: string }> {
  const { data, stopped } = gunzip(archive, name, { maxBytes })
  if (stopped)
    badFormat(name, `an archive that inflates to more than maxInflatedBytes (${maxBytes})`)
  let entries: { name: string; data: Uint8Array }[]
  try {
    entries = readTar(data)
  } catch (error) {
    return badFormat(name, `a broken tar archive (${(error as Error).message})`)
  }
  return new Map(
    entries
      .filter((e) => e.name.includes(`${BASE}/`))
      .map((e) => [e.name.split('/').pop()!, { bytes: e.data, where: `${name}:${e.name}` }]),
  )
}

async function fromRoot(
  root: string,
  names: readonly string[],
  options: CIFAR10Options,
  maxBytes: number,
): Promise<Map<string, { bytes: Uint8Array; where: string }>> {
  const { fs, path } = await nodeModules()
  const dir = path.join(root, BASE)
  const read = async () => {
    const out = new Map<string, { bytes: Uint8Array; where: string }>()
    for (const name of names) {
      const file = path.join(dir, name)
      const bytes = await readIfExists(file, maxBytes)
      if (bytes) out.set(name, { bytes, where: file })
    }
    return out
  }
  let files = await read()
  if (files.size === names.length || !options.download) return files
  // torchvision's download(): reuse an archive whose MD5 matches, else fetch it; then extract.
  await fs.mkdir(root, { recursive: true })
  const archivePath = path.join(root, ARCHIVE)
  let archive = await readIfExists(archivePath, maxBytes)
  if (!archive || (await md5Of(archive)) !== CIFAR10.md5) {
    const url = CIFAR10.url
    await downloadWithMirrors(
      {
        file: ARCHIVE,
        mirrors: options.mirrors ?? [url.slice(0, url.length - ARCHIVE.length)],
        md5: CIFAR10.md5,
        ...(options.signal ? { signal: options.signal } : {}),
        maxBytes,
      },
      () => fileSink(archivePath),
    )
    archive = await readIfExists(archivePath, maxBytes)
    if (!archive) throw new Error(`${archivePath} vanished after download`)
  }
  await fs.mkdir(dir, { recursive: true })
  for (const [name, { bytes }] of extract(archive, archivePath, maxBytes)) {
    await writeFileAtomic(path.join(dir, name), bytes)
  }
  files = await read()
  return files
}
