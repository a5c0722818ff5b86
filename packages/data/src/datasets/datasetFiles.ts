import { type DownloadRequest, downloadWithMirrors, joinUrl, memorySink } from '../download.js'
import { DatasetError, OptionError } from '../errors.js'
import { DEFAULT_MAX_INFLATED_BYTES } from '../limits.js'
import { nodeModules } from '../runtime.js'
import { type CacheLike, type CacheStorageLike, openCache, readCached } from './browserCache.js'
import type {
  DatasetFilesOptions,
  DatasetSource,
  DatasetSpec,
  FileSource,
} from './datasetOptions.js'
import { readDataFile } from './readDataFile.js'

/**
 * The images' and the labels' file, read at the same time; when both fail, the images' error is
 * the one reported (not whichever came first), so a message does not change from run to run.
 */
export async function imagesAndLabels<T>(
  images: Promise<T>,
  labels: Promise<T>,
): Promise<{ images: T; labels: T }> {
  const [a, b] = await Promise.allSettled([images, labels])
  if (a.status === 'rejected') throw a.reason
  if (b.status === 'rejected') throw b.reason
  return { images: a.value, labels: b.value }
}

export interface Runtime {
  node: boolean
  caches?: CacheStorageLike | undefined
}

/** The file names of a split, as torchvision and the mirrors name them. */
export const splitNames = (train: boolean) => {
  const prefix = train ? 'train' : 't10k'
  return { images: `${prefix}-images-idx3-ubyte`, labels: `${prefix}-labels-idx1-ubyte` }
}

const isUrlString = (s: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^(data|blob):/i.test(s)

/** A file of a split as read, before it is parsed. */
export interface Loaded {
  bytes: Uint8Array
  name: string
  /** Set for files fetched in the browser: store them in this cache once they parse. */
  cacheIn?: CacheLike | undefined
}

/**
 * What every download of a load shares: progress events, cancellation, the idle timeout, and the
 * size cap (`maxInflatedBytes`, checked by `loadSplitFiles` before anything is read).
 */
export function transferOptions(
  options: DatasetFilesOptions,
): Pick<DownloadRequest, 'onProgress' | 'signal' | 'idleTimeoutMs' | 'maxBytes'> {
  return {
    onProgress: options.onProgress,
    signal: options.signal,
    idleTimeoutMs: options.idleTimeoutMs,
    maxBytes: maxBytesOf(options),
  }
}

/**
 * Fetches the first of `urls` that answers. In the browser, Cache Storage is consulted first and
 * the result marked for caching (after it parses, see {@link loadSplitFiles}).
 */
export async function fetchSource(
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

/** The split's two files from `source`: a directory, a base URL, or each file (bytes, a URL or a path). */
export async function readFromSource(
  spec: DatasetSpec,
  source: DatasetSource,
  names: { images: string; labels: string },
  options: DatasetFilesOptions,
  runtime: Runtime,
): Promise<{ images: Loaded; labels: Loaded }> {
  if (typeof source === 'object' && !(source instanceof URL)) {
    return imagesAndLabels(
      readFileSource(spec, source.images, names.images, options, runtime),
      readFileSource(spec, source.labels, names.labels, options, runtime),
    )
  }
  const base = source instanceof URL ? source.href : source
  const read = async (name: string): Promise<Loaded> => {
    if (!runtime.node || isUrlString(base)) {
      if (runtime.node && base.startsWith('file:')) {
        const { url } = await nodeModules()
        return readFromDirectory(spec, url.fileURLToPath(base), name, maxBytesOf(options))
      }
      const candidates = [name, `${name}.gz`].map((c) => joinUrl(base, c))
      return fetchSource(candidates, name, options, runtime)
    }
    return readFromDirectory(spec, base, name, maxBytesOf(options))
  }
  return imagesAndLabels(read(names.images), read(names.labels))
}

/** The cap on every file read or downloaded (`maxInflatedBytes`, checked before anything is read). */
const maxBytesOf = (options: DatasetFilesOptions): number =>
  options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES

/** The split file `name` in `dir`, plain or `.gz` (Node). */
export async function readFromDirectory(
  spec: DatasetSpec,
  dir: string,
  name: string,
  maxBytes: number,
): Promise<Loaded> {
  const { path } = await nodeModules()
  const candidates = [path.join(dir, name), path.join(dir, `${name}.gz`)]
  for (const file of candidates) {
    const bytes = await readDataFile(file, maxBytes)
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
    const bytes = await readDataFile(file, maxBytesOf(options))
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
