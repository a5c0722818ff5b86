import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-webgl'
import '@tensorflow/tfjs-backend-cpu'
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url'
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url'
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url'
import { DataLoader, MNIST, type RawImage } from '@tensorloom/data'
import type {
  DatasetType,
  GraphDocument,
  GraphPlan,
  ModelEvaluation,
  ModelReference,
} from '@tensorloom/graph'
import { planGraph, tarballName, toNpmTarball } from '@tensorloom/graph'
import type { FromGraphResult } from '@tensorloom/layers'
import { saveSafetensorsAsync } from '@tensorloom/layers'
import layersPackage from '@tensorloom/layers/package.json'
import type { BackendSelection, CompiledRun, Criterion, GraphData } from '@tensorloom/train'
import {
  compileGraph,
  datasetClasses,
  loadGraphData,
  selectBackend,
  Trainer,
} from '@tensorloom/train'
import { slug } from '../lib/download'
import type { Engine, TrainControl } from './host'
import { firstImageLinear, outputKind } from './model'
import type {
  BackendName,
  FromWorker,
  PackageRequest,
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
/** Test images whose predictions an exported package carries, to check copies against. */
const REFERENCE_SIZE = 100
const MAX_ERRORS = 1000
/** Read the loss back every few batches: fewer device syncs, still a detailed curve. */
const SYNC_EVERY = 4

type Emit = (message: FromWorker) => void

/** A split of MNIST as loaded from the studio's assets. */
type MnistSplit = MNIST<RawImage, number>

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
  let backendChosen: Promise<BackendChoice> | null = null
  const splits = new Map<boolean, Promise<MnistSplit>>()
  let trained: {
    run: CompiledRun
    doc: GraphDocument
    /** The evaluation of the final weights, for an exported package's README and model card. */
    evaluation?: ModelEvaluation
    reference?: ModelReference
  } | null = null

  // Cross-origin isolated (the servers send COOP/COEP), tfjs's wasm backend runs its threaded
  // build, whose pthread workers load the scripts vite/wasmThreads.ts serves.
  configureWasmThreads(wasmThreadCount(navigator.hardwareConcurrency))
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlainUrl,
    'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
  })

  const chooseBackend = (preferred: BackendName | undefined) => {
    backendChosen ??= (async () => {
      // The paths set above (Vite `?url` assets, threads): selectBackend must not replace them.
      const selection = await selectBackend(preferred ?? 'webgl', BACKEND_ORDER, {
        wasmPaths: false,
      })
      const backend = selection.backend as BackendName
      const fallbacks = failures(selection)
      const threads = backend === 'wasm' ? getThreadsCount() : null
      return { backend, fallbacks, threads }
    })()
    return backendChosen
  }

  /** The backend after `from`, skipping those that failed before; later runs start on it too. */
  const fallBack = async (
    preferred: BackendName | undefined,
    from: BackendName,
    reason: string,
  ): Promise<BackendChoice> => {
    const earlier = (await chooseBackend(preferred)).fallbacks
    const selection = await selectBackend(
      undefined,
      BACKEND_ORDER.filter((b) => b !== from && !earlier.some((f) => f.backend === b)),
      { wasmPaths: false },
    )
    const to = selection.backend as BackendName
    const chosen = {
      backend: to,
      fallbacks: [...earlier, ...failures(selection), { backend: from, reason }],
      threads: to === 'wasm' ? getThreadsCount() : null,
    }
    backendChosen = Promise.resolve(chosen)
    return chosen
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
    const reference: ModelReference = { classIndex: [], confidence: [] }
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
        if (index < REFERENCE_SIZE) {
          reference.classIndex.push(guess)
          reference.confidence.push(c[i]!)
        }
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
    if (trained) {
      trained.evaluation = {
        images: seen,
        accuracy: correct / seen,
        loss: lossSum / seen,
        confusionMatrix: confusion.map((row) => [...row]),
      }
      trained.reference = reference
    }
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
      const backend = await chooseBackend(options.backend)
      emit({ type: 'backend', ...backend })
      const data: GraphData = await loadGraphData(doc, ({ dataset, train }) =>
        loadFor(dataset, train !== false, emit),
      )
      if (control.stopped) {
        emit({ type: 'finished', reason: 'stopped', results: null })
        return
      }
      if (trained) {
        trained.run.dispose()
        trained = null
      }
      const epochs = doc.training.epochs
      await runTraining({
        options,
        epochs,
        backend: backend.backend,
        emit,
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
          trained = { run, doc }
          return { built, train, test, trainLoader, optimizer, trainer }
        },
        results: (built, test) =>
          finalResults(built.plan, built, trained!.run.criterion, test, data.test as MnistSplit),
        fallBack: (from, reason) => fallBack(options.backend, from, reason),
      })
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

    async exportPackage(request: PackageRequest) {
      if (!trained?.evaluation) {
        throw new Error('Train the network first: there is no trained network to package.')
      }
      const weights = await saveSafetensorsAsync(trained.run.built.model)
      const classes = datasetClasses(trained.run.test)
      const bytes = await toNpmTarball(trained.doc, {
        name: request.name,
        version: request.version,
        license: request.license,
        description: request.description,
        weights,
        layersVersion: layersPackage.version,
        ...(classes ? { classes } : {}),
        trainedWith: 'Tensorloom Studio',
        training: request.training,
        evaluation: trained.evaluation,
        reference: trained.reference ?? null,
      })
      return {
        bytes: bytes as Uint8Array<ArrayBuffer>,
        fileName: tarballName(request.name, request.version),
      }
    },
  }
}
