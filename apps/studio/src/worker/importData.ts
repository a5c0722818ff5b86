// Kept whole (a little over 400 lines): the worker's data import, each format's reader (images, CSV,
// IDX, CIFAR-10) next to the handler that picks one and the hints that put its errors in studio terms.
import {
  CIFAR10,
  CSVDataset,
  DataError,
  FashionMNIST,
  fromZip,
  ImageFolder,
  type InputFile,
} from '@tensorloom/data'
import type { RawSplit, SplitRequest } from '@tensorloom/train'
import { zipSync } from 'fflate'
import { firstRecords, guessTarget, sniffLayout } from '../data/csvSniff'
import { openDataStorage } from '../data/storage'
import type {
  CifarSummary,
  CsvSummary,
  IdxSummary,
  ImagesSummary,
  StoredMeta,
} from '../data/summary'
import { builtinId, newLocalId } from '../data/summary'
import { idxFile, workerDatasets } from './datasets'
import type { DataHandlers } from './host'
import type { CsvChoice, FromWorker, ToWorker } from './protocol'
import { workerError } from './workerErrors'

type ImportMessage = Extract<ToWorker, { type: 'importData' }>
type Emit = (message: FromWorker) => void
type Progress = (label: string, done: number, total: number) => void

const IMAGE = /\.(png|jpe?g|gif|bmp|webp|tiff?)$/i
const IDX = /(train|t10k)-(images-idx3|labels-idx1)-ubyte(\.gz)?$/
const IDX_NAMES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
]
/** How many skipped files and unreadable images the summary lists by name. */
const LISTED = 8
/** Bytes of a CSV file read for its preview and layout guess. */
const CSV_HEAD = 64 * 1024
const PREVIEW_ROWS = 12

const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/

const fileName = (path: string) => path.split('/').pop() ?? path

async function bytesOf(file: Blob): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer())
}

/** The files' bytes, read a few at a time, with progress. */
async function readAll(
  files: readonly { path: string; file: Blob }[],
  progress: Progress,
): Promise<InputFile[]> {
  const out: InputFile[] = new Array(files.length)
  let next = 0
  let done = 0
  const worker = async () => {
    while (next < files.length) {
      const i = next++
      const { path, file } = files[i]!
      out[i] = { path, bytes: await bytesOf(file) }
      if (++done % 50 === 0 || done === files.length) progress('Reading files', done, files.length)
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker))
  return out
}

/** The files packed into one uncompressed zip (PNG and JPEG are compressed already). */
function pack(files: readonly InputFile[]): Blob {
  const tree: Record<string, [Uint8Array, { level: 0 }]> = {}
  for (const f of files) tree[f.path] = [f.bytes, { level: 0 }]
  return new Blob([zipSync(tree) as Uint8Array<ArrayBuffer>], { type: 'application/zip' })
}

const listed = (files: readonly { path: string; reason: string }[]) =>
  files.slice(0, LISTED).map(({ path, reason }) => ({ path, reason }))

async function importImages(
  files: InputFile[],
  payload: Blob,
  progress: Progress,
): Promise<{ summary: ImagesSummary; payload: Blob; dataset: Promise<RawSplit> }> {
  progress('Reading image headers', 0, files.length)
  const scan = await ImageFolder.scan({ files })
  // Every image is decoded now, so a bad one is named before anything is kept (and the decoded
  // images are the ones the first run trains on).
  const loaded = await ImageFolder.load({
    files,
    channels: scan.channels,
    onProgress: ({ decoded, total }) => {
      if (decoded % 50 === 0 || decoded === total) progress('Decoding images', decoded, total)
    },
  })
  return {
    summary: {
      kind: 'images',
      classes: [...scan.classes],
      counts: [...scan.counts],
      imageCount: scan.imageCount,
      sizes: scan.sizes.slice(0, 5).map((s) => ({ ...s })),
      channels: scan.channels,
      skipped: listed(scan.skipped),
      skippedCount: scan.skipped.length,
      problems: listed(scan.problems),
      problemCount: scan.problems.length,
    },
    payload,
    dataset: Promise.resolve(loaded as unknown as RawSplit),
  }
}

/** Reads a CSV file as `choice` says (or as its first lines suggest), checking every row. */
async function readCsv(
  name: string,
  file: Blob,
  choice: CsvChoice | null,
  progress: Progress,
): Promise<{ summary: CsvSummary; dataset: CSVDataset }> {
  const head = await file.slice(0, CSV_HEAD).text()
  const records = firstRecords(head, PREVIEW_ROWS + 50)
  const guess = sniffLayout(records)
  const layout = choice ? { ...guess, ...choice, detected: null } : guess
  if (choice && (choice.header !== guess.header || choice.skipRows !== guess.skipRows)) {
    layout.labelNames = choice.skipRows === guess.skipRows ? guess.labelNames : {}
  }
  progress('Reading the table', 0, 1)
  const scan = await CSVDataset.scan(file, {
    name,
    header: layout.header,
    skipRows: layout.skipRows,
  })
  const target = scan.columns.includes(layout.target) ? layout.target : guessTarget(scan.columns)
  const targetScan = await CSVDataset.scan(file, {
    name,
    header: layout.header,
    skipRows: layout.skipRows,
    target,
  })
  // A column of mostly numbers with a bad cell (a word, an empty cell, NaN) is still a feature:
  // reading it then names that row and column, instead of leaving the column out without a word.
  const body = records.slice(layout.skipRows + (layout.header ? 1 : 0))
  const looksNumeric = (i: number) => {
    const cells = body.map((r) => (r[i] ?? '').trim()).filter((c) => c !== '')
    return cells.filter((c) => NUMBER.test(c)).length * 2 > cells.length
  }
  const features = scan.columns.filter(
    (c, i) =>
      c !== target &&
      (scan.kinds[i] === 'numeric' || (scan.kinds[i] === 'categorical' && looksNumeric(i))),
  )
  const task = targetScan.task ?? 'classification'
  const dataset = await CSVDataset.load({
    source: file,
    name,
    target,
    features,
    task,
    header: layout.header,
    skipRows: layout.skipRows,
  })
  const classes = task === 'classification' ? [...(dataset.classes ?? [])] : []
  const counts = classes.map(() => 0)
  if (task === 'classification') for (const t of dataset.targets) counts[t]!++
  progress('Reading the table', 1, 1)
  const preview = firstRecords(head, layout.skipRows + PREVIEW_ROWS + (layout.header ? 1 : 0))
    .slice(layout.skipRows)
    .slice(0, PREVIEW_ROWS + (layout.header ? 1 : 0))
  return {
    summary: {
      kind: 'csv',
      columns: [...scan.columns],
      kinds: [...scan.kinds],
      rowCount: scan.rowCount,
      header: layout.header,
      skipRows: layout.skipRows,
      target,
      features,
      task,
      classes,
      counts,
      labelNames: Object.fromEntries(
        Object.entries(layout.labelNames).filter(([label]) => classes.includes(label)),
      ),
      preview,
      detected: layout.detected,
    },
    dataset,
  }
}

async function importIdx(files: InputFile[]): Promise<{ summary: IdxSummary; payload: Blob }> {
  const missing = IDX_NAMES.filter((n) => !idxFile(files, n))
  if (missing.length > 0) {
    throw workerError('IMPORT_IDX_MISSING', { dataset: 'FashionMNIST', missing })
  }
  const split = (train: boolean) => {
    const prefix = train ? 'train' : 't10k'
    return FashionMNIST.load({
      train,
      source: {
        images: idxFile(files, `${prefix}-images-idx3-ubyte`)!.bytes,
        labels: idxFile(files, `${prefix}-labels-idx1-ubyte`)!.bytes,
      },
    })
  }
  const [train, test] = await Promise.all([split(true), split(false)])
  const kept = IDX_NAMES.map((n) => idxFile(files, n)!).map((f) => ({
    path: fileName(f.path),
    bytes: f.bytes,
  }))
  return {
    summary: {
      kind: 'idx',
      dataset: 'FashionMNIST',
      trainCount: train.length,
      testCount: test.length,
    },
    payload: pack(kept),
  }
}

async function importCifar(name: string, file: Blob): Promise<{ summary: CifarSummary }> {
  const archive = await bytesOf(file)
  if (archive[0] !== 0x1f || archive[1] !== 0x8b) throw workerError('IMPORT_NOT_CIFAR', { name })
  const test = await CIFAR10.load({ archive, train: false })
  return { summary: { kind: 'cifar', trainCount: 50_000, testCount: test.length } }
}

function kindOf(message: ImportMessage): 'csv' | 'zip' | 'cifar' | 'idx' | 'images' {
  const { files, name, into } = message
  if (files.length === 0) throw workerError('IMPORT_UNRECOGNISED', { name })
  const only = files.length === 1 ? fileName(files[0]!.path) : null
  if (into === 'CIFAR10') {
    if (!only || !/\.(tar\.gz|tgz)$/i.test(only)) throw workerError('IMPORT_NOT_CIFAR', { name })
    return 'cifar'
  }
  if (files.every((f) => IDX.test(fileName(f.path)))) return 'idx'
  if (only) {
    if (/\.(csv|txt)$/i.test(only)) return 'csv'
    if (/\.zip$/i.test(only)) return 'zip'
    if (/cifar.*\.(tar\.gz|tgz)$/i.test(only)) return 'cifar'
    if (IMAGE.test(only)) throw workerError('IMPORT_SINGLE_IMAGE', { name: only })
    throw workerError('IMPORT_UNRECOGNISED', { name: only })
  }
  return 'images'
}

/** What to do about a bad drop, in the studio's terms (the data package's hints name its options). */
const STUDIO_HINTS: Record<string, string> = {
  IMAGE_CORRUPT: 'Replace or delete that file, then drop the folder again.',
  IMAGE_UNSUPPORTED: 'Convert it to PNG or JPEG, or delete it, then drop the folder again.',
  IMAGE_TOO_LARGE: 'Make the image smaller, or delete it, then drop the folder again.',
  TOO_MANY_FILES: 'Drop a smaller folder.',
  TOO_MUCH_DATA: 'Drop fewer or smaller images.',
  ZIP_TOO_LARGE: 'Drop a smaller zip, or the folder itself.',
  CSV_TOO_LARGE: 'Drop a smaller file.',
  CSV_BAD_CELL: 'Fix or delete that row, then drop the file again.',
}

/** A data error with the studio's hint in place of the library's. */
function inStudioTerms(error: unknown): unknown {
  if (!(error instanceof DataError)) return error
  const hint = STUDIO_HINTS[error.code]
  if (!hint || !error.message.endsWith(error.hint)) return error
  const message = `${error.message.slice(0, -error.hint.length).trimEnd()} ${hint}`
  return Object.assign(new Error(message), { code: error.code })
}

/**
 * Imports dropped-in data: finds out what it is (a class folder, a zip of one, a CSV file, the
 * four IDX files of FashionMNIST, CIFAR-10's archive), reads all of it — so a bad file is named
 * now, and nothing is kept — then keeps it in the browser's storage under a stable id and the
 * worker's copy for the first run. Returns what the page shows.
 */
async function importData(message: ImportMessage, emit: Emit): Promise<StoredMeta> {
  const progress: Progress = (label, done, total) =>
    emit({ type: 'importProgress', importId: message.requestId, label, done, total })
  const storage = await openDataStorage()
  const { name } = message
  let kind = kindOf(message)
  const bytes = message.files.reduce((n, f) => n + f.file.size, 0)
  let files: InputFile[] | null = null
  if (kind === 'zip') {
    progress('Unpacking the zip', 0, 1)
    files = fromZip(await bytesOf(message.files[0]!.file), { name })
    kind = files.length > 0 && files.every((f) => IDX.test(fileName(f.path))) ? 'idx' : 'images'
  }
  if (message.into === 'FashionMNIST' && kind !== 'idx') {
    const names = (files ?? message.files).map((f) => fileName(f.path))
    throw workerError('IMPORT_IDX_MISSING', {
      dataset: 'FashionMNIST',
      missing: IDX_NAMES.filter((n) => !names.some((f) => f.replace(/\.gz$/, '') === n)),
    })
  }
  const into =
    message.into ?? (kind === 'idx' ? 'FashionMNIST' : kind === 'cifar' ? 'CIFAR10' : null)
  const existing = (await storage.list()).map((m) => m.id)
  const id = into ? builtinId(into) : (message.id ?? newLocalId(name, existing))
  // Four picked files have no folder name: say what they are.
  const shown =
    kind === 'idx' && (name === 'files' || name === 'images') ? `${into}'s IDX files` : name
  const meta = (summary: StoredMeta['summary'], payload: string, size: number): StoredMeta => ({
    id,
    name: shown,
    payload,
    bytes: size,
    files: files?.length ?? message.files.length,
    createdAt: new Date().toISOString(),
    summary,
  })
  let stored: StoredMeta
  let payload: Blob
  let dataset: Promise<RawSplit> | null = null
  let request: SplitRequest | null = null
  switch (kind) {
    case 'csv': {
      const file = message.files[0]!.file
      const read = await readCsv(name, file, message.csv, progress)
      payload = file
      stored = meta(read.summary, 'data.csv', file.size)
      const s = read.summary
      request = {
        dataset: 'CSVDataset',
        params: {
          source: id,
          target: s.target,
          features: s.features,
          task: s.task,
          header: s.header,
          skipRows: s.skipRows,
        },
        train: null,
      }
      dataset = Promise.resolve(read.dataset as unknown as RawSplit)
      break
    }
    case 'idx': {
      files ??= await readAll(message.files, progress)
      const read = await importIdx(files)
      payload = read.payload
      stored = meta(read.summary, 'idx.zip', payload.size)
      break
    }
    case 'cifar': {
      const file = message.files[0]!.file
      progress('Reading the archive', 0, 1)
      const read = await importCifar(name, file)
      payload = file
      stored = meta(read.summary, 'cifar-10-python.tar.gz', file.size)
      break
    }
    default: {
      const zipped = files !== null
      files ??= await readAll(message.files, progress)
      const read = await importImages(
        files,
        zipped ? message.files[0]!.file : pack(files),
        progress,
      )
      payload = read.payload
      stored = meta(read.summary, 'data.zip', payload.size || bytes)
      request = {
        dataset: 'ImageFolder',
        params: { source: id, channels: read.summary.channels },
        train: null,
      }
      dataset = read.dataset
    }
  }
  progress('Keeping it in this browser', 0, 1)
  await storage.put(stored, payload)
  workerDatasets.forget(into ?? id)
  if (request && dataset) workerDatasets.remember(request, dataset)
  progress('Keeping it in this browser', 1, 1)
  return stored
}

/** Reads a kept CSV file again with another header, skip rows or target. */
async function rescanData(message: Extract<ToWorker, { type: 'rescanData' }>): Promise<StoredMeta> {
  const storage = await openDataStorage()
  const meta = await storage.get(message.id)
  if (meta?.summary.kind !== 'csv') {
    throw workerError('LOCAL_DATA_MISSING', { source: message.id })
  }
  // A copy: the stored file is replaced below, and a File read from OPFS would go with it.
  const file = new Blob([await (await storage.read(meta.id)).arrayBuffer()], { type: 'text/csv' })
  const read = await readCsv(meta.name, file, message.csv, () => {})
  const updated: StoredMeta = { ...meta, summary: read.summary }
  await storage.put(updated, file)
  workerDatasets.forget(meta.id)
  return updated
}

async function deleteData(id: string): Promise<void> {
  await (await openDataStorage()).remove(id)
  workerDatasets.forget(id.startsWith('dataset:') ? id.slice('dataset:'.length) : id)
}

export const dataHandlers: DataHandlers = {
  importData: (message, emit) =>
    importData(message, emit).catch((error: unknown) => {
      throw inStudioTerms(error)
    }),
  rescanData: (message) =>
    rescanData(message).catch((error: unknown) => {
      throw inStudioTerms(error)
    }),
  deleteData,
}
