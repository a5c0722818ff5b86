// Kept whole (a little over 400 lines): the one protocol between the studio and its worker, both
// message unions with the types they carry and their guards, read together when either side changes.
import type { GraphDocument } from '@tensorloom/graph'
import type { StoredMeta } from '../data/summary'

/** The tfjs backends the trainer tries, in order of preference. */
export type BackendName = 'webgl' | 'wasm' | 'cpu'
export const BACKEND_ORDER: readonly BackendName[] = ['webgl', 'wasm', 'cpu']

/** What the user picks in the Train panel: one backend, or `auto` (the fastest, measured). */
export type BackendChoiceName = BackendName | 'auto'

/** A backend's speed on the run's network, from a few timed steps (`auto`). */
export interface BackendTiming {
  backend: BackendName
  /** Training images per second; null when it could not train the network. */
  samplesPerSec: number | null
  /** Why it could not, when it could not. */
  error?: string
}

/** How a training run is set up beyond what the graph says. */
export interface TrainOptions {
  /** Stop after this many batches in total (null: run all epochs). */
  maxSteps: number | null
  /**
   * Train on this backend (the others remain fallbacks when it does not work), or `auto`: time a
   * few steps of the network on each backend that works and train on the fastest. Default `auto`.
   */
  backend?: BackendChoiceName
  /** Test images evaluated after each epoch (null: the whole test set). */
  evalSize?: number | null
  /**
   * Faults to inject, for tests of recovery (set only from the page URL, e.g.
   * `?loseWebGLContextAt=300`): lose the WebGL context through `WEBGL_lose_context` once this many
   * batches are done.
   */
  loseWebGLContextAt?: number | null
}

/** A position in a run: epoch (1-based), batch in the epoch, batch over the whole run. */
export interface RunPosition {
  epoch: number
  step: number
  globalStep: number
}

/** How a run survived its backend failing: where it was, and where it resumed on which backend. */
export interface Recovery {
  /** The backend that failed. */
  from: BackendName
  /** The backend the run continues on. */
  to: BackendName
  /** Why `from` was given up, e.g. "the browser reported webglcontextlost". */
  cause: string
  /** The last batch read back before the failure. */
  lostAt: RunPosition
  /** The checkpoint the run resumed from: batches after it are trained again on `to`. */
  resumedFrom: RunPosition
  /** Finished epochs in that checkpoint (their evaluations stand; later ones are redone). */
  epochsDone: number
}

/** Tensors alive in the worker (`tf.memory()`), sampled at the end of an epoch. */
export interface MemorySample {
  numTensors: number
  numBytes: number
}

/** One test image the model got wrong (or right, for the gallery). */
export interface Prediction {
  /** Index into the MNIST test set. */
  index: number
  label: number
  predicted: number
  confidence: number
}

/** Everything the results view shows after a run. */
export interface TrainResults {
  testAccuracy: number
  testLoss: number
  /** confusion[label][predicted] = count */
  confusion: number[][]
  /** Misclassified test images (capped), with their pixels in `errorImages` (784 bytes each). */
  errors: Prediction[]
  errorImages: Uint8Array
  /** A fixed sample of test images with predictions, pixels in `galleryImages`. */
  gallery: Prediction[]
  galleryImages: Uint8Array
  /** The first Linear layer's weight [outFeatures, 784], when its input is a flattened image. */
  firstLayer: { outFeatures: number; inFeatures: number; weights: Float32Array } | null
  /** The dataset's class names, by label (absent: the digits 0–9). */
  classNames?: string[]
  /**
   * How `errorImages` and `galleryImages` are laid out: one thumbnail of height x width x channels
   * bytes per prediction (absent: MNIST's 28 x 28 gray); null when the samples are not images.
   */
  image?: ImageLayout | null
  /** For samples that are rows of numbers (a CSV table, 2-D points): the features of each prediction. */
  rows?: { columns: string[]; errors: number[][]; gallery: number[][] } | null
  /** Set for a regression target: how close the predicted numbers came (then accuracy is 0). */
  regression?: { r2: number; mae: number; count: number } | null
  /** The decision boundary of a model on 2-D points, at the end of the run. */
  boundary?: Boundary | null
}

/** Thumbnails of one size, packed row-major (HWC for colour). */
export interface ImageLayout {
  height: number
  width: number
  channels: 1 | 3
}

/**
 * What a model on 2-D points answers over a grid covering them: the class it picks in each cell
 * (row-major from the top-left, y pointing up) and how sure it is (0–255).
 */
export interface Boundary {
  globalStep: number
  width: number
  height: number
  /** [xMin, xMax, yMin, yMax] of the grid. */
  bounds: [number, number, number, number]
  classes: number
  predicted: Uint8Array
  confidence: Uint8Array
}

/** The points of a 2-D problem, drawn over its {@link Boundary}. */
export interface BoundaryPoints {
  x: Float32Array
  y: Float32Array
  labels: Uint8Array
  /** 1 for a test (held-out) point. */
  test: Uint8Array
}

/** How a CSV file is read: header row or not, records skipped above it, the target column. */
export interface CsvChoice {
  header: boolean
  skipRows: number
  target: string
}

/** A dataset of the palette whose files the studio may fetch or be given by hand. */
export type FetchedDataset = 'FashionMNIST' | 'CIFAR10'

/** Where and how the loss stopped being a finite number. */
export interface Divergence {
  /** What the loss became. */
  value: 'NaN' | 'Infinity' | '-Infinity'
  epoch: number
  /** The batch within the epoch (1-based). */
  step: number
  /** The batch counted over the whole run (1-based). */
  globalStep: number
  /** The learning rate of the run, when the optimizer has one. */
  lr: number | null
  /** The trainer's message, with its hint. */
  message: string
}

/** Mean, std and range of a batch of values, shown on ToTensor/Normalize previews. */
export interface ValueStats {
  min: number
  max: number
  mean: number
  std: number
}

/** What the page asks of an npm package of the trained network (see `toNpmPackage`). */
export interface PackageRequest {
  /** The package name, valid for npm (`checkPackageName`). */
  name: string
  version: string
  license: string
  description: string
  /** Facts of the run for the README (batches trained, backend…), as the page shows them. */
  training: Record<string, string | number>
}

/** Messages the page sends to the trainer worker. */
export type ToWorker =
  | { type: 'train'; graph: GraphDocument; options: TrainOptions }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'predict'; requestId: number; pixels: Float32Array }
  | {
      type: 'samples'
      requestId: number
      graph: GraphDocument
      train: boolean
      count: number
      /** The dataset block to show (default: the graph's dataset). */
      nodeId?: string
    }
  | { type: 'exportWeights'; requestId: number }
  | { type: 'exportPackage'; requestId: number; request: PackageRequest }
  | {
      type: 'importData'
      requestId: number
      /** The folder or file name, e.g. `pets` or `iris.csv`. */
      name: string
      /** The dropped files with their paths (`pets/cat/1.png`); Files are passed by reference. */
      files: { path: string; file: Blob }[]
      /** Files for this palette dataset (its four IDX files, CIFAR-10's archive); else one's own data. */
      into: FetchedDataset | null
      /** How to read a CSV file (null: guess). */
      csv: CsvChoice | null
      /** Keep it under this id (replacing what is there); null: a new id. */
      id: string | null
    }
  | { type: 'rescanData'; requestId: number; id: string; csv: CsvChoice }
  | { type: 'deleteData'; requestId: number; id: string }

/**
 * What a run is doing between progress updates, for the panel to say so: training batches,
 * evaluating the test set (after an epoch, or at the end), or timing the backends ("auto").
 */
export type RunPhase =
  | { phase: 'training' }
  | { phase: 'evaluating'; images: number }
  | { phase: 'benchmarking'; backend: BackendName; index: number; count: number }

/** Messages the trainer worker sends back. */
export type FromWorker =
  | ({ type: 'phase' } & RunPhase)
  | {
      type: 'backend'
      backend: BackendName
      fallbacks: { backend: BackendName; reason: string }[]
      /** Threads of the wasm backend (1 unless cross-origin isolated); null on other backends. */
      threads?: number | null
      /** With `auto`: each backend's timed speed on this network, in the order timed. */
      timings?: BackendTiming[]
    }
  | { type: 'loading'; label: string; loaded: number; total: number | null }
  | {
      type: 'started'
      epochs: number
      stepsPerEpoch: number
      totalSteps: number
      batchSize: number
      trainSize: number
      testSize: number
    }
  | {
      type: 'progress'
      epoch: number
      step: number
      globalStep: number
      totalSteps: number
      /** New points of the loss curve, one per batch: [global step, loss of that batch]. */
      curve: [number, number][]
      loss: number
      samplesPerSec: number
      etaSeconds: number | null
    }
  | { type: 'paused' }
  | { type: 'resumed' }
  | {
      type: 'evaluated'
      epoch: number
      testAccuracy: number
      testLoss: number
      trainAccuracy: number | null
      /** Tensors alive right after this epoch's evaluation (absent for a partial epoch). */
      memory?: MemorySample
    }
  | ({ type: 'recovered' } & Recovery)
  | {
      type: 'finished'
      /** `diverged`: the loss became NaN/Inf; `results` are those of the last good weights. */
      reason: 'completed' | 'stopped' | 'maxSteps' | 'diverged'
      results: TrainResults | null
      divergence?: Divergence
    }
  | { type: 'failed'; message: string; code?: string }
  | { type: 'prediction'; requestId: number; probabilities: number[]; input: Float32Array }
  | {
      type: 'samples'
      requestId: number
      images: Uint8Array
      labels: number[]
      stats: { raw: ValueStats; toTensor: ValueStats; normalized: ValueStats | null }
      /** How `images` is laid out (absent: 28 x 28 gray); null when the samples are not images. */
      image?: ImageLayout | null
      /** The dataset's class names, by label. */
      classNames?: string[]
      /** Samples that are rows of numbers: the column names and the first rows. */
      table?: { columns: string[]; rows: number[][] } | null
      /** Samples in the split, and what they are. */
      total?: number
      description?: string
    }
  | { type: 'weights'; requestId: number; bytes: Uint8Array<ArrayBuffer>; fileName: string }
  | { type: 'package'; requestId: number; bytes: Uint8Array<ArrayBuffer>; fileName: string }
  | { type: 'requestFailed'; requestId: number; message: string; code?: string }
  | { type: 'dataImported'; requestId: number; meta: StoredMeta }
  | { type: 'dataDeleted'; requestId: number; id: string }
  /** How an import is going (`importId` is the request's id; not a reply). */
  | { type: 'importProgress'; importId: number; label: string; done: number; total: number }
  /** A palette dataset's files are being fetched, are ready, or could not be fetched. */
  | {
      type: 'dataStatus'
      dataset: FetchedDataset
      state: 'downloading' | 'ready' | 'failed'
      message?: string
      loaded?: number
      total?: number | null
    }
  /** The model's decision boundary over 2-D points, every few batches while training. */
  | ({ type: 'boundary' } & Boundary)
  /** The points of a 2-D problem (sent once a run starts). */
  | ({ type: 'boundaryPoints' } & BoundaryPoints)

const TO_WORKER_TYPES = new Set<ToWorker['type']>([
  'train',
  'pause',
  'resume',
  'stop',
  'predict',
  'samples',
  'exportWeights',
  'exportPackage',
  'importData',
  'rescanData',
  'deleteData',
])

const FROM_WORKER_TYPES = new Set<FromWorker['type']>([
  'phase',
  'backend',
  'loading',
  'started',
  'progress',
  'paused',
  'resumed',
  'evaluated',
  'recovered',
  'finished',
  'failed',
  'prediction',
  'samples',
  'weights',
  'package',
  'requestFailed',
  'dataImported',
  'dataDeleted',
  'importProgress',
  'dataStatus',
  'boundary',
  'boundaryPoints',
])

function hasType(value: unknown): value is { type: unknown } {
  return typeof value === 'object' && value !== null && 'type' in value
}

/** True for a message the worker understands. */
export function isToWorker(value: unknown): value is ToWorker {
  return hasType(value) && TO_WORKER_TYPES.has(value.type as ToWorker['type'])
}

/** True for a message the worker may send. */
export function isFromWorker(value: unknown): value is FromWorker {
  return hasType(value) && FROM_WORKER_TYPES.has(value.type as FromWorker['type'])
}

/** The buffers of a message that can be transferred instead of copied. */
export function transferables(message: ToWorker | FromWorker): Transferable[] {
  switch (message.type) {
    case 'predict':
      return [message.pixels.buffer as ArrayBuffer]
    case 'prediction':
      return [message.input.buffer as ArrayBuffer]
    case 'samples':
      return 'images' in message ? [message.images.buffer as ArrayBuffer] : []
    case 'weights':
    case 'package':
      return [message.bytes.buffer as ArrayBuffer]
    case 'finished': {
      const r = message.results
      if (!r) return []
      const buffers = [r.errorImages.buffer, r.galleryImages.buffer] as ArrayBuffer[]
      if (r.firstLayer) buffers.push(r.firstLayer.weights.buffer as ArrayBuffer)
      if (r.boundary) {
        buffers.push(
          r.boundary.predicted.buffer as ArrayBuffer,
          r.boundary.confidence.buffer as ArrayBuffer,
        )
      }
      return buffers.filter((b, i) => buffers.indexOf(b) === i)
    }
    case 'boundary':
      return [message.predicted.buffer as ArrayBuffer, message.confidence.buffer as ArrayBuffer]
    case 'boundaryPoints':
      return [message.x, message.y, message.labels, message.test].map(
        (a) => a.buffer as ArrayBuffer,
      )
    default:
      return []
  }
}

/** Anything that can post messages and deliver them: a Worker, a MessagePort, a worker scope. */
export interface MessageEndpoint {
  postMessage(message: unknown, transfer: Transferable[]): void
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void
}
