import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-webgl'
import '@tensorflow/tfjs-backend-cpu'
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url'
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url'
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url'
import type { GraphDocument, ModelEvaluation, ModelReference } from '@tensorloom/graph'
import { nodeSpecs, planGraph, tarballName, toNpmTarball } from '@tensorloom/graph'
import { saveSafetensorsAsync } from '@tensorloom/layers'
import layersPackage from '@tensorloom/layers/package.json'
import type { BackendSelection, CompiledRun, GraphData, SplitRequest } from '@tensorloom/train'
import {
  compileGraph,
  datasetClasses,
  loadGraphData,
  selectBackend,
  Trainer,
} from '@tensorloom/train'
import { slug } from '../lib/download'
import { fastest, speedKey, timeSteps } from './backendBenchmark'
import { BoundaryWatch } from './boundary'
import { workerDatasets } from './datasets'
import type { Engine, TrainControl } from './host'
import { asTable } from './inspect'
import type {
  BackendName,
  BackendTiming,
  FromWorker,
  PackageRequest,
  TrainOptions,
} from './protocol'
import { BACKEND_ORDER } from './protocol'
import { finalResults, previewSamples, toProbabilities } from './results'
import type { BackendChoice } from './trainingRun'
import { runTraining } from './trainingRun'
import { configureWasmThreads, wasmThreadCount } from './wasmThreads'
import { workerError } from './workerErrors'

const TEST_BATCH = 1000
/** Read the loss back every few batches: fewer device syncs, still a detailed curve. */
const SYNC_EVERY = 4

/** The backends that failed in a selection, and why. */
function failures(selection: BackendSelection): BackendChoice['fallbacks'] {
  return selection.tried
    .filter((t) => !t.ok)
    .map((t) => ({ backend: t.name as BackendName, reason: t.error ?? 'unavailable' }))
}

type Emit = (message: FromWorker) => void

/** Why `selectBackend` found a backend unusable. */
function unavailable(error: unknown): string {
  const tried = (error as { values?: { tried?: BackendSelection['tried'] } }).values?.tried
  return tried?.find((t) => !t.ok)?.error ?? (error as Error).message ?? String(error)
}

/** Whether each dataset type has its own train and test splits. */
const DATASET_SPLITS: Record<SplitRequest['dataset'], boolean> = {
  MNIST: true,
  FashionMNIST: true,
  CIFAR10: true,
  ImageFolder: false,
  CSVDataset: false,
  Toy2D: false,
}

/**
 * The tfjs side of the worker: picks a backend, loads the graph's dataset (workerDatasets: MNIST
 * and FashionMNIST from the app's assets or a download, dropped-in data from the browser's
 * storage, the toy problems generated), builds the model from the graph, trains it with
 * @tensorloom/train's Trainer and answers predictions.
 */
/** A trained network: its run, its graph, and the evaluation an exported package carries. */
interface Trained {
  run: CompiledRun
  doc: GraphDocument
  /** The evaluation of the final weights, for an exported package's README and model card. */
  evaluation?: ModelEvaluation
  reference?: ModelReference
}

export function createTfjsEngine(): Engine {
  let trained: Trained | null = null

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

  // The paths set above (Vite `?url` assets, threads): selectBackend must not replace them.
  const paths = { wasmPaths: false } as const

  /** Makes `preferred` active, or the first working backend after it that has not failed. */
  const activate = async (preferred: BackendName | null): Promise<BackendChoice> => {
    const order = BACKEND_ORDER.filter((b) => !broken.has(b))
    const first = preferred !== null && order.includes(preferred) ? preferred : undefined
    const selection = await selectBackend(first, order, paths)
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
          await selectBackend(name, [], paths)
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

  /** The samples of dataset node `nodeId` (the graph's dataset by default), of one split. */
  const requestFor = (doc: GraphDocument, nodeId: string | undefined, train: boolean) => {
    const plan = planGraph(doc)
    const node = nodeId ? doc.nodes.find((n) => n.id === nodeId) : undefined
    const type = node?.type ?? plan.dataset?.type
    if (!type || nodeSpecs[type].category !== 'data' || !(type in DATASET_SPLITS)) {
      throw workerError('NO_DATASET', {})
    }
    const dataset = type as SplitRequest['dataset']
    const params = { ...nodeSpecs[dataset].defaults, ...(node?.params ?? plan.dataset?.params) }
    const request: SplitRequest = { dataset, params, train: DATASET_SPLITS[dataset] ? train : null }
    return { plan, request }
  }

  return {
    async train(doc, options: TrainOptions, emit, control: TrainControl) {
      const data: GraphData = await loadGraphData(doc, (request) =>
        workerDatasets.load(request, emit),
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
      // first batch or failed, Draw and the exports still answer for the last model.
      let candidate: Trained | null = null
      const adopt = (message: FromWorker) => {
        if (message.type === 'finished' && message.results && candidate) {
          if (trained && trained !== candidate) trained.run.dispose()
          trained = candidate
        }
        emit(message)
      }
      const epochs = doc.training.epochs
      const plan = planGraph(doc)
      // A model on 2-D points draws its decision boundary as it learns (TensorFlow Playground's
      // picture): the points once, then the picture every few hundred milliseconds.
      const table = asTable(data.train)
      const boundary =
        table && table.shape.length === 1 && table.shape[0] === 2 && plan.loss?.target !== 'value'
          ? new BoundaryWatch(table, plan.dataset?.classes ?? 2)
          : null
      let stepsDone = 0
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
            if (boundary) {
              const held = 'indices' in test ? (test.indices as Int32Array) : null
              emit({ type: 'boundaryPoints', ...boundary.points(plan.split ? held : null) })
            }
            return { built, train, test, trainLoader, optimizer, trainer }
          },
          onStep: (globalStep, built) => {
            stepsDone = globalStep
            boundary?.maybe(
              built.model,
              (out) => toProbabilities(built.plan, out),
              globalStep,
              (picture) => emit({ type: 'boundary', ...picture }),
            )
          },
          results: async (built, test) => {
            const run = candidate!
            const reference: ModelReference = { classIndex: [], confidence: [] }
            const results = await finalResults({
              plan: built.plan,
              built,
              criterion: run.run.criterion,
              test,
              data,
              boundary,
              globalStep: stepsDone,
              reference,
            })
            if (!results.regression) {
              run.evaluation = {
                images: results.confusion.flat().reduce((a, b) => a + b, 0),
                accuracy: results.testAccuracy,
                loss: results.testLoss,
                confusionMatrix: results.confusion.map((row) => [...row]),
              }
              run.reference = reference
            }
            return results
          },
          fallBack,
        })
      } finally {
        const unused = candidate as Trained | null
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

    async samples(doc, train, count, emit, nodeId) {
      const { plan, request } = requestFor(doc, nodeId, train)
      return previewSamples(plan, await workerDatasets.load(request, emit), count)
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
