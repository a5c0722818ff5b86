import * as tf from '@tensorflow/tfjs-core'
import type { RawImage, ResidentTensors } from '../Dataset.js'
import { DatasetError, OptionError } from '../errors.js'
import { InputError } from '../InputError.js'
import {
  type DecodedPixels,
  defaultImageDecoder,
  type ImageDecoder,
  toChannels,
} from '../images/decoders.js'
import { toTransform } from '../transforms/Compose.js'
import { Resize } from '../transforms/Resize.js'
import type { Transform, TransformLike, TransformOutput } from '../transforms/Transform.js'
import {
  checkOptions,
  type ImageFolderScan,
  type ImageFolderSource,
  type SkippedFile,
  SOURCE_OPTIONS,
  scanFolder,
} from './scanImageFolder.js'

export type { ImageFolderScan, ImageFolderSource, SkippedFile } from './scanImageFolder.js'

/** Options of {@link ImageFolder.load}. */
export interface ImageFolderOptions<
  TF extends TransformLike<RawImage, unknown> | undefined =
    | TransformLike<RawImage, unknown>
    | undefined,
  TT extends TransformLike<number, unknown> | undefined =
    | TransformLike<number, unknown>
    | undefined,
> extends ImageFolderSource {
  /** Applied to each image (a {@link RawImage}) by `get`. */
  transform?: TF
  /** Applied to each label. */
  targetTransform?: TT
  /**
   * Channels of the images: `'auto'` (default) gives 1 when every image is grayscale and 3
   * otherwise; `1` converts to gray (Pillow's `convert('L')`); `3` to RGB, which is what torchvision's
   * ImageFolder always does (`convert('RGB')`). Alpha is dropped.
   */
  channels?: 'auto' | 1 | 3
  /**
   * Resize every image once, while loading (`Resize(resize)`'s semantics: `[height, width]`, or one
   * number for the smaller edge). Images of mixed sizes then become one uint8 array, which
   * `DataLoader` batches fastest.
   */
  resize?: number | readonly [number, number]
  /**
   * What to do with an image that cannot be loaded (corrupt, truncated, 0 bytes, too large,
   * another format): `'error'` (default) throws an `InputError` naming it; `'skip'` leaves it out
   * and lists it in `skipped`.
   */
  onBadImage?: 'error' | 'skip'
  /** How to decode (default {@link defaultImageDecoder}: the browser's decoders in a browser). */
  decoder?: ImageDecoder
  /** Called as images are decoded. */
  onProgress?: (progress: { decoded: number; total: number }) => void
  /** Cancels loading (rethrown as is). */
  signal?: AbortSignal
}

const LOAD_OPTIONS = [
  ...SOURCE_OPTIONS,
  'transform',
  'targetTransform',
  'channels',
  'resize',
  'onBadImage',
  'decoder',
  'onProgress',
  'signal',
]

/** What an {@link ImageFolder} is built from (see {@link ImageFolder.load} for the usual way). */
export interface ImageFolderInit<TImage = RawImage, TTarget = number> {
  readonly root: string
  readonly classes: readonly string[]
  /** `[path, label]` of each image, in order. */
  readonly samples: readonly (readonly [string, number])[]
  /** The decoded images (`[H, W]` gray or `[H, W, 3]` RGB). */
  readonly images: readonly RawImage[]
  readonly skipped?: readonly SkippedFile[]
  readonly transform?: TransformLike<RawImage, TImage> | undefined
  readonly targetTransform?: TransformLike<number, TTarget> | undefined
}

/**
 * A folder of images, one subfolder per class, like `torchvision.datasets.ImageFolder`:
 * `root/cat/001.png`, `root/dog/xyz.jpg`. Classes are the subfolder names sorted as Python sorts
 * them (code points: `'B' < 'a'`), labels their index; images are PNG or JPEG, grayscale or colour.
 * Images load from a Node folder (`root`) or from files in memory (`files`, e.g. a dropped folder in
 * a browser or {@link fromZip}), are decoded once and kept as 8-bit pixels; the data never leaves
 * the device.
 *
 * When every image has one size (or `resize` makes it so) the images are rows of one uint8 array
 * (`data`, `shape`), a tensor-backed dataset that `DataLoader` batches in one go like MNIST;
 * otherwise `uniform` is false, `sizes` lists what was found, and a transform must make them one
 * size before batching (e.g. `new Compose([new Resize([64, 64]), new ToTensor()])`).
 *
 * @example
 * const pets = await ImageFolder.load({ root: './pets', transform: new ToTensor(), resize: [64, 64] })
 * pets.classes // ['cat', 'dog']
 */
export class ImageFolder<TImage = RawImage, TTarget = number> {
  /**
   * Reads only the files' headers and says what {@link ImageFolder.load} would load: classes,
   * images per class, sizes, channels, formats, skipped files and images that cannot be loaded.
   */
  static async scan(options: ImageFolderSource): Promise<ImageFolderScan> {
    return (
      await scanFolder(
        'ImageFolder.scan',
        checkOptions('ImageFolder.scan', options, SOURCE_OPTIONS),
      )
    ).scan
  }

  /**
   * Finds, checks and decodes every image. Nothing is kept on failure.
   *
   * @throws {InputError} `FOLDER_EMPTY` (no class folder, or a class folder without images),
   *   `IMAGE_TOO_LARGE` (from the header: nothing was decoded), `IMAGE_CORRUPT` (truncated,
   *   damaged, 0 bytes), `IMAGE_UNSUPPORTED` (another format) — each naming the file, unless
   *   `onBadImage: 'skip'` — and `TOO_MANY_FILES`, `TOO_MUCH_DATA`.
   * @throws {OptionError} for bad options.
   */
  static async load<
    TF extends TransformLike<RawImage, unknown> | undefined = undefined,
    TT extends TransformLike<number, unknown> | undefined = undefined,
  >(
    options: ImageFolderOptions<TF, TT>,
  ): Promise<ImageFolder<TransformOutput<TF, RawImage>, TransformOutput<TT, number>>> {
    const owner = 'ImageFolder.load'
    checkOptions(owner, options, LOAD_OPTIONS)
    const onBad = options.onBadImage ?? 'error'
    if (onBad !== 'error' && onBad !== 'skip') {
      throw new OptionError('INVALID_OPTION', {
        owner,
        option: 'onBadImage',
        value: onBad,
        expected: "'error' or 'skip'",
      })
    }
    const channelsOption = options.channels ?? 'auto'
    if (channelsOption !== 'auto' && channelsOption !== 1 && channelsOption !== 3) {
      throw new OptionError('INVALID_OPTION', {
        owner,
        option: 'channels',
        value: channelsOption,
        expected: "'auto', 1 or 3",
      })
    }
    const resize = options.resize === undefined ? undefined : new Resize(options.resize as number)
    const { scan, images, problemErrors, limits } = await scanFolder(owner, options)
    const skipped: SkippedFile[] = [...scan.skipped]
    if (problemErrors.size > 0) {
      if (onBad === 'error') throw problemErrors.values().next().value!
      skipped.push(...scan.problems)
    }
    if (scan.classes.length === 0) {
      throw new InputError('FOLDER_EMPTY', {
        root: scan.root,
        reason: "couldn't find any class folder holding images",
      })
    }
    const empty = scan.classes.filter((_, i) => scan.counts[i] === 0)
    if (empty.length > 0) {
      throw new InputError('FOLDER_EMPTY', {
        root: scan.root,
        reason: `found no valid file for the classes ${empty.join(', ')}`,
      })
    }
    const channels = channelsOption === 'auto' ? scan.channels : channelsOption
    let totalBytes = 0
    for (const { header } of images) {
      const [h, w] = resize
        ? resize.outputSize(header.height, header.width)
        : [header.height, header.width]
      totalBytes += h * w * channels
    }
    if (totalBytes > limits.maxTotalBytes) {
      throw new InputError('TOO_MUCH_DATA', {
        root: scan.root,
        bytes: totalBytes,
        maxTotalBytes: limits.maxTotalBytes,
      })
    }
    const decoder = options.decoder ?? defaultImageDecoder(limits)
    const decoded: RawImage[] = []
    const samples: [string, number][] = []
    for (const [k, { candidate, header, label }] of images.entries()) {
      options.signal?.throwIfAborted()
      let pixels: DecodedPixels
      try {
        pixels = await decoder.decode(await candidate.read(), header)
        if (pixels.width !== header.width || pixels.height !== header.height) {
          throw new Error(
            `decoded ${pixels.width} x ${pixels.height}, the header says ${header.width} x ${header.height}`,
          )
        }
      } catch (error) {
        const e = new InputError(
          'IMAGE_CORRUPT',
          {
            file: candidate.path,
            format: header.format.toUpperCase(),
            reason: (error as Error).message,
          },
          { cause: error },
        )
        if (onBad === 'error') throw e
        skipped.push({ path: candidate.path, reason: (error as Error).message, code: e.code })
        continue
      }
      const data = toChannels(pixels, channels)
      let image: RawImage = {
        data,
        shape: channels === 1 ? [header.height, header.width] : [header.height, header.width, 3],
      }
      if (resize) image = resize.apply(image)
      decoded.push(image)
      samples.push([candidate.path, label])
      options.onProgress?.({ decoded: k + 1, total: images.length })
    }
    if (decoded.length === 0) {
      throw new InputError('FOLDER_EMPTY', { root: scan.root, reason: 'no image could be loaded' })
    }
    return new ImageFolder({
      root: scan.root,
      classes: scan.classes,
      samples,
      images: decoded,
      skipped,
      transform: options.transform as
        | TransformLike<RawImage, TransformOutput<TF, RawImage>>
        | undefined,
      targetTransform: options.targetTransform as
        | TransformLike<number, TransformOutput<TT, number>>
        | undefined,
    })
  }

  readonly root: string
  readonly classes: readonly string[]
  readonly classToIdx: Readonly<Record<string, number>>
  /** `[path, label]` of each image (torchvision's `samples`). */
  readonly samples: readonly (readonly [string, number])[]
  /** One label per image. */
  readonly targets: Int32Array
  /** Files left out, and why (non-image files; bad images with `onBadImage: 'skip'`). */
  readonly skipped: readonly SkippedFile[]
  /** True when every image has one size and channel count: then `data` and `shape` are set. */
  readonly uniform: boolean
  /** All pixels, one image after another (when `uniform`). */
  readonly data: Uint8Array | undefined
  /** `[count, H, W]` (gray) or `[count, H, W, 3]` (when `uniform`). */
  readonly shape: readonly number[] | undefined
  /** Each `height x width` with its number of images. */
  readonly sizes: readonly { height: number; width: number; count: number }[]
  readonly transform: Transform<RawImage, TImage> | undefined
  readonly targetTransform: Transform<number, TTarget> | undefined
  private readonly images: readonly RawImage[] | undefined
  private resident: ResidentTensors | undefined

  /** Builds the dataset from decoded images; {@link ImageFolder.load} is the usual way. */
  constructor(init: ImageFolderInit<TImage, TTarget>) {
    if (init.images.length !== init.samples.length) {
      throw new DatasetError('DATASET_COUNT_MISMATCH', {
        dataset: 'ImageFolder',
        imagesFile: 'images',
        labelsFile: 'samples',
        images: init.images.length,
        labels: init.samples.length,
      })
    }
    this.root = init.root
    this.classes = [...init.classes]
    this.classToIdx = Object.fromEntries(this.classes.map((c, i) => [c, i]))
    this.samples = init.samples.map(([p, l]) => [p, l] as const)
    this.targets = Int32Array.from(init.samples, ([, l]) => l)
    this.skipped = init.skipped ?? []
    this.transform = init.transform === undefined ? undefined : toTransform(init.transform)
    this.targetTransform =
      init.targetTransform === undefined ? undefined : toTransform(init.targetTransform)
    const counts = new Map<string, { height: number; width: number; count: number }>()
    for (const image of init.images) {
      const key = `${image.shape[0]}x${image.shape[1]}`
      const entry = counts.get(key) ?? { height: image.shape[0], width: image.shape[1], count: 0 }
      entry.count++
      counts.set(key, entry)
    }
    this.sizes = [...counts.values()].sort((a, b) => b.count - a.count)
    const first = init.images[0]
    this.uniform =
      first !== undefined && init.images.every((im) => im.shape.join() === first.shape.join())
    if (this.uniform && first) {
      const size = first.data.length
      const data = new Uint8Array(size * init.images.length)
      init.images.forEach((im, i) => {
        data.set(im.data, i * size)
      })
      this.data = data
      this.shape = [init.images.length, ...first.shape]
      this.images = undefined
    } else {
      this.data = undefined
      this.shape = undefined
      this.images = init.images
    }
  }

  /** The same images and labels with another image transform (the pixels are shared, not copied). */
  withTransform<T>(transform: TransformLike<RawImage, T>): ImageFolder<T, TTarget> {
    const view = Object.create(ImageFolder.prototype) as ImageFolder<T, TTarget>
    Object.assign(view, this, { transform: toTransform(transform), resident: undefined })
    return view
  }

  /** Number of images. */
  get length(): number {
    return this.samples.length
  }

  /** The raw image at `index`, before the transform (a view when `uniform`). */
  image(index: number): RawImage {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new DatasetError('INDEX_OUT_OF_RANGE', { index, length: this.length })
    }
    if (this.images) return this.images[index]!
    const shape = this.shape!.slice(1) as [number, number] | [number, number, number]
    const size = shape.reduce((a, b) => a * b, 1)
    return { data: this.data!.subarray(index * size, (index + 1) * size), shape }
  }

  /** `[image, label]` at `index`, after the transforms. @throws {DatasetError} `INDEX_OUT_OF_RANGE`. */
  get(index: number): [TImage, TTarget] {
    const image = this.image(index)
    const label = this.targets[index]!
    return [
      (this.transform ? this.transform.apply(image) : image) as TImage,
      (this.targetTransform ? this.targetTransform.apply(label) : label) as TTarget,
    ]
  }

  /**
   * The images and labels on the device (int32, as MNIST's): only when `uniform`. `DataLoader`
   * calls it on its resident path; {@link ImageFolder.dispose} frees them.
   */
  toTensors(): ResidentTensors {
    if (!this.data || !this.shape) {
      throw new DatasetError('DATASET_BAD_FORMAT', {
        dataset: 'ImageFolder',
        file: this.root,
        expected: 'images of one size (use the resize option)',
        actual: `${this.sizes.length} sizes`,
      })
    }
    if (!this.resident || this.resident.images.isDisposed) {
      this.resident = {
        images: tf.keep(tf.tensor(new Int32Array(this.data), [...this.shape], 'int32')),
        targets: tf.keep(tf.tensor1d(this.targets, 'int32')),
      }
    }
    return this.resident
  }

  /** Frees the device copy made by {@link ImageFolder.toTensors}. */
  dispose(): void {
    if (this.resident) tf.dispose([this.resident.images, this.resident.targets])
    this.resident = undefined
  }

  toString(): string {
    const lines = [
      'Dataset ImageFolder',
      `    Number of datapoints: ${this.length}`,
      `    Root location: ${this.root}`,
    ]
    if (this.transform) lines.push(`    StandardTransform\nTransform: ${String(this.transform)}`)
    return lines.join('\n')
  }
}
