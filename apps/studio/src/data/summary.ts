/**
 * What the studio keeps about a dataset the user dropped in, next to its files in the browser's
 * storage: where it came from, what a scan found, and what the UI shows before any training.
 * Plain data: the worker writes it, the page lists it.
 */

/** Images in class folders (a dropped folder or a .zip). */
export interface ImagesSummary {
  kind: 'images'
  classes: string[]
  /** Images per class, in `classes` order. */
  counts: number[]
  imageCount: number
  /** The most common sizes, with how many images have each. */
  sizes: { height: number; width: number; count: number }[]
  channels: 1 | 3
  /** Files left out (not images of a class) and images that cannot be read, the first few. */
  skipped: { path: string; reason: string }[]
  skippedCount: number
  problems: { path: string; reason: string }[]
  problemCount: number
}

/** A CSV table. */
export interface CsvSummary {
  kind: 'csv'
  columns: string[]
  kinds: ('numeric' | 'categorical' | 'empty')[]
  rowCount: number
  header: boolean
  skipRows: number
  target: string
  features: string[]
  task: 'classification' | 'regression'
  /** The target's distinct values, sorted (the class labels); [] for regression. */
  classes: string[]
  /** Rows per class, in `classes` order. */
  counts: number[]
  /**
   * Names for the class labels when the file gives them (scikit-learn's files put them in their
   * first line: `150,4,setosa,versicolor,virginica`), by label.
   */
  labelNames: Record<string, string>
  /** The first records as text, after `skipRows` (the header too, when there is one). */
  preview: string[][]
  /** Why the header and skip rows were chosen, when they were guessed. */
  detected: string | null
}

/** The four IDX files of a torchvision dataset (FashionMNIST dropped in by hand). */
export interface IdxSummary {
  kind: 'idx'
  dataset: 'FashionMNIST'
  trainCount: number
  testCount: number
}

/** CIFAR-10's official archive, dropped in by hand. */
export interface CifarSummary {
  kind: 'cifar'
  trainCount: number
  testCount: number
}

export type DataSummary = ImagesSummary | CsvSummary | IdxSummary | CifarSummary

/** One stored dataset. */
export interface StoredMeta {
  /** Stable id: `local:<name>-<n>` for a dataset of one's own, `dataset:<Type>` for dropped-in files of a palette dataset. */
  id: string
  /** The folder or file name it came from (`pets`, `iris.csv`): the default data root of exports. */
  name: string
  /** The one file holding the data, in the dataset's storage folder. */
  payload: string
  /** Bytes of the payload. */
  bytes: number
  /** Files dropped in. */
  files: number
  createdAt: string
  summary: DataSummary
}

/** The id under which dropped-in files of a palette dataset (FashionMNIST, CIFAR10) are kept. */
export const builtinId = (type: 'FashionMNIST' | 'CIFAR10') => `dataset:${type}`

/** True for a `source` that names a dataset kept in the browser. */
export const isLocalSource = (source: unknown): source is string =>
  typeof source === 'string' && source.startsWith('local:')

/** A short name for ids: lower case letters, digits and dashes. */
export function slugOf(name: string): string {
  const base = name
    .replace(/\.(zip|csv|tsv|txt)$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
  return base || 'data'
}

/** The first free id `local:<slug>-<n>` (n from 1) among `taken`. */
export function newLocalId(name: string, taken: Iterable<string>): string {
  const used = new Set(taken)
  const slug = slugOf(name)
  for (let n = 1; ; n++) {
    const id = `local:${slug}-${n}`
    if (!used.has(id)) return id
  }
}
