import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-webgl'
import '@tensorflow/tfjs-backend-cpu'
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url'
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url'
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url'
import type { RawImage, Transform } from '@tensorloom/data'
import { Compose, DataLoader, MNIST, Normalize, ToTensor } from '@tensorloom/data'
import type { GraphDocument } from '@tensorloom/graph'
import { modelChain } from '@tensorloom/graph'
import type { DataDescription, FromGraphResult, Module } from '@tensorloom/layers'
import { fromGraph, getRngState, saveSafetensorsAsync, setRngState } from '@tensorloom/layers'
import type { Checkpoint, Criterion, Optimizer, TrainerState } from '@tensorloom/train'
import {
  Adam,
  AdamW,
  CrossEntropyLoss,
  MSELoss,
  NLLLoss,
  SGD,
  selectBackend,
  Trainer,
} from '@tensorloom/train'
import { slug } from '../lib/download'
import { divergenceOf } from './divergence'
import type { Engine, TrainControl } from './host'
import { lossPoints } from './lossPoints'
import { firstImageLinear, outputKind } from './model'
import type {
  BackendName,
  FromWorker,
  MemorySample,
  Prediction,
  Recovery,
  TrainOptions,
  TrainResults,
  ValueStats,
} from './protocol'
import { BACKEND_ORDER } from './protocol'
import type { ContextWatch } from './recovery'
import { CheckpointKeeper, watchContext } from './recovery'
import { configureWasmThreads, wasmThreadCount } from './wasmThreads'

/** MNIST as the studio serves it (see vite/mnistAssets.ts). */
function mnistUrl(file: string): string {
  return new URL(`${import.meta.env.BASE_URL}mnist/${file}.gz`, self.location.href).href
}

const TEST_BATCH = 1000
const GALLERY_SIZE = 24
const MAX_ERRORS = 1000
/** Read the loss back every few batches: fewer device syncs, still a detailed curve. */
const SYNC_EVERY = 4

type Split = MNIST<RawImage, number>
type Emit = (message: FromWorker) => void
type Finished = Extract<FromWorker, { type: 'finished' }>

/** Batches between the checkpoints kept while training on webgl (plus one after every epoch). */
const CHECKPOINT_EVERY = 100

/** The parts of the webgl backend's WebGL2 context used here. */
interface WebGLHandle {
  isContextLost(): boolean
  readonly canvas: unknown
  getExtension(name: 'WEBGL_lose_context'): { loseContext(): void } | null
}

/** The context of tfjs' webgl backend while it is the active one (an OffscreenCanvas's). */
function webglContext(): WebGLHandle | null {
  if (tf.getBackend() !== 'webgl') return null
  const backend = tf.backend() as unknown as { gpgpu?: { gl?: WebGLHandle } }
  return backend.gpgpu?.gl ?? null
}

/** The fault a test asks for with `?loseWebGLContextAt=`: what a GPU reset does to the page. */
function loseWebGLContext() {
  webglContext()?.getExtension('WEBGL_lose_context')?.loseContext()
}

/**
 * tfjs polls a fence for every pending read-back; on a lost context the fence never passes, and
 * the polling would go on forever. Drop those reads (their callers were given up).
 */
function releaseLostWebGL() {
  const backend = tf.findBackend('webgl') as unknown as { gpgpu?: { itemsToPoll?: unknown[] } }
  if (Array.isArray(backend?.gpgpu?.itemsToPoll)) backend.gpgpu.itemsToPoll = []
}

function memorySample(): MemorySample {
  const { numTensors, numBytes } = tf.memory()
  return { numTensors, numBytes }
}

/** Watches the webgl backend's context while it trains; null on other backends. */
function watchWebGL(lastProgress: () => number | null): ContextWatch | null {
  const gl = webglContext()
  if (!gl) return null
  return watchContext(gl, {
    lastProgress,
    probe: async () => {
      const one = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)))
      try {
        await one.data()
      } finally {
        one.dispose()
      }
    },
  })
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

/** The graph's Normalize node as (mean, std), if there is one. */
function normalizeOf(doc: GraphDocument): { mean: number[]; std: number[] } | null {
  const node = modelChain(doc).data.find((n) => n.type === 'Normalize')
  if (!node) return null
  return { mean: node.params.mean as number[], std: node.params.std as number[] }
}

/** The graph's transforms, as @tensorloom/data transforms (ToTensor is implied for images). */
function transformOf(data: DataDescription): Transform<RawImage, tf.Tensor> {
  const steps: Transform<never, unknown>[] = [new ToTensor()]
  if (data.normalize) steps.push(new Normalize(data.normalize.mean, data.normalize.std))
  return new Compose<RawImage, tf.Tensor>(steps)
}

function criterionOf(doc: GraphDocument): Criterion {
  const loss = modelChain(doc).loss
  if (!loss) {
    throw Object.assign(
      new Error('The graph has no loss block: add CrossEntropyLoss after the last layer.'),
      {
        code: 'NO_LOSS',
      },
    )
  }
  const reduction = (loss.params.reduction as 'mean' | 'sum' | 'none' | undefined) ?? 'mean'
  if (reduction === 'none') {
    throw Object.assign(
      new Error(
        `${loss.type}(reduction='none') gives one loss per image; training needs one number. Use 'mean'.`,
      ),
      { code: 'LOSS_NOT_SCALAR' },
    )
  }
  if (loss.type === 'NLLLoss') return new NLLLoss({ reduction })
  if (loss.type === 'MSELoss') {
    // The graph's MSELoss compares the outputs with one-hot encoded labels.
    const mse = new MSELoss({ reduction })
    return {
      call: (input, target) =>
        tf.tidy(() => mse.call(input, tf.oneHot(tf.cast(target, 'int32'), input.shape[1] ?? 10))),
    }
  }
  return new CrossEntropyLoss({
    reduction,
    labelSmoothing: (loss.params.labelSmoothing as number | undefined) ?? 0,
  })
}

function optimizerOf(doc: GraphDocument, model: Module): Optimizer<object> {
  const { optimizer, lr, momentum } = doc.training
  const params = model.parameters()
  if (optimizer === 'SGD') return new SGD(params, { lr, momentum }) as unknown as Optimizer<object>
  if (optimizer === 'AdamW') return new AdamW(params, { lr }) as unknown as Optimizer<object>
  return new Adam(params, { lr }) as unknown as Optimizer<object>
}

/** Turns a model's outputs into probabilities, whatever its last layer is. */
function toProbabilities(doc: GraphDocument, output: tf.Tensor): tf.Tensor {
  const kind = outputKind(doc)
  if (kind === 'probabilities') return output
  if (kind === 'logProbabilities') return tf.exp(output)
  return tf.softmax(output)
}

/**
 * The tfjs side of the worker: picks a backend, loads MNIST from the app's assets, builds the model
 * from the graph, trains it with @tensorloom/train's Trainer and answers predictions.
 */
export function createTfjsEngine(): Engine {
  let backendChosen: Promise<{
    backend: BackendName
    fallbacks: { backend: BackendName; reason: string }[]
    threads: number | null
  }> | null = null
  const splits = new Map<boolean, Promise<Split>>()
  let trained: { built: FromGraphResult; doc: GraphDocument; optimizer: Optimizer<object> } | null =
    null

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
      const selection = await selectBackend(preferred ?? 'webgl', BACKEND_ORDER)
      const backend = selection.backend as BackendName
      const fallbacks = selection.tried
        .filter((t) => !t.ok)
        .map((t) => ({ backend: t.name as BackendName, reason: t.error ?? 'unavailable' }))
      const threads = backend === 'wasm' ? getThreadsCount() : null
      return { backend, fallbacks, threads }
    })()
    return backendChosen
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
      }) as Promise<Split>
      split.catch(() => splits.delete(train))
      splits.set(train, split)
    }
    return split
  }

  /** A view of a loaded split with the graph's transforms. */
  const withTransform = (split: Split, data: DataDescription) =>
    new MNIST<tf.Tensor, number>({
      data: split.data,
      targets: split.targets,
      shape: split.shape,
      train: split.train,
      transform: transformOf(data),
    })

  const datasetNodeCheck = (doc: GraphDocument) => {
    const dataset = modelChain(doc).data[0]
    if (dataset && dataset.type !== 'MNIST') {
      throw Object.assign(
        new Error(
          `${dataset.type} is not bundled with the studio yet: use the MNIST block to train here.`,
        ),
        { code: 'DATASET_NOT_BUNDLED' },
      )
    }
  }

  async function finalResults(
    doc: GraphDocument,
    built: FromGraphResult,
    criterion: Criterion,
    test: MNIST<tf.Tensor, number>,
    raw: Split,
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
        const probs = toProbabilities(doc, out)
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
      datasetNodeCheck(doc)
      const backend = await chooseBackend(options.backend)
      emit({ type: 'backend', ...backend })
      const [trainRaw, testRaw] = [await loadSplit(true, emit), await loadSplit(false, emit)]
      if (control.stopped) {
        emit({ type: 'finished', reason: 'stopped', results: null })
        return
      }
      if (trained) {
        trained.built.model.dispose()
        trained.optimizer.dispose()
        trained = null
      }
      const criterion = criterionOf(doc)
      const epochs = doc.training.epochs
      // Restored when a run has to start over on another backend before its first checkpoint.
      const rngAtStart = getRngState()
      /** The model, optimizer, datasets and trainer, on the active backend. */
      const build = () => {
        const built = fromGraph(doc)
        const { batchSize, shuffle } = built.data
        const train = withTransform(trainRaw, built.data)
        const test = withTransform(testRaw, built.data)
        const trainLoader = new DataLoader(train, { batchSize, shuffle, seed: doc.training.seed })
        const testLoader = new DataLoader(test, { batchSize: TEST_BATCH })
        const optimizer = optimizerOf(doc, built.model)
        const trainer = new Trainer({
          model: built.model,
          optimizer,
          trainLoader,
          testLoader,
          criterion,
          epochs,
          syncEvery: SYNC_EVERY,
        })
        trained = { built, doc, optimizer }
        return { built, train, test, trainLoader, optimizer, trainer }
      }
      let { built, train, test, trainLoader, optimizer, trainer } = build()
      const { batchSize } = built.data
      const totalSteps = Math.min(
        options.maxSteps ?? Number.POSITIVE_INFINITY,
        epochs * trainLoader.length,
      )
      emit({
        type: 'started',
        epochs,
        stepsPerEpoch: trainLoader.length,
        totalSteps,
        batchSize,
        trainSize: train.length,
        testSize: test.length,
      })

      let abort = new AbortController()
      let sentPoints = 0
      let sentEpochs = 0
      let hitMax = false
      // Recovery from a lost WebGL context: checkpoints while training on webgl, and a watch.
      let backendName = backend.backend
      let watch: ContextWatch | null = null
      let lastProgressAt: number | null = performance.now()
      let checkpointedEpochs = 0
      let faultAt = options.loseWebGLContextAt ?? null
      const keeper = new CheckpointKeeper<Checkpoint>(
        CHECKPOINT_EVERY,
        () => !(watch?.isLost ?? false) && !(webglContext()?.isContextLost() ?? false),
      )
      /**
       * A checkpoint read back while the trainer waits at a batch boundary: on WebGL each read
       * would otherwise queue behind the batches trained meanwhile, and take seconds.
       */
      const checkpointQuietly = async (of: Trainer) => {
        of.pause()
        try {
          return await of.checkpoint()
        } finally {
          if (!control.isPaused) of.resume()
        }
      }
      const onState = (state: TrainerState) => {
        const points = state.lossCurve.slice(sentPoints)
        sentPoints = state.lossCurve.length
        if (points.length > 0) {
          const remaining = totalSteps - state.globalStep
          emit({
            type: 'progress',
            epoch: state.epoch,
            step: state.step,
            globalStep: state.globalStep,
            totalSteps,
            curve: lossPoints(points, state.globalStep, state.batchLosses),
            loss: state.loss ?? Number.NaN,
            samplesPerSec: state.samplesPerSecond ?? 0,
            etaSeconds:
              state.samplesPerSecond && state.samplesPerSecond > 0
                ? (remaining * batchSize) / state.samplesPerSecond
                : null,
          })
        }
        for (const record of state.history.slice(sentEpochs)) {
          emit({
            type: 'evaluated',
            epoch: record.epoch,
            testAccuracy: record.testAccuracy ?? 0,
            testLoss: record.testLoss ?? 0,
            trainAccuracy: record.trainAccuracy,
            memory: memorySample(),
          })
        }
        sentEpochs = state.history.length
        if (
          options.maxSteps !== null &&
          state.globalStep >= options.maxSteps &&
          !abort.signal.aborted
        ) {
          hitMax = true
          abort.abort()
        }
        lastProgressAt = control.isPaused ? null : performance.now()
        if (watch) {
          const epochEnded = state.history.length > checkpointedEpochs
          checkpointedEpochs = state.history.length
          keeper.progress(state.globalStep, epochEnded, () => checkpointQuietly(trainer))
        }
        if (faultAt !== null && state.globalStep >= faultAt && backendName === 'webgl') {
          faultAt = null
          // Outside the trainer's own call stack, as a real context loss would come.
          setTimeout(loseWebGLContext, 0)
        }
      }
      let unsubscribe = trainer.subscribe(onState)
      const stopWatch = control.onChange((change) => {
        if (change === 'pause') trainer.pause()
        if (change === 'resume') trainer.resume()
        if (change === 'stop') abort.abort()
      })
      /** Trains and evaluates; `live()` turns false once a recovery has taken over. */
      const attempt = async (live: () => boolean): Promise<Finished> => {
        // This attempt's own objects: a recovery replaces the variables, not what runs here.
        const run = { trainer, built, test, signal: abort.signal }
        if (watch && !keeper.latest) {
          const first = await run.trainer.checkpoint()
          if (live()) keeper.offer(first)
        }
        let result: Awaited<ReturnType<Trainer['fit']>>
        try {
          // The trainer stops at exactly maxSteps batches, even between two loss reads.
          result = await run.trainer.fit({
            signal: run.signal,
            ...(options.maxSteps !== null ? { maxSteps: options.maxSteps } : {}),
          })
        } catch (error) {
          const divergence = divergenceOf(error, trainLoader.length)
          if (!divergence) throw error
          // The trainer restored the last weights that gave a finite loss: they are the results.
          const results = await finalResults(doc, run.built, criterion, run.test, testRaw)
          return { type: 'finished', reason: 'diverged', results, divergence }
        }
        const results = await finalResults(doc, run.built, criterion, run.test, testRaw)
        if (result.status === 'aborted' && live()) {
          const state = run.trainer.getState()
          emit({
            type: 'evaluated',
            epoch: state.epoch - 1 + state.step / trainLoader.length,
            testAccuracy: results.testAccuracy,
            testLoss: results.testLoss,
            trainAccuracy: state.accuracy,
          })
        }
        return {
          type: 'finished',
          reason: result.status === 'completed' ? 'completed' : hitMax ? 'maxSteps' : 'stopped',
          results,
        }
      }

      /**
       * The context is gone: drop everything on it, switch to the next backend, rebuild the model
       * and optimizer there from the last checkpoint, and say so.
       */
      const recover = async (cause: string) => {
        const from = backendName
        const state = trainer.getState()
        const lostAt = { epoch: state.epoch, step: state.step, globalStep: state.globalStep }
        const checkpoint = keeper.latest
        abort.abort()
        unsubscribe()
        watch?.dispose()
        watch = null
        releaseLostWebGL()
        for (const free of [
          () => trainer.dispose(),
          () => built.model.dispose(),
          () => optimizer.dispose(),
          () => train.dispose(),
          () => test.dispose(),
        ]) {
          try {
            free()
          } catch {
            // Freeing memory of a lost context may fail; it is gone either way.
          }
        }
        const earlier = (await chooseBackend(options.backend)).fallbacks
        const selection = await selectBackend(
          undefined,
          BACKEND_ORDER.filter((b) => b !== from && !earlier.some((f) => f.backend === b)),
        )
        const to = selection.backend as BackendName
        backendName = to
        const resumedFrom = checkpoint
          ? { epoch: checkpoint.epoch, step: checkpoint.step, globalStep: checkpoint.globalStep }
          : { epoch: 1, step: 0, globalStep: 0 }
        const recovery: Recovery = {
          from,
          to,
          cause,
          lostAt,
          resumedFrom,
          epochsDone: checkpoint?.history.length ?? 0,
        }
        const chosen = {
          backend: to,
          fallbacks: [
            ...earlier,
            ...selection.tried
              .filter((t) => !t.ok)
              .map((t) => ({ backend: t.name as BackendName, reason: t.error ?? 'unavailable' })),
            {
              backend: from,
              reason: `context lost at epoch ${lostAt.epoch} batch ${lostAt.globalStep} (${cause})`,
            },
          ],
          threads: to === 'wasm' ? getThreadsCount() : null,
        }
        // Later runs start on the new backend too.
        backendChosen = Promise.resolve(chosen)
        emit({ type: 'backend', ...chosen })
        if (!checkpoint) setRngState(rngAtStart)
        ;({ built, train, test, trainLoader, optimizer, trainer } = build())
        if (checkpoint) trainer.loadCheckpoint(checkpoint)
        emit({ type: 'recovered', ...recovery })
        sentPoints = 0
        sentEpochs = recovery.epochsDone
        checkpointedEpochs = recovery.epochsDone
        keeper.restart(resumedFrom.globalStep)
        lastProgressAt = performance.now()
        abort = new AbortController()
        if (control.stopped) abort.abort()
        if (control.isPaused) trainer.pause()
        unsubscribe = trainer.subscribe(onState)
      }

      try {
        let generation = 0
        while (true) {
          watch = backendName === 'webgl' ? watchWebGL(() => lastProgressAt) : null
          const current = ++generation
          const running = attempt(() => current === generation)
          // A run given up after a context loss may still fail later: nobody waits for it then.
          running.catch(() => {})
          const lost = watch?.lost ?? new Promise<string>(() => {})
          let outcome: { finished: Finished } | { lost: string }
          try {
            outcome = await Promise.race([
              running.then((finished) => ({ finished })),
              lost.then((cause) => ({ lost: cause })),
            ])
          } catch (error) {
            // An op failing on a lost context is the loss, not a bug in the model.
            if (!watch?.isLost && !webglContext()?.isContextLost()) throw error
            outcome = { lost: watch?.isLost ? await lost : 'gl.isContextLost() became true' }
          }
          if ('finished' in outcome) {
            emit(outcome.finished)
            return
          }
          generation++
          await recover(outcome.lost)
        }
      } finally {
        watch?.dispose()
        unsubscribe()
        stopWatch()
        trainer.dispose()
        train.dispose()
        test.dispose()
      }
    },

    async predict(pixels) {
      if (!trained) throw new Error('Train the network first: there is no trained model yet.')
      const { doc } = trained
      const model = trained.built.model
      const norm = normalizeOf(doc)
      const input = tf.tidy(() => {
        const x = tf.tensor4d(pixels, [1, 1, 28, 28])
        return norm ? tf.div(tf.sub(x, norm.mean[0] ?? 0), norm.std[0] ?? 1) : x
      })
      model.eval()
      const probs = tf.tidy(() => toProbabilities(doc, model.call(input)))
      const values = Array.from(await probs.data())
      const normalized = Float32Array.from(await input.data())
      tf.dispose([input, probs])
      return { probabilities: values, input: normalized }
    },

    async samples(doc, train, count, emit) {
      datasetNodeCheck(doc)
      const split = await loadSplit(train, emit)
      const n = Math.min(count, split.length)
      const images = split.data.slice(0, n * 784)
      const labels = Array.from(split.targets.subarray(0, n))
      const sample = split.data.subarray(0, Math.min(split.length, 1000) * 784)
      const norm = normalizeOf(doc)
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
      if (!trained) throw new Error('Train the network first: there are no weights to export.')
      const bytes = await saveSafetensorsAsync(trained.built.model, {
        metadata: { graph: JSON.stringify(trained.doc) },
      })
      return {
        bytes: bytes as Uint8Array<ArrayBuffer>,
        fileName: `${slug(trained.doc.name)}.safetensors`,
      }
    },
  }
}
