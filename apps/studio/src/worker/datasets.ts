import {
  CIFAR10,
  CSVDataset,
  FashionMNIST,
  fromZip,
  ImageFolder,
  type InputFile,
  MNIST,
} from '@tensorloom/data'
import type { NodeParams } from '@tensorloom/graph'
import type { RawSplit, SplitRequest } from '@tensorloom/train'
import { loadSplit } from '@tensorloom/train'
import { FASHION_FILES, type StudioDatasetConfig, studioDatasets } from '../data/datasetConfig'
import { openDataStorage } from '../data/storage'
import { builtinId, isLocalSource } from '../data/summary'
import { fetchVerified } from './download'
import type { FromWorker } from './protocol'
import { workerError } from './workerErrors'

type Emit = (message: FromWorker) => void

const base = () => new URL(import.meta.env.BASE_URL, self.location.href).href

/** MNIST as the studio serves it (see vite/mnistAssets.ts). */
const mnistUrl = (file: string) => `${base()}mnist/${file}.gz`
/** FashionMNIST when the build bundles it (see vite/datasetAssets.ts). */
const fashionUrl = (file: string) => `${base()}datasets/fashion-mnist/${file}`

const splitFiles = (train: boolean) => {
  const prefix = train ? 'train' : 't10k'
  return { images: `${prefix}-images-idx3-ubyte`, labels: `${prefix}-labels-idx1-ubyte` }
}

/** Calls `emit` at most every 100 ms (and always for the last call before a pause). */
function throttled(emit: Emit): Emit {
  let last = 0
  return (message) => {
    const now = performance.now()
    if (now - last < 100) return
    last = now
    emit(message)
  }
}

/** The dropped-in files of a kept dataset, unzipped. */
async function storedFiles(id: string, name: string): Promise<InputFile[]> {
  const blob = await (await openDataStorage()).read(id)
  return fromZip(new Uint8Array(await blob.arrayBuffer()), { name })
}

/** The four IDX files of a dataset dropped in by hand, if they are kept. */
async function storedIdx(type: 'FashionMNIST'): Promise<InputFile[] | null> {
  const storage = await openDataStorage()
  const meta = await storage.get(builtinId(type))
  return meta ? storedFiles(meta.id, meta.name) : null
}

/** The file of `files` whose name (without `.gz`) is `name`. */
export function idxFile(files: readonly InputFile[], name: string): InputFile | undefined {
  return files.find((f) => f.path.split('/').pop()!.replace(/\.gz$/, '') === name)
}

/**
 * Loads the samples a graph asks for, in the worker, keeping each loaded dataset for the next run
 * and preview: MNIST from the studio's assets; FashionMNIST from its bundled copy, its files
 * dropped in by hand, or a download (verified, kept in Cache Storage); CIFAR-10 from its archive
 * dropped in by hand; ImageFolder and CSVDataset from the browser's storage (`source` is the id of
 * the kept data); Toy2D generated from its seed.
 */
export class WorkerDatasets {
  private readonly cache = new Map<string, Promise<RawSplit>>()

  constructor(private readonly config: StudioDatasetConfig = studioDatasets) {}

  /** The key a request's samples are kept under. */
  keyOf(request: SplitRequest): string {
    const { dataset, params, train } = request
    switch (dataset) {
      case 'MNIST':
      case 'FashionMNIST':
      case 'CIFAR10':
        return `${dataset}|${train !== false}`
      case 'ImageFolder': {
        const p = params as NodeParams['ImageFolder']
        return `${p.source}|${p.channels === 1 ? 1 : 3}`
      }
      case 'CSVDataset': {
        const p = params as NodeParams['CSVDataset']
        return `${p.source}|${JSON.stringify([p.target, p.features, p.task, p.header, p.skipRows])}`
      }
      case 'Toy2D':
        return `Toy2D|${JSON.stringify(params)}`
    }
  }

  /** Keeps `dataset` as what `request` loads (an import that already read it). */
  remember(request: SplitRequest, dataset: Promise<RawSplit>): void {
    this.keep(this.keyOf(request), dataset)
  }

  /** Drops every kept copy read from `source` (a kept dataset's id, or a palette dataset's type). */
  forget(source: string): void {
    for (const key of [...this.cache.keys()]) {
      if (key.startsWith(`${source}|`)) this.cache.delete(key)
    }
  }

  load(request: SplitRequest, emit: Emit): Promise<RawSplit> {
    const key = this.keyOf(request)
    return this.cache.get(key) ?? this.keep(key, this.read(request, emit))
  }

  private keep(key: string, dataset: Promise<RawSplit>): Promise<RawSplit> {
    dataset.catch(() => {
      if (this.cache.get(key) === dataset) this.cache.delete(key)
    })
    this.cache.set(key, dataset)
    return dataset
  }

  private async read(request: SplitRequest, emit: Emit): Promise<RawSplit> {
    const train = request.train !== false
    switch (request.dataset) {
      case 'MNIST':
        return this.mnist(train, emit)
      case 'FashionMNIST':
        return this.fashion(train, emit)
      case 'CIFAR10':
        return this.cifar(train)
      case 'ImageFolder':
        return this.imageFolder(request.params as NodeParams['ImageFolder'])
      case 'CSVDataset':
        return this.csv(request.params as NodeParams['CSVDataset'])
      case 'Toy2D':
        return loadSplit(request)
    }
  }

  private mnist(train: boolean, emit: Emit) {
    const names = splitFiles(train)
    const label = train ? 'Loading MNIST training images' : 'Loading MNIST test images'
    return MNIST.load({
      train,
      source: { images: mnistUrl(names.images), labels: mnistUrl(names.labels) },
      onProgress: (event) => {
        if (event.type === 'progress' && event.file.includes('images')) {
          emit({
            type: 'loading',
            label,
            loaded: event.receivedBytes,
            total: event.totalBytes ?? null,
          })
        }
      },
    })
  }

  private async fashion(train: boolean, emit: Emit) {
    const names = splitFiles(train)
    const label = `Loading FashionMNIST ${train ? 'training' : 'test'} images`
    if (this.config.FashionMNIST.bundled) {
      return FashionMNIST.load({
        train,
        source: {
          images: fashionUrl(`${names.images}.gz`),
          labels: fashionUrl(`${names.labels}.gz`),
        },
        onProgress: (event) => {
          if (event.type === 'progress' && event.file.includes('images')) {
            emit({
              type: 'loading',
              label,
              loaded: event.receivedBytes,
              total: event.totalBytes ?? null,
            })
          }
        },
      })
    }
    const dropped = await storedIdx('FashionMNIST')
    if (dropped) {
      const images = idxFile(dropped, names.images)
      const labels = idxFile(dropped, names.labels)
      if (images && labels) {
        return FashionMNIST.load({ train, source: { images: images.bytes, labels: labels.bytes } })
      }
    }
    const download = this.config.FashionMNIST.download
    if (!download) throw workerError('DATASET_NEEDS_FILES', { dataset: 'FashionMNIST' })
    const progress = throttled(emit)
    const fetchOne = async (name: string) => {
      const file = `${name}.gz`
      const md5 = download.md5[file]
      if (!md5 || !FASHION_FILES.includes(file as (typeof FASHION_FILES)[number])) {
        throw new Error(`No MD5 is known for FashionMNIST's ${file}`)
      }
      return fetchVerified({
        file,
        mirrors: download.mirrors,
        md5,
        onProgress: (f, loaded, total) => {
          if (!f.includes('images')) return
          progress({ type: 'loading', label: `Downloading FashionMNIST: ${f}`, loaded, total })
          progress({
            type: 'dataStatus',
            dataset: 'FashionMNIST',
            state: 'downloading',
            loaded,
            total,
          })
        },
      })
    }
    try {
      const [images, labels] = await Promise.all([fetchOne(names.images), fetchOne(names.labels)])
      const dataset = await FashionMNIST.load({
        train,
        source: { images: images.bytes, labels: labels.bytes },
      })
      emit({ type: 'dataStatus', dataset: 'FashionMNIST', state: 'ready' })
      return dataset
    } catch (error) {
      const failed = workerError('DATASET_DOWNLOAD_FAILED', {
        dataset: 'FashionMNIST',
        reason: (error as Error).message,
      })
      emit({
        type: 'dataStatus',
        dataset: 'FashionMNIST',
        state: 'failed',
        message: failed.message,
      })
      throw failed
    }
  }

  private async cifar(train: boolean) {
    const storage = await openDataStorage()
    const meta = await storage.get(builtinId('CIFAR10'))
    if (!meta) throw workerError('DATASET_NEEDS_FILES', { dataset: 'CIFAR10' })
    const archive = new Uint8Array(await (await storage.read(meta.id)).arrayBuffer())
    return CIFAR10.load({ archive, train })
  }

  private async imageFolder(p: NodeParams['ImageFolder']) {
    const meta = isLocalSource(p.source) ? await (await openDataStorage()).get(p.source) : null
    if (!meta) throw workerError('LOCAL_DATA_MISSING', { source: p.source })
    return ImageFolder.load({
      files: await storedFiles(meta.id, meta.name),
      channels: p.channels === 1 ? 1 : 3,
    })
  }

  private async csv(p: NodeParams['CSVDataset']) {
    const storage = await openDataStorage()
    const meta = isLocalSource(p.source) ? await storage.get(p.source) : null
    if (!meta) throw workerError('LOCAL_DATA_MISSING', { source: p.source })
    return CSVDataset.load({
      source: await storage.read(meta.id),
      name: meta.name,
      target: p.target,
      features: p.features,
      task: p.task,
      header: p.header,
      skipRows: p.skipRows,
    })
  }
}

/** The worker's one set of loaded datasets, shared by training, previews and imports. */
export const workerDatasets = new WorkerDatasets()
