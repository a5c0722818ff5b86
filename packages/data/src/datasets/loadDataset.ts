import { isGzip } from '../gunzip.js'
import { inflateIdxAsync } from '../inflateIdx.js'
import { checkMaxInflatedBytes, parseIdx } from '../parseIdx.js'
import { isNode } from '../runtime.js'
import { writeCached } from './browserCache.js'
import {
  imagesAndLabels,
  type Loaded,
  type Runtime,
  readFromSource,
  splitNames,
} from './datasetFiles.js'
import type { DatasetFilesOptions, DatasetSpec, SplitFiles } from './datasetOptions.js'
import { readFromCache, readFromRoot } from './datasetStore.js'

export {
  type DatasetFilesOptions,
  type DatasetResource,
  type DatasetSource,
  type DatasetSpec,
  FILES_OPTION_NAMES,
  type FileSource,
  type SplitFiles,
  validateFilesOptions,
} from './datasetOptions.js'

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
  const { images: imageBytes, labels: labelBytes } = await imagesAndLabels(
    Promise.resolve(inflate(raw.images)),
    Promise.resolve(inflate(raw.labels)),
  )
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
