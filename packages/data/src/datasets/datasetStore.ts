import { downloadWithMirrors, joinUrl, md5Of, memorySink } from '../download.js'
import { DatasetError, OptionError } from '../errors.js'
import { inflateIdxAsync } from '../inflateIdx.js'
import { checkMaxInflatedBytes } from '../parseIdx.js'
import { nodeModules } from '../runtime.js'
import { openCache, readCached, writeCached } from './browserCache.js'
import {
  imagesAndLabels,
  type Loaded,
  type Runtime,
  readFromDirectory,
  transferOptions,
} from './datasetFiles.js'
import type { DatasetFilesOptions, DatasetSpec } from './datasetOptions.js'
import { exists, fileSink, writeFileAtomic } from './fileStore.js'
import { readDataFile } from './readDataFile.js'

/*
 * Where a dataset's files are kept when no `source` is given: in Node torchvision's raw folder
 * under `root` (downloaded, MD5-checked and extracted there), in the browser Cache Storage.
 */

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

/**
 * The split's files in torchvision's folder `<root>/<Name>/raw/` (Node), downloading the missing
 * ones first when `download` is set.
 */
export async function readFromRoot(
  spec: DatasetSpec,
  names: { images: string; labels: string },
  options: DatasetFilesOptions,
): Promise<{ images: Loaded; labels: Loaded }> {
  const { path } = await nodeModules()
  const rawDir = path.join(requireRoot(spec, options), spec.name, 'raw')
  if (options.download) await downloadToDirectory(spec, rawDir, options)
  const maxBytes = checkMaxInflatedBytes(`${spec.name}.load`, options.maxInflatedBytes)
  return imagesAndLabels(
    readFromDirectory(spec, rawDir, names.images, maxBytes),
    readFromDirectory(spec, rawDir, names.labels, maxBytes),
  )
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
    const existing = await readDataFile(gzPath, maxBytes)
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
    const gz = await readDataFile(gzPath, maxBytes)
    if (!gz) throw new Error(`${gzPath} vanished after download`)
    await writeFileAtomic(plainPath, await inflateIdxAsync(gz, gzPath, maxBytes, true))
  }
}

/** The split's files from Cache Storage (browser), downloading them into it when `download` is set. */
export async function readFromCache(
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
  return imagesAndLabels(load(names.images), load(names.labels))
}
