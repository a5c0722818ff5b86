import { isDatasetType } from '@tensorloom/graph'
import type { StudioDatasetConfig } from '../data/datasetConfig'
import { studioDatasets } from '../data/datasetConfig'
import type { FetchState } from '../data/fetchState'
import { blockFor, placeDataset } from '../data/placeDataset'
import type { StoredMeta } from '../data/summary'
import type {
  Boundary,
  BoundaryPoints,
  CsvChoice,
  FetchedDataset,
  FromWorker,
} from '../worker/protocol'
import type { SliceCreator, StudioDeps } from './types'

/** A dropped or picked file, with its path in the dropped folder (`pets/cat/1.png`). */
export interface DroppedFile {
  path: string
  file: Blob
}

/** Where dropped data goes: onto a block, or a point of the canvas (flow coordinates). */
export interface DropTarget {
  nodeId?: string | null
  at?: { x: number; y: number } | null
  /** Files for this palette dataset (FashionMNIST's IDX files, CIFAR-10's archive). */
  into?: FetchedDataset | null
}

/** An import in progress. */
export interface ImportStatus {
  name: string
  label: string
  done: number
  total: number
}

export interface DataSlice {
  /** The datasets kept in this browser, by id. */
  localData: Record<string, StoredMeta>
  /** True once the kept datasets have been listed (on start). */
  dataListed: boolean
  /** Where the storage is: OPFS, IndexedDB, or none (data cannot be kept). */
  dataStorage: 'opfs' | 'indexeddb' | 'none' | null
  importing: ImportStatus | null
  /** Downloads of palette datasets (FashionMNIST when not bundled). */
  fetched: Partial<Record<FetchedDataset, FetchState>>
  /** What the build bundles and downloads. */
  datasetConfig: StudioDatasetConfig
  /** The decision boundary of the run on 2-D points: its points and latest picture. */
  boundary: { points: BoundaryPoints | null; picture: Boundary | null }
  setLocalData(list: StoredMeta[], storage: DataSlice['dataStorage']): void
  /**
   * Reads dropped files in the worker, keeps them in this browser, and puts the dataset into the
   * graph (see placeDataset). Resolves with the dataset block's id, or null when it failed — the
   * notice says why, and nothing else changed.
   */
  importFiles(name: string, files: DroppedFile[], target?: DropTarget): Promise<string | null>
  /** Reads a kept CSV file again with another header row, skip rows or target. */
  rescanCsv(nodeId: string, choice: CsvChoice): Promise<boolean>
  /** Deletes a kept dataset from this browser. */
  deleteLocalData(id: string): Promise<void>
  /** Forgets a failed download so the next run or preview tries again. */
  retryDownload(dataset: FetchedDataset): void
  /** Folds the worker's data messages in (download state, decision boundary). */
  receiveData(message: FromWorker): void
}

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`

/** A line saying what was kept. */
export function describeMeta(meta: StoredMeta): string {
  const s = meta.summary
  switch (s.kind) {
    case 'images':
      return `${plural(s.classes.length, 'class', 'classes')}, ${plural(s.imageCount, 'image')}`
    case 'csv':
      return `${plural(s.rowCount, 'row')}, ${plural(s.features.length, 'feature')}${
        s.task === 'classification'
          ? `, ${plural(s.classes.length, 'class', 'classes')}`
          : ' (regression)'
      }`
    case 'idx':
      return `${s.trainCount.toLocaleString('en-US')} training and ${s.testCount.toLocaleString('en-US')} test images`
    case 'cifar':
      return `${s.testCount.toLocaleString('en-US')} test images read; the training batches are read when training`
  }
}

export function createDataSlice(deps: StudioDeps): SliceCreator<DataSlice> {
  return (set, get) => ({
    localData: {},
    dataListed: false,
    dataStorage: null,
    importing: null,
    fetched: {},
    datasetConfig: studioDatasets,
    boundary: { points: null, picture: null },

    setLocalData(list, storage) {
      set({
        localData: Object.fromEntries(list.map((m) => [m.id, m])),
        dataListed: true,
        dataStorage: storage,
      })
    },

    async importFiles(name, files, target = {}) {
      const trainer = deps.trainer
      if (!trainer?.importData) return null
      if (get().importing) {
        get().notify(
          'error',
          `Still reading ${get().importing!.name}: drop ${name} again once it is done.`,
        )
        return null
      }
      const status = { name, label: 'Reading', done: 0, total: files.length }
      set({ importing: status })
      try {
        const { meta } = await trainer.importData(
          { name, files, into: target.into ?? null, csv: null, id: null },
          (p) => set({ importing: { name, label: p.label, done: p.done, total: p.total } }),
        )
        set({ localData: { ...get().localData, [meta.id]: meta } })
        const placed = placeDataset(get().doc, meta, target)
        if (placed.doc !== get().doc) get().commit(placed.doc)
        get().setSelection([placed.nodeId], [])
        get().setPanel('block')
        const type = blockFor(meta).type
        get().notify(
          'success',
          `Kept ${meta.name} in this browser: ${describeMeta(meta)}.${placed.replaced ? ` ${type} took the place of ${placed.replaced} (Undo brings it back).` : ''}`,
        )
        // Ask the browser not to evict the data under storage pressure (it may say no).
        void navigator.storage?.persist?.().catch(() => false)
        return placed.nodeId
      } catch (error) {
        get().notify('error', `${name} was not added: ${(error as Error).message}`)
        return null
      } finally {
        set({ importing: null })
      }
    },

    async rescanCsv(nodeId, choice) {
      const trainer = deps.trainer
      const node = get().doc.nodes.find((n) => n.id === nodeId)
      const source = (node?.params as { source?: unknown } | undefined)?.source
      if (!trainer?.rescanData || node?.type !== 'CSVDataset' || typeof source !== 'string') {
        return false
      }
      try {
        const { meta } = await trainer.rescanData(source, choice)
        set({ localData: { ...get().localData, [meta.id]: meta } })
        const current = get().doc.nodes.find((n) => n.id === nodeId)
        if (!current || !isDatasetType(current.type)) return true
        const placed = placeDataset(get().doc, meta, { nodeId })
        if (placed.doc !== get().doc) get().commit(placed.doc)
        return true
      } catch (error) {
        get().notify('error', `The table could not be read that way: ${(error as Error).message}`)
        return false
      }
    },

    async deleteLocalData(id) {
      const trainer = deps.trainer
      if (!trainer?.deleteData) return
      const meta = get().localData[id]
      try {
        await trainer.deleteData(id)
        const { [id]: _gone, ...rest } = get().localData
        set({ localData: rest })
        get().notify('info', `${meta?.name ?? id} was deleted from this browser.`)
      } catch (error) {
        get().notify(
          'error',
          `${meta?.name ?? id} could not be deleted: ${(error as Error).message}`,
        )
      }
    },

    retryDownload(dataset) {
      const { [dataset]: _failed, ...rest } = get().fetched
      set({ fetched: rest })
    },

    receiveData(message) {
      switch (message.type) {
        case 'dataStatus': {
          const { type: _type, dataset, ...state } = message
          set({ fetched: { ...get().fetched, [dataset]: state } })
          break
        }
        case 'boundaryPoints': {
          const { type: _type, ...points } = message
          set({ boundary: { points, picture: null } })
          break
        }
        case 'boundary': {
          const { type: _type, ...picture } = message
          set({ boundary: { ...get().boundary, picture } })
          break
        }
        case 'finished':
          if (message.results?.boundary) {
            set({ boundary: { ...get().boundary, picture: message.results.boundary } })
          }
          break
        default:
          break
      }
    },
  })
}
