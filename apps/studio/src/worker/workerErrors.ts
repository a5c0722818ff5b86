/**
 * Every message the training worker itself raises, by stable code: what is wrong and what to do
 * (errors from the packages keep their own codes: `GRAPH_NOT_BUILDABLE`, `NON_FINITE_LOSS`, …).
 */
const IDX_NAMES =
  'train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz'

export const workerMessages = {
  DATASET_NEEDS_FILES: (v: { dataset: 'FashionMNIST' | 'CIFAR10' }) =>
    v.dataset === 'CIFAR10'
      ? 'CIFAR-10 is not bundled with the studio (163 MB), and the studio does not download it: download cifar-10-python.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html and drop it on the CIFAR10 block. It is kept in this browser, never uploaded.'
      : `FashionMNIST is not bundled with this build of the studio and no mirror to download it from is set: drop its four IDX files (${IDX_NAMES}) on the FashionMNIST block.`,
  DATASET_DOWNLOAD_FAILED: (v: { dataset: string; reason: string }) =>
    `${v.dataset} could not be downloaded: ${v.reason}. Try again, or drop its four IDX files on the ${v.dataset} block.`,
  LOCAL_DATA_MISSING: (v: { source: string }) =>
    `The data “${v.source}” is not kept in this browser (it was dropped in elsewhere, or deleted): drop the folder or file on this block again.`,
  IMPORT_UNRECOGNISED: (v: { name: string }) =>
    `${v.name}: drop a folder of images with one subfolder per class (or a .zip of one), or a .csv file.`,
  IMPORT_SINGLE_IMAGE: (v: { name: string }) =>
    `${v.name} is one image: drop the folder that holds one subfolder of images per class (e.g. pets/cat/1.png, pets/dog/2.png).`,
  IMPORT_IDX_MISSING: (v: { dataset: string; missing: string[] }) =>
    `${v.dataset} needs its four IDX files; missing: ${v.missing.join(', ')}.`,
  IMPORT_NOT_CIFAR: (v: { name: string }) =>
    `${v.name} is not CIFAR-10's archive: drop cifar-10-python.tar.gz, as downloaded from https://www.cs.toronto.edu/~kriz/cifar.html.`,
  NO_DATASET: (_v: Record<string, never>) =>
    'The graph has no dataset block: add one from the palette, or drop a folder of images or a .csv file on the canvas.',
  NOT_TRAINED_PREDICT: (_v: Record<string, never>) =>
    'Train the network first: there is no trained model yet.',
  NOT_TRAINED_EXPORT: (_v: Record<string, never>) =>
    'Train the network first: there are no weights to export.',
  RUN_IN_PROGRESS: (_v: Record<string, never>) =>
    'A training run is already in progress: stop it first.',
} as const

/** A stable code of a worker error. */
export type WorkerErrorCode = keyof typeof workerMessages

/** An error the worker raises: a code, the values involved and the message built from them. */
export class WorkerError extends Error {
  readonly code: WorkerErrorCode
  readonly values: Record<string, unknown>

  constructor(code: WorkerErrorCode, message: string, values: Record<string, unknown>) {
    super(message)
    this.name = 'WorkerError'
    this.code = code
    this.values = values
  }
}

/** Builds the {@link WorkerError} of `code` from its values. */
export function workerError<C extends WorkerErrorCode>(
  code: C,
  values: Parameters<(typeof workerMessages)[C]>[0],
): WorkerError {
  const message = (workerMessages[code] as (v: typeof values) => string)(values)
  return new WorkerError(code, message, values as Record<string, unknown>)
}
