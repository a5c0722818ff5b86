import {
  blobs,
  CIFAR10,
  CSVDataset,
  circles,
  type Dataset,
  FashionMNIST,
  ImageFolder,
  type InputFile,
  MNIST,
  moons,
  spirals,
  xor,
} from '@tensorloom/data'
import type { DatasetType, NodeParams } from '@tensorloom/graph'

/** Which samples of a graph's dataset to load: its type, its parameters and the split. */
export interface SplitRequest {
  dataset: DatasetType
  /** The dataset node's parameters (every default filled in). */
  params: object
  /** The training (`true`) or test (`false`) split of a dataset that has both; null: all samples. */
  train: boolean | null
}

/** Where the files are, for {@link datasetLoaders}. */
export interface DataSource {
  /** torchvision's dataset root: `<root>/MNIST/raw/`, `<root>/cifar-10-batches-py/` (default `./data`). */
  root?: string
  /**
   * The data itself (the CLI's `--data`): a folder of the four IDX files, a class folder, a CSV
   * file; for ImageFolder and CSVDataset it replaces the path the document names.
   */
  data?: string
  /** Files in memory (a dropped folder or .zip), for ImageFolder. */
  files?: readonly InputFile[]
  /** Download a torchvision dataset that is missing. */
  download?: boolean
}

type Loaded = Promise<Dataset<readonly [unknown, number]>>

const mnistLike =
  (Class: typeof MNIST) =>
  (_p: object, train: boolean | null, s: DataSource): Loaded =>
    Class.load({
      train: train !== false,
      ...(s.data ? { source: s.data } : { root: s.root ?? './data' }),
      ...(s.download ? { download: true } : {}),
    })

const toy = (p: NodeParams['Toy2D']) => {
  const common = { nSamples: p.samples, generator: p.seed }
  switch (p.problem) {
    case 'moons':
      return moons({ ...common, noise: p.noise })
    case 'circles':
      return circles({ ...common, noise: p.noise })
    case 'spirals':
      return spirals({ ...common, noise: p.noise })
    case 'xor':
      return xor({ ...common, noise: p.noise })
    case 'blobs':
      return blobs({ ...common, centers: p.blobs, clusterStd: p.noise })
  }
}

/**
 * How each graph dataset type is loaded from files (Node) or memory, keyed by the same names as
 * `@tensorloom/graph`'s `blocks`: a dataset type without a loader here does not compile.
 */
export const datasetLoaders = {
  MNIST: mnistLike(MNIST),
  FashionMNIST: mnistLike(FashionMNIST),
  CIFAR10: (_p: NodeParams['CIFAR10'], train: boolean | null, s: DataSource): Loaded =>
    CIFAR10.load({
      train: train !== false,
      root: s.data ?? s.root ?? './data',
      ...(s.download ? { download: true } : {}),
    }),
  ImageFolder: (p: NodeParams['ImageFolder'], _train: boolean | null, s: DataSource): Loaded =>
    ImageFolder.load({
      ...(s.files ? { files: s.files } : { root: s.data ?? p.source }),
      channels: p.channels === 1 ? 1 : 3,
    }),
  CSVDataset: (p: NodeParams['CSVDataset'], _train: boolean | null, s: DataSource): Loaded =>
    CSVDataset.load({
      source: { path: s.data ?? p.source },
      target: p.target,
      features: p.features,
      task: p.task,
      header: p.header,
      skipRows: p.skipRows,
    }),
  Toy2D: async (p: NodeParams['Toy2D']) => toy(p),
} satisfies {
  [T in DatasetType]: (params: NodeParams[T], train: boolean | null, source: DataSource) => Loaded
}

/** Loads one {@link SplitRequest} from `source` with {@link datasetLoaders}. */
export function loadSplit(request: SplitRequest, source: DataSource = {}): Loaded {
  const load = datasetLoaders[request.dataset] as (
    p: object,
    train: boolean | null,
    s: DataSource,
  ) => Loaded
  return load(request.params, request.train, source)
}

/**
 * The class names a dataset node gives without loading anything: a torchvision dataset's own
 * (`FashionMNIST.classes`), or those its parameters list (ImageFolder, CSVDataset); undefined
 * where only the data knows them.
 */
export function knownClasses(
  request: Pick<SplitRequest, 'dataset' | 'params'>,
): readonly string[] | undefined {
  switch (request.dataset) {
    case 'MNIST':
      return MNIST.classes
    case 'FashionMNIST':
      return FashionMNIST.classes
    case 'CIFAR10':
      return CIFAR10.classes
    case 'ImageFolder':
    case 'CSVDataset': {
      const classes = (request.params as { classes?: unknown }).classes
      return Array.isArray(classes) &&
        classes.length > 0 &&
        classes.every((c) => typeof c === 'string')
        ? (classes as readonly string[])
        : undefined
    }
    default:
      return undefined
  }
}
