import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-webgl'
import '@tensorflow/tfjs-backend-cpu'
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url'
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url'
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url'
import { DataLoader, MNIST, type RawImage } from '@tensorloom/data'
import type { DatasetType, GraphDocument, GraphPlan } from '@tensorloom/graph'
import { planGraph } from '@tensorloom/graph'
import type { FromGraphResult } from '@tensorloom/layers'
import { saveSafetensorsAsync } from '@tensorloom/layers'
import type {
  BackendSelection,
  CompiledRun,
  Criterion,
  GraphData,
  RawSplit,
} from '@tensorloom/train'
import { compileGraph, loadGraphData, selectBackend, Trainer } from '@tensorloom/train'
import { slug } from '../lib/download'
import { fastest, speedKey, timeSteps } from './backendBenchmark'
import type { Engine, TrainControl } from './host'
import { firstImageLinear, outputKind } from './model'
import type {
  BackendName,
  BackendTiming,
  FromWorker,
  Prediction,
  TrainOptions,
  TrainResults,
  ValueStats,
} from './protocol'
import { BACKEND_ORDER } from './protocol'
import type { BackendChoice, Images } from './trainingRun'
import { runTraining } from './trainingRun'
import { configureWasmThreads, wasmThreadCount } from './wasmThreads'
import { workerError } from './workerErrors'

/** MNIST as the studio serves it (see vite/mnistAssets.ts). */
function mnistUrl(file: string): string {
  return new URL(`${import.meta.env.BASE_URL}mnist/${file}.gz`, self.location.href).href
}

const TEST_BATCH = 1000
const GALLERY_SIZE = 24
const MAX_ERRORS = 1000
/** Read the loss back every few batches: fewer device syncs, still a detailed curve. */
const SYNC_EVERY = 4

type Emit = (message: FromWorker) => void

/** A split of MNIST as loaded from the studio's assets. */
type MnistSplit = MNIST<RawImage, number>

/** Why `selectBackend` found a backend unusable. */
function unavailable(error: unknown): string {
  const tried = (error as { values?: { tried?: BackendSelection['tried'] } }).values?.tried
  return tried?.find((t) => !t.ok)?.error ?? (error as Error).message ?? String(error)
}

/** The backends that failed in a selection, and why. */
function failures(selection: BackendSelection): BackendChoice['fallbacks'] {
  return selection.tried
    .filter((t) => !t.ok)
    .map((t) => ({ backend: t.name as BackendName, reason: t.error ?? 'unavailable' }))
}

function stats(values: ArrayLike<number>, map: (v: number) => number): ValueStats {
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  let sum = 0
  let sq = 0
  for (let i = 0; i < values.length; i++) {
    const v = map(values[i]!)
    if (v < min) min = v
    if (v > max) max = v
    sum += v
    sq += v * v
  }
  const mean = sum / values.length
  return { min, max, mean, std: Math.sqrt(Math.max(0, sq / values.length - mean * mean)) }
}

/** Turns a model's outputs into probabilities, whatever its last layer is. */
function toProbabilities(plan: GraphPlan, output: tf.Tensor): tf.Tensor {
  const kind = outputKind(plan)
  if (kind === 'probabilities') return output
  if (kind === 'logProbabilities') return tf.exp(output)
  return tf.softmax(output)
}

/**
 * The tfjs side of the worker: picks a backend, loads MNIST from the app's assets, builds the model
 * from the graph, trains it with @tensorloom/train's Trainer and answers predictions.
 */
export function createTfjsEngine(): Engine {
  const splits = new Map<boolean, Promise<MnistSplit>>()
  let trained: { run: CompiledRun; doc: GraphDocument } | null = null

  // Cross-origin isolated (the servers send COOP/COEP), tfjs's wasm backend runs its threaded
  // build, whose pthread workers load the scripts vite/wasmThreads.ts serves.
  configureWasmThreads(wasmThreadCount(navigator.hardwareConcurrency))
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlainUrl,
    'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
  })

  /** Backends that failed to start or lost their context, and why: not tried again. */
  const broken = new Map<BackendName, string>()
  /** `auto`'s timings per network (see speedKey): a network is timed once per worker. */
  const timed = new Map<string, BackendTiming[]>()

  /** Makes `preferred` active, or the first working backend after it that has not failed. */
  const activate = async (preferred: BackendName | null): Promise<BackendChoice> => {
    const order = BACKEND_ORDER.filter((b) => !broken.has(b))
    const first = preferred !== null && order.includes(preferred) ? preferred : undefined
    const selection = await selectBackend(first, order)
    for (const failed of failures(selection)) broken.set(failed.backend, failed.reason)
    const backend = selection.backend as BackendName
    return {
      backend,
      fallbacks: [...broken].map(([name, reason]) => ({ backend: name, reason })),
      threads: backend === 'wasm' ? getThreadsCount() : null,
    }
  }

  /**
   * `auto`: times a few steps of the run's network on every backend that works (once per
   * network) and makes the fastest active.
   */
  const fastestBackend = async (
    doc: GraphDocument,
    data: GraphData,
    emit: Emit,
  ): Promise<BackendChoice> => {
    const key = speedKey(doc)
    let timings = timed.get(key)
    if (!timings) {
      timings = []
      const candidates = BACKEND_ORDER.filter((b) => !broken.has(b))
      for (const [i, name] of candidates.entries()) {
        emit({
          type: 'phase',
          phase: 'benchmarking',
          backend: name,
          index: i + 1,
          count: candidates.length,
        })
        try {
          await selectBackend(name, [])
        } catch (error) {
          broken.set(name, unavailable(error))
          continue
        }
        try {
          timings.push({ backend: name, samplesPerSec: await timeSteps(doc, data) })
        } catch (error) {
          timings.push({ backend: name, samplesPerSec: null, error: (error as Error).message })
        }
      }
      emit({ type: 'phase', phase: 'training' })
      timed.set(key, timings)
    }
    return { ...(await activate(fastest(timings))), timings }
  }

  /** The backend after `from`, which failed for `reason`; later runs skip `from` too. */
  const fallBack = async (from: BackendName, reason: string): Promise<BackendChoice> => {
    broken.set(from, reason)
    return activate(null)
  }

  const loadSplit = (train: boolean, emit: Emit) => {
    let split = splits.get(train)
    if (!split) {
      const prefix = train ? 'train' : 't10k'
      const label = train ? 'Loading MNIST training images' : 'Loading MNIST test images'
      split = MNIST.load({
        train,
        source: {
          images: mnistUrl(`${prefix}-images-idx3-ubyte`),
          labels: mnistUrl(`${prefix}-labels-idx1-ubyte`),
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
      split.catch(() => splits.delete(train))
      splits.set(train, split)
    }
    return split
  }

  /** The bundled splits of the graph's dataset (MNIST ships with the studio). */
  const loadFor = (dataset: DatasetType, train: boolean, emit: Emit): Promise<MnistSplit> => {
    datasetNodeCheck(dataset)
    return loadSplit(train, emit)
  }

  const datasetNodeCheck = (dataset: DatasetType | undefined) => {
    if (dataset && dataset !== 'MNIST') {
      throw workerError('DATASET_NOT_BUNDLED', { dataset })
    }
  }

  async function finalResults(
    plan: GraphPlan,
    built: FromGraphResult,
    criterion: Criterion,
    test: Images,
    raw: MnistSplit,
  ): Promise<TrainResults> {
    const model = built.model
    model.eval()
    const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0))
    const errors: Prediction[] = []
    const gallery: Prediction[] = []
    let correct = 0
    let lossSum = 0
    let seen = 0
    const loader = new DataLoader(test, { batchSize: TEST_BATCH })
    for await (const [x, y] of loader) {
      const [predicted, confidence, loss] = tf.tidy(() => {
        const out = model.call(x)
        const probs = toProbabilities(plan, out)
        return [tf.argMax(probs, 1), tf.max(probs, 1), criterion.call(out, y)] as const
      })
      const [p, c, l, labels] = await Promise.all([
        predicted.data(),
        confidence.data(),
        loss.data(),
        y.data(),
      ])
      tf.dispose([x, y, predicted, confidence, loss])
      const n = labels.length
      lossSum += (l[0] ?? 0) * n
      for (let i = 0; i < n; i++) {
        const index = seen + i
        const label = labels[i]!
        const guess = p[i]!
        confusion[label]![guess]!++
        const record = { index, label, predicted: guess, confidence: c[i]! }
        if (label === guess) correct++
        else if (errors.length < MAX_ERRORS) errors.push(record)
        if (index < GALLERY_SIZE) gallery.push(record)
      }
      seen += n
    }
    const pixels = (list: Prediction[]) => {
      const out = new Uint8Array(list.length * 784)
      for (const [i, p] of list.entries()) {
        out.set(raw.data.subarray(p.index * 784, (p.index + 1) * 784), i * 784)
      }
      return out
    }
    const linear = firstImageLinear(built)
    return {
      testAccuracy: correct / seen,
      testLoss: lossSum / seen,
      confusion,
      errors,
      errorImages: pixels(errors),
      gallery,
      galleryImages: pixels(gallery),
      firstLayer: linear
        ? {
            outFeatures: linear.outFeatures,
            inFeatures: 784,
            // A copy: the results' buffers are transferred, and tfjs may keep the array it returned.
            weights: Float32Array.from(await linear.weight.data()),
          }
        : null,
    }
  }

  return {
    async train(doc, options: TrainOptions, emit, control: TrainControl) {
      datasetNodeCheck(planGraph(doc).dataset?.type)
      const data: GraphData = await loadGraphData(doc, ({ dataset, train }) =>
        loadFor(dataset, train !== false, emit),
      )
      const choice = options.backend ?? 'auto'
      const backend =
        choice === 'auto' && !control.stopped
          ? await fastestBackend(doc, data, emit)
          : await activate(choice === 'auto' ? null : choice)
      emit({ type: 'backend', ...backend })
      if (control.stopped) {
        emit({ type: 'finished', reason: 'stopped', results: null })
        return
      }
      // The model of the last run stays until this one finishes with results: stopped before its
      // first batch or failed, Draw and the weights export still answer for the last model.
      let candidate: { run: CompiledRun; doc: GraphDocument } | null = null
      const adopt = (message: FromWorker) => {
        if (message.type === 'finished' && message.results && candidate) {
          if (trained && trained !== candidate) trained.run.dispose()
          trained = candidate
        }
        emit(message)
      }
      const epochs = doc.training.epochs
      try {
        await runTraining({
          options,
          epochs,
          backend: backend.backend,
          emit: adopt,
          control,
          build: () => {
            const run = compileGraph(doc, { data, testBatchSize: TEST_BATCH })
            const { built, train, test, trainLoader, testLoader, optimizer, criterion } = run
            const trainer = new Trainer({
              model: built.model,
              optimizer,
              trainLoader,
              testLoader,
              criterion,
              epochs,
              syncEvery: SYNC_EVERY,
            })
            // After a recovery it is built again: the lost run's objects are freed already.
            candidate = { run, doc }
            return { built, train, test, trainLoader, optimizer, trainer }
          },
          results: (built, test) =>
            finalResults(
              built.plan,
              built,
              candidate!.run.criterion,
              test,
              data.test as MnistSplit,
            ),
          fallBack,
        })
      } finally {
        const unused = candidate as { run: CompiledRun } | null
        if (unused && unused !== trained) unused.run.dispose()
      }
    },

    async predict(pixels) {
      if (!trained) throw workerError('NOT_TRAINED_PREDICT', {})
      const { plan, built } = trained.run
      const model = built.model
      const norm = plan.normalize
      const input = tf.tidy(() => {
        const x = tf.tensor4d(pixels, [1, 1, 28, 28])
        return norm ? tf.div(tf.sub(x, norm.mean[0] ?? 0), norm.std[0] ?? 1) : x
      })
      model.eval()
      const probs = tf.tidy(() => toProbabilities(plan, model.call(input)))
      const values = Array.from(await probs.data())
      const normalized = Float32Array.from(await input.data())
      tf.dispose([input, probs])
      return { probabilities: values, input: normalized }
    },

    async samples(doc, train, count, emit) {
      const plan = planGraph(doc)
      const split = await loadFor(plan.dataset?.type ?? 'MNIST', train, emit)
      const n = Math.min(count, split.length)
      const images = split.data.slice(0, n * 784)
      const labels = Array.from(split.targets.subarray(0, n))
      const sample = split.data.subarray(0, Math.min(split.length, 1000) * 784)
      const norm = plan.normalize
      return {
        images,
        labels,
        stats: {
          raw: stats(sample, (v) => v),
          toTensor: stats(sample, (v) => v / 255),
          normalized: norm
            ? stats(sample, (v) => (v / 255 - (norm.mean[0] ?? 0)) / (norm.std[0] ?? 1))
            : null,
        },
      }
    },

    async exportWeights() {
      if (!trained) throw workerError('NOT_TRAINED_EXPORT', {})
      const bytes = await saveSafetensorsAsync(trained.run.built.model, {
        metadata: { graph: JSON.stringify(trained.doc) },
      })
      return {
        bytes: bytes as Uint8Array<ArrayBuffer>,
        fileName: `${slug(trained.doc.name)}.safetensors`,
      }
    },
  }
}
