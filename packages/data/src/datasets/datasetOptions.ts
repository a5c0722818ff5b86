import type { DownloadEvent } from '../download.js'
import { checkKnownOptions, OptionError } from '../errors.js'
import type { IdxArray } from '../parseIdx.js'
import { checkMaxInflatedBytes } from '../parseIdx.js'

/** One file of a dataset as published: its `.gz` name and torchvision's MD5 of it. */
export interface DatasetResource {
  /** File name on the mirrors, e.g. `train-images-idx3-ubyte.gz`. */
  readonly file: string
  /** MD5 of that `.gz` file (hex), as in torchvision. */
  readonly md5: string
}

/** Where a dataset comes from and what its classes are. */
export interface DatasetSpec {
  /** Folder name under `root`, like torchvision's class name (`MNIST`, `FashionMNIST`). */
  readonly name: string
  /** Base URLs, tried in order. */
  readonly mirrors: readonly string[]
  /** The four files: train images, train labels, test images, test labels. */
  readonly resources: readonly DatasetResource[]
  /** Class names, indexed by label. */
  readonly classes: readonly string[]
}

/** One file given directly: bytes, a URL, or (in Node) a path. */
export type FileSource = Uint8Array | ArrayBuffer | URL | string

/**
 * A local copy of the dataset: a directory (Node) or base URL holding the files under their usual
 * names (plain or `.gz`), or the images and labels files of the split given one by one.
 */
export type DatasetSource =
  | string
  | URL
  | {
      /** The images file of the split (e.g. `train-images-idx3-ubyte`, plain or gzip). */
      readonly images: FileSource
      /** The labels file of the split. */
      readonly labels: FileSource
    }

/** Options shared by `MNIST.load` and `FashionMNIST.load` that decide where the files come from. */
export interface DatasetFilesOptions {
  /**
   * Where datasets are kept (Node): files live in `<root>/<Name>/raw/` with torchvision's names, so
   * torchvision can read the same folder. Required in Node unless `source` is given.
   */
  root?: string
  /** Training split (60,000 samples) when true (default), test split (10,000) when false. */
  train?: boolean
  /**
   * Fetch the files when they are missing: from `mirrors` in order, checking torchvision's MD5, into
   * `<root>/<Name>/raw/` (Node, written atomically, `.gz` kept and extracted, all four files like
   * torchvision) or into Cache Storage (browser, the split's two files). Default false.
   */
  download?: boolean
  /** Read the files from here instead (a directory, a base URL, or each file). Takes precedence. */
  source?: DatasetSource
  /** Called as files are found, downloaded, or a mirror fails. */
  onProgress?: (event: DownloadEvent) => void
  /** Base URLs to download from, instead of torchvision's mirrors. */
  mirrors?: readonly string[]
  /** Cancels downloads. */
  signal?: AbortSignal
  /** Give up on a mirror after this many ms without data (default 30,000). */
  idleTimeoutMs?: number
  /** Cache Storage name used in the browser (default `tensorloom-datasets`). */
  cacheName?: string
  /**
   * The most bytes a `.gz` file may inflate to (default 1 GiB; `Infinity` for none). Each file's IDX header caps it
   * further to the size it declares; inflating stops as soon as either is passed, with
   * `IDX_GZIP_TOO_LARGE`, so a gzip bomb given as `source` cannot exhaust memory. A download that
   * announces or sends more than this fails with `TOO_LARGE` and the next mirror is tried, and a
   * file on disk (plain or gzip) larger than this is refused unread with `DATASET_FILE_TOO_LARGE`.
   */
  maxInflatedBytes?: number
}

/** The option names {@link DatasetFilesOptions} accepts. */
export const FILES_OPTION_NAMES = [
  'root',
  'train',
  'download',
  'source',
  'onProgress',
  'mirrors',
  'signal',
  'idleTimeoutMs',
  'cacheName',
  'maxInflatedBytes',
] as const

/** The two parsed files of one split. */
export interface SplitFiles {
  readonly images: IdxArray
  readonly labels: IdxArray
  readonly imagesFile: string
  readonly labelsFile: string
}

/** Checks the option values shared by the dataset loaders. */
export function validateFilesOptions(
  owner: string,
  options: DatasetFilesOptions,
  known: readonly string[],
): void {
  if (options === null || typeof options !== 'object') {
    throw new OptionError('INVALID_OPTION', {
      owner,
      option: 'options',
      value: options,
      expected: 'an object such as { root: "./data", train: true }',
    })
  }
  checkKnownOptions(owner, options, known)
  const check = (option: string, ok: boolean, expected: string) => {
    if (!ok) {
      throw new OptionError('INVALID_OPTION', {
        owner,
        option,
        value: (options as Record<string, unknown>)[option],
        expected,
      })
    }
  }
  const o = options
  check(
    'root',
    o.root === undefined || (typeof o.root === 'string' && o.root !== ''),
    'a directory path',
  )
  check('train', o.train === undefined || typeof o.train === 'boolean', 'true or false')
  check('download', o.download === undefined || typeof o.download === 'boolean', 'true or false')
  check(
    'mirrors',
    o.mirrors === undefined ||
      (Array.isArray(o.mirrors) &&
        o.mirrors.length > 0 &&
        o.mirrors.every((m) => typeof m === 'string')),
    'a non-empty array of base URLs',
  )
  check(
    'idleTimeoutMs',
    o.idleTimeoutMs === undefined || (typeof o.idleTimeoutMs === 'number' && o.idleTimeoutMs > 0),
    'a positive number of milliseconds',
  )
  check(
    'onProgress',
    o.onProgress === undefined || typeof o.onProgress === 'function',
    'a function',
  )
  checkMaxInflatedBytes(owner, o.maxInflatedBytes)
  const s = o.source
  check(
    'source',
    s === undefined ||
      typeof s === 'string' ||
      s instanceof URL ||
      (typeof s === 'object' && s !== null && 'images' in s && 'labels' in s),
    'a directory, a base URL, or { images, labels } (each bytes, a URL or a path)',
  )
}
