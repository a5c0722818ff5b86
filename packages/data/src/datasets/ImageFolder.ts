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
import {
  type HeaderProblem,
  type ImageHeader,
  isHeader,
  readImageHeader,
} from '../images/imageHeader.js'
import type { InputErrorCode } from '../inputErrors.js'
import { OWN_DATA_LIMITS } from '../ownDataLimits.js'
import { isNode } from '../runtime.js'
import { toTransform } from '../transforms/Compose.js'
import { Resize } from '../transforms/Resize.js'
import type { Transform, TransformLike, TransformOutput } from '../transforms/Transform.js'
import {
  compareCodePoints,
  type InputFile,
  listTree,
  normalizePath,
  readEntry,
} from './inputFiles.js'

/** Where the images are and how much may be read. */
export interface ImageFolderSource {
  /**
   * Node: the folder holding one subfolder per class (`root/<class>/<image>`). With `files`: the
   * folder inside the files' paths that plays that role (default: found, e.g. `pets/` when every
   * path starts with `pets/<class>/`).
   */
  root?: string
  /** The files in memory instead (a dropped folder, {@link fromZip}); works everywhere. */
  files?: readonly InputFile[]
  /** Longest image side allowed, from the header, before decoding (default 8192). */
  maxImageSide?: number
  /** Most pixels of one image (default 4096 x 4096). */
  maxImagePixels?: number
  /** Most files (default 200,000). */
  maxFiles?: number
  /** Most bytes of decoded pixels in all (default 1 GiB). */
  maxTotalBytes?: number
}

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

/** A file the reader left out, and why. */
export interface SkippedFile {
  readonly path: string
  readonly reason: string
  /** For images that could not be loaded: the `InputError` code it would have thrown. */
  readonly code?: InputErrorCode
}

/** What {@link ImageFolder.scan} finds: everything a UI shows before loading, from headers only. */
export interface ImageFolderScan {
  /** The folder that holds the class folders. */
  readonly root: string
  /** Class names (the subfolders holding images), sorted as Python sorts them. */
  readonly classes: readonly string[]
  readonly classToIdx: Readonly<Record<string, number>>
  /** Images per class, in `classes` order. */
  readonly counts: readonly number[]
  /** Number of loadable images. */
  readonly imageCount: number
  /** Each `height x width` seen, with how many images have it, most common first. */
  readonly sizes: readonly { height: number; width: number; count: number }[]
  /** `[height, width]` when every image has that size. */
  readonly uniformSize: readonly [number, number] | undefined
  /** 1 when every image is grayscale, else 3 (what `channels: 'auto'` picks). */
  readonly channels: 1 | 3
  /** Images per format. */
  readonly formats: { readonly png: number; readonly jpeg: number }
  /** Files that are not images of a class: other files, hidden files, files outside class folders. */
  readonly skipped: readonly SkippedFile[]
  /** Images that cannot be loaded (0 bytes, too large, not PNG/JPEG, unreadable header). */
  readonly problems: readonly SkippedFile[]
}

/** Extensions torchvision's ImageFolder takes (`IMG_EXTENSIONS`); only PNG and JPEG decode here. */
const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif', '.tiff', '.webp']
const HIDDEN = new Set(['thumbs.db', 'desktop.ini'])
/** Bytes of each file read to find its header while scanning. */
const HEAD_BYTES = 1 << 20

interface Candidate {
  readonly path: string
  readonly className: string
  readonly size: number
  read(head?: number): Promise<Uint8Array>
}

const SOURCE_OPTIONS = [
  'root',
  'files',
  'maxImageSide',
  'maxImagePixels',
  'maxFiles',
  'maxTotalBytes',
]
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

function limitsOf(owner: string, o: ImageFolderSource) {
  const positive = (option: keyof ImageFolderSource, fallback: number): number => {
    const v = o[option] ?? fallback
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new OptionError('INVALID_OPTION', {
        owner,
        option,
        value: v,
        expected: 'a positive integer',
      })
    }
    return v
  }
  return {
    maxImageSide: positive('maxImageSide', OWN_DATA_LIMITS.maxImageSide),
    maxImagePixels: positive('maxImagePixels', OWN_DATA_LIMITS.maxImagePixels),
    maxFiles: positive('maxFiles', OWN_DATA_LIMITS.maxFiles),
    maxTotalBytes: positive('maxTotalBytes', OWN_DATA_LIMITS.maxTotalBytes),
  }
}

/** The files under the root, by class, in torchvision's order; and what was left out. */
async function collect(owner: string, options: ImageFolderSource) {
  const limits = limitsOf(owner, options)
  let rootName: string
  let all: { path: string; size: number; read: (head?: number) => Promise<Uint8Array> }[]
  if (options.files !== undefined) {
    if (
      !Array.isArray(options.files) ||
      !options.files.every((f) => typeof f?.path === 'string' && f.bytes instanceof Uint8Array)
    ) {
      throw new OptionError('INVALID_OPTION', {
        owner,
        option: 'files',
        value: options.files,
        expected: 'an array of { path: string, bytes: Uint8Array }',
      })
    }
    if (options.files.length > limits.maxFiles) {
      throw new InputError('TOO_MANY_FILES', {
        root: '<files>',
        count: options.files.length,
        maxFiles: limits.maxFiles,
      })
    }
    const files = options.files.map((f) => ({ path: normalizePath(f.path), bytes: f.bytes }))
    const prefix =
      options.root !== undefined
        ? `${normalizePath(options.root).replace(/\/$/, '')}/`
        : findRoot(files.map((f) => f.path))
    rootName = prefix === '/' || prefix === '' ? '<files>' : prefix.replace(/\/$/, '')
    all = files
      .filter((f) => prefix === '' || prefix === '/' || f.path.startsWith(prefix))
      .map((f) => ({
        path: prefix === '/' ? f.path : f.path.slice(prefix.length),
        size: f.bytes.length,
        read: async (head?: number) => (head === undefined ? f.bytes : f.bytes.subarray(0, head)),
      }))
  } else {
    if (!isNode() || typeof options.root !== 'string' || options.root === '') {
      throw new OptionError('INVALID_OPTION', {
        owner,
        option: 'root',
        value: options.root,
        expected: isNode()
          ? 'a directory path, or give files'
          : 'absent: in a browser give files (e.g. from fromZip)',
      })
    }
    rootName = options.root
    const tree = await listTree(options.root, limits.maxFiles).catch((error: unknown) => {
      if (
        (error as { code?: string }).code === 'ENOENT' ||
        (error as { code?: string }).code === 'ENOTDIR'
      ) {
        throw new InputError(
          'FOLDER_EMPTY',
          { root: options.root!, reason: 'no such folder' },
          { cause: error },
        )
      }
      throw error
    })
    all = tree.map((entry) => ({
      path: entry.path,
      size: entry.size,
      read: async (head?: number) => {
        const bytes = await readEntry(entry)
        return head === undefined ? bytes : bytes.subarray(0, head)
      },
    }))
  }
  const skipped: SkippedFile[] = []
  const candidates: Candidate[] = []
  const classNames = new Set<string>()
  for (const file of all) {
    const parts = file.path.split('/')
    const name = parts[parts.length - 1]!
    if (
      parts.some((p) => p.startsWith('.')) ||
      HIDDEN.has(name.toLowerCase()) ||
      parts[0] === '__MACOSX'
    ) {
      skipped.push({ path: file.path, reason: 'hidden file' })
      continue
    }
    if (parts.length < 2) {
      skipped.push({ path: file.path, reason: 'not in a class folder' })
      continue
    }
    const dot = name.lastIndexOf('.')
    const ext = dot < 0 ? '' : name.slice(dot).toLowerCase()
    if (!IMAGE_EXTENSIONS.includes(ext)) {
      skipped.push({ path: file.path, reason: `not an image (${ext || 'no extension'})` })
      continue
    }
    classNames.add(parts[0]!)
    candidates.push({ path: file.path, className: parts[0]!, size: file.size, read: file.read })
  }
  const classes = [...classNames].sort(compareCodePoints)
  const dirOf = (p: string) => p.slice(0, p.lastIndexOf('/'))
  const classIndex = new Map(classes.map((c, i) => [c, i]))
  candidates.sort(
    (a, b) =>
      classIndex.get(a.className)! - classIndex.get(b.className)! ||
      compareCodePoints(dirOf(a.path), dirOf(b.path)) ||
      compareCodePoints(a.path, b.path),
  )
  return { rootName, classes, candidates, skipped, limits }
}

/** The deepest folder that every file path starts with and below which files sit in class folders. */
function findRoot(paths: readonly string[]): string {
  const visible = paths.filter(
    (p) =>
      !p.split('/').some((s) => s.startsWith('.') || s === '__MACOSX') &&
      IMAGE_EXTENSIONS.some((ext) => p.toLowerCase().endsWith(ext)),
  )
  if (visible.length === 0) return ''
  const dirs = visible.map((p) => p.split('/').slice(0, -1))
  let common = dirs[0]!
  for (const d of dirs) {
    let k = 0
    while (k < common.length && k < d.length && common[k] === d[k]) k++
    common = common.slice(0, k)
  }
  // Images must sit at least one folder (their class) below the root.
  while (common.length > 0 && dirs.some((d) => d.length <= common.length))
    common = common.slice(0, -1)
  return common.length === 0 ? '' : `${common.join('/')}/`
}

function problemOf(
  path: string,
  header: ImageHeader | HeaderProblem,
  limits: ReturnType<typeof limitsOf>,
): (SkippedFile & { error: InputError }) | undefined {
  const fail = (error: InputError, reason: string) => ({ path, reason, code: error.code, error })
  if (!isHeader(header)) {
    if (header.kind === 'empty') {
      return fail(
        new InputError('IMAGE_CORRUPT', { file: path, format: 'image', reason: '0-byte file' }),
        'empty (0 bytes)',
      )
    }
    if (header.kind === 'other-image') {
      const reason = `${header.format} is not decoded here, only PNG and JPEG`
      return fail(new InputError('IMAGE_UNSUPPORTED', { file: path, reason }), reason)
    }
    if (header.kind === 'not-an-image') {
      const reason = `not a PNG or JPEG file (it starts with ${header.firstBytes})`
      return fail(new InputError('IMAGE_UNSUPPORTED', { file: path, reason }), reason)
    }
    return fail(
      new InputError('IMAGE_CORRUPT', {
        file: path,
        format: header.format.toUpperCase(),
        reason: header.reason,
      }),
      header.reason,
    )
  }
  const { width, height } = header
  if (
    width > limits.maxImageSide ||
    height > limits.maxImageSide ||
    width * height > limits.maxImagePixels
  ) {
    const error = new InputError('IMAGE_TOO_LARGE', { file: path, width, height, ...limits })
    return fail(error, `${width} x ${height} pixels is over the limit`)
  }
  return undefined
}

interface Scanned {
  readonly scan: ImageFolderScan
  readonly images: readonly { candidate: Candidate; header: ImageHeader; label: number }[]
  readonly problemErrors: ReadonlyMap<string, InputError>
  readonly limits: ReturnType<typeof limitsOf>
}

async function scanFolder(owner: string, options: ImageFolderSource): Promise<Scanned> {
  const { rootName, classes, candidates, skipped, limits } = await collect(owner, options)
  const problems: SkippedFile[] = []
  const problemErrors = new Map<string, InputError>()
  const images: { candidate: Candidate; header: ImageHeader; label: number }[] = []
  const classToIdx = Object.fromEntries(classes.map((c, i) => [c, i]))
  for (const candidate of candidates) {
    const header = readImageHeader(await candidate.read(HEAD_BYTES))
    const problem = problemOf(candidate.path, header, limits)
    if (problem) {
      const { error, ...entry } = problem
      problems.push(entry)
      problemErrors.set(candidate.path, error)
      continue
    }
    images.push({
      candidate,
      header: header as ImageHeader,
      label: classToIdx[candidate.className]!,
    })
  }
  const counts = classes.map(() => 0)
  const sizeCounts = new Map<string, { height: number; width: number; count: number }>()
  const formats = { png: 0, jpeg: 0 }
  let gray = 0
  for (const { header, label } of images) {
    counts[label]!++
    const key = `${header.height}x${header.width}`
    const entry = sizeCounts.get(key) ?? { height: header.height, width: header.width, count: 0 }
    entry.count++
    sizeCounts.set(key, entry)
    formats[header.format]++
    if (header.channels === 1) gray++
  }
  const sizes = [...sizeCounts.values()].sort((a, b) => b.count - a.count)
  return {
    scan: {
      root: rootName,
      classes,
      classToIdx,
      counts,
      imageCount: images.length,
      sizes,
      uniformSize: sizes.length === 1 ? [sizes[0]!.height, sizes[0]!.width] : undefined,
      channels: gray === images.length && images.length > 0 ? 1 : 3,
      formats,
      skipped,
      problems,
    },
    images,
    problemErrors,
    limits,
  }
}

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

function checkOptions<T extends object>(owner: string, options: T, known: readonly string[]): T {
  if (options === null || typeof options !== 'object') {
    throw new OptionError('INVALID_OPTION', {
      owner,
      option: 'options',
      value: options,
      expected: 'an object such as { root }',
    })
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const suggestion = known.find((k) => k.toLowerCase() === key.replace(/_/g, '').toLowerCase())
      throw new OptionError('UNKNOWN_OPTION', { owner, option: key, suggestion })
    }
  }
  return options
}
