import {
  type DownloadEvent,
  type DownloadRequest,
  downloadWithMirrors,
  joinUrl,
  md5Of,
  memorySink,
} from '../download.js'
import { checkKnownOptions, DatasetError, OptionError } from '../errors.js'
import { isGzip } from '../gunzip.js'
import { DEFAULT_MAX_INFLATED_BYTES, inflateIdxAsync } from '../inflateIdx.js'
import { checkMaxInflatedBytes, type IdxArray, parseIdx } from '../parseIdx.js'
import { isNode, nodeModules } from '../runtime.js'
import {
  type CacheLike,
  type CacheStorageLike,
  openCache,
  readCached,
  writeCached,
} from './browserCache.js'
import { exists, fileSink, readIfExists, writeFileAtomic } from './fileStore.js'

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
   * announces or sends more than this fails with `TOO_LARGE` and the next mirror is tried.
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

interface Runtime {
  node: boolean
  caches?: CacheStorageLike | undefined
}

const splitNames = (train: boolean) => {
  const prefix = train ? 'train' : 't10k'
  return { images: `${prefix}-images-idx3-ubyte`, labels: `${prefix}-labels-idx1-ubyte` }
}

const isUrlString = (s: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^(data|blob):/i.test(s)

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

/**
 * Finds, fetches if asked, and parses the images and labels files of one split of `spec`.
 * Internal: `MNIST.load` and `FashionMNIST.load` call it.
 */
export async function loadSplitFiles(
  spec: DatasetSpec,
  options: DatasetFilesOptions,
  runtime: Runtime = { node: isNode() },
): Promise<SplitFiles> {
  const train = options.train ?? true
  const names = splitNames(train)
  const maxBytes = checkMaxInflatedBytes(`${spec.name}.load`, options.maxInflatedBytes)
  let raw: { images: Loaded; labels: Loaded }
  if (options.source !== undefined) {
    raw = await readFromSource(spec, options.source, names, options, runtime)
  } else if (runtime.node) {
    raw = await readFromRoot(spec, names, options)
  } else {
    raw = await readFromCache(spec, names, options, runtime)
  }
  const inflate = (loaded: Loaded) =>
    isGzip(loaded.bytes)
      ? inflateIdxAsync(loaded.bytes, loaded.name, maxBytes, runtime.node)
      : loaded.bytes
  const [imageBytes, labelBytes] = await Promise.all([inflate(raw.images), inflate(raw.labels)])
  const files = {
    images: parseIdx(imageBytes, { fileName: raw.images.name, maxInflatedBytes: maxBytes }),
    labels: parseIdx(labelBytes, { fileName: raw.labels.name, maxInflatedBytes: maxBytes }),
    imagesFile: raw.images.name,
    labelsFile: raw.labels.name,
  }
  // Fetched source files are cached only once they parsed: a broken file is never kept.
  for (const loaded of [raw.images, raw.labels]) {
    if (loaded.cacheIn) await writeCached(loaded.cacheIn, loaded.name, loaded.bytes)
  }
  return files
}

interface Loaded {
  bytes: Uint8Array
  name: string
  /** Set for files fetched in the browser: store them in this cache once they parse. */
  cacheIn?: CacheLike | undefined
}

/**
 * What every download of a load shares: progress events, cancellation, the idle timeout, and the
 * size cap (`maxInflatedBytes`, checked by `loadSplitFiles` before anything is read).
 */
function transferOptions(
  options: DatasetFilesOptions,
): Pick<DownloadRequest, 'onProgress' | 'signal' | 'idleTimeoutMs' | 'maxBytes'> {
  return {
    onProgress: options.onProgress,
    signal: options.signal,
    idleTimeoutMs: options.idleTimeoutMs,
    maxBytes: options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES,
  }
}

/**
 * Fetches the first of `urls` that answers. In the browser, Cache Storage is consulted first and
 * the result marked for caching (after it parses, see {@link loadSplitFiles}).
 */
async function fetchSource(
  urls: readonly string[],
  name: string,
  options: DatasetFilesOptions,
  runtime: Runtime,
): Promise<Loaded> {
  const cache = runtime.node
    ? undefined
    : await openCache(options.cacheName ?? 'tensorloom-datasets', runtime.caches)
  if (cache) {
    for (const url of urls) {
      const bytes = await readCached(cache, url)
      if (bytes) {
        options.onProgress?.({ type: 'cached', file: name, location: url })
        return { bytes, name: url }
      }
    }
  }
  const sink = memorySink()
  const url = await downloadWithMirrors(
    {
      file: '',
      displayName: name,
      mirrors: urls,
      ...transferOptions(options),
    },
    () => sink,
  )
  return { bytes: sink.result(), name: url, cacheIn: cache }
}

async function readFromSource(
  spec: DatasetSpec,
  source: DatasetSource,
  names: { images: string; labels: string },
  options: DatasetFilesOptions,
  runtime: Runtime,
): Promise<{ images: Loaded; labels: Loaded }> {
  if (typeof source === 'object' && !(source instanceof URL)) {
    const [images, labels] = await Promise.all([
      readFileSource(spec, source.images, names.images, options, runtime),
      readFileSource(spec, source.labels, names.labels, options, runtime),
    ])
    return { images, labels }
  }
  const base = source instanceof URL ? source.href : source
  const [images, labels] = await Promise.all(
    [names.images, names.labels].map(async (name) => {
      if (!runtime.node || isUrlString(base)) {
        if (runtime.node && base.startsWith('file:')) {
          const { url } = await nodeModules()
          return readFromDirectory(spec, url.fileURLToPath(base), name)
        }
        const candidates = [name, `${name}.gz`].map((c) => joinUrl(base, c))
        return fetchSource(candidates, name, options, runtime)
      }
      return readFromDirectory(spec, base, name)
    }),
  )
  return { images: images!, labels: labels! }
}

async function readFromDirectory(spec: DatasetSpec, dir: string, name: string): Promise<Loaded> {
  const { path } = await nodeModules()
  const candidates = [path.join(dir, name), path.join(dir, `${name}.gz`)]
  for (const file of candidates) {
    const bytes = await readIfExists(file)
    if (bytes) return { bytes, name: file }
  }
  throw new DatasetError('DATASET_NOT_FOUND', {
    dataset: spec.name,
    file: name,
    searched: candidates,
  })
}

async function readFileSource(
  spec: DatasetSpec,
  source: FileSource,
  name: string,
  options: DatasetFilesOptions,
  runtime: Runtime,
): Promise<Loaded> {
  if (source instanceof Uint8Array) return { bytes: source, name: `${name} (bytes)` }
  if (source instanceof ArrayBuffer)
    return { bytes: new Uint8Array(source), name: `${name} (bytes)` }
  const href = source instanceof URL ? source.href : source
  if (typeof href !== 'string') {
    throw new OptionError('INVALID_OPTION', {
      owner: `${spec.name}.load`,
      option: 'source',
      value: source,
      expected: 'bytes (Uint8Array or ArrayBuffer), a URL or a path for each of images and labels',
    })
  }
  if (runtime.node && (href.startsWith('file:') || !isUrlString(href))) {
    const { url } = await nodeModules()
    const file = href.startsWith('file:') ? url.fileURLToPath(href) : href
    const bytes = await readIfExists(file)
    if (!bytes) {
      throw new DatasetError('DATASET_NOT_FOUND', {
        dataset: spec.name,
        file: name,
        searched: [file],
      })
    }
    return { bytes, name: file }
  }
  return fetchSource([href], name, options, runtime)
}

function requireRoot(spec: DatasetSpec, options: DatasetFilesOptions): string {
  if (options.root === undefined) {
    throw new OptionError('INVALID_OPTION', {
      owner: `${spec.name}.load`,
      option: 'root',
      value: undefined,
      expected: `a directory such as "./data" (files are kept in <root>/${spec.name}/raw/), or give \`source\``,
    })
  }
  return options.root
}

async function readFromRoot(
  spec: DatasetSpec,
  names: { images: string; labels: string },
  options: DatasetFilesOptions,
): Promise<{ images: Loaded; labels: Loaded }> {
  const { path } = await nodeModules()
  const rawDir = path.join(requireRoot(spec, options), spec.name, 'raw')
  if (options.download) await downloadToDirectory(spec, rawDir, options)
  const [images, labels] = await Promise.all([
    readFromDirectory(spec, rawDir, names.images),
    readFromDirectory(spec, rawDir, names.labels),
  ])
  return { images, labels }
}

/**
 * torchvision's `download()`: for each of the four files that is missing from `rawDir`, reuse a
 * `.gz` whose MD5 matches or download it from the mirrors (MD5-checked, written atomically), then
 * extract it next to it (atomically).
 */
async function downloadToDirectory(
  spec: DatasetSpec,
  rawDir: string,
  options: DatasetFilesOptions,
): Promise<void> {
  const { fs, path } = await nodeModules()
  const maxBytes = checkMaxInflatedBytes(`${spec.name}.load`, options.maxInflatedBytes)
  await fs.mkdir(rawDir, { recursive: true })
  for (const resource of spec.resources) {
    const gzPath = path.join(rawDir, resource.file)
    const plainPath = gzPath.replace(/\.gz$/, '')
    if (await exists(plainPath)) {
      options.onProgress?.({ type: 'cached', file: resource.file, location: plainPath })
      continue
    }
    const existing = await readIfExists(gzPath)
    if (existing && (await md5Of(existing)) === resource.md5) {
      options.onProgress?.({ type: 'cached', file: resource.file, location: gzPath })
    } else {
      await downloadWithMirrors(
        {
          file: resource.file,
          mirrors: options.mirrors ?? spec.mirrors,
          md5: resource.md5,
          ...transferOptions(options),
        },
        () => fileSink(gzPath),
      )
    }
    const gz = await readIfExists(gzPath)
    if (!gz) throw new Error(`${gzPath} vanished after download`)
    await writeFileAtomic(plainPath, await inflateIdxAsync(gz, gzPath, maxBytes, true))
  }
}

async function readFromCache(
  spec: DatasetSpec,
  names: { images: string; labels: string },
  options: DatasetFilesOptions,
  runtime: Runtime,
): Promise<{ images: Loaded; labels: Loaded }> {
  const cache = await openCache(options.cacheName ?? 'tensorloom-datasets', runtime.caches)
  const mirrors = options.mirrors ?? spec.mirrors
  const load = async (name: string): Promise<Loaded> => {
    const resource = spec.resources.find((r) => r.file === `${name}.gz`)
    if (!resource) throw new Error(`${spec.name} has no resource ${name}.gz`)
    const urls = mirrors.map((m) => joinUrl(m, resource.file))
    if (cache) {
      for (const url of urls) {
        const bytes = await readCached(cache, url)
        if (bytes && (await md5Of(bytes)) === resource.md5) {
          options.onProgress?.({ type: 'cached', file: resource.file, location: url })
          return { bytes, name: url }
        }
      }
    }
    if (!options.download) {
      throw new DatasetError('DATASET_NOT_FOUND', {
        dataset: spec.name,
        file: resource.file,
        searched: cache ? urls.map((u) => `cache:${u}`) : ['(no Cache Storage here)'],
      })
    }
    const sink = memorySink()
    const url = await downloadWithMirrors(
      {
        file: resource.file,
        mirrors,
        md5: resource.md5,
        ...transferOptions(options),
      },
      () => sink,
    )
    const bytes = sink.result()
    if (cache) await writeCached(cache, url, bytes)
    return { bytes, name: url }
  }
  const [images, labels] = await Promise.all([load(names.images), load(names.labels)])
  return { images, labels }
}
