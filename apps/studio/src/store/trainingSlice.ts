// Kept whole (a little over 400 lines): one store slice, the run's state next to the actions that
// start, stop and resume a run and fold the worker's messages into that state.
import type { GraphDocument } from '@tensorloom/graph'
import type {
  BackendChoiceName,
  BackendName,
  BackendTiming,
  Divergence,
  FromWorker,
  PackageRequest,
  Recovery,
  RunPhase,
  TrainResults,
} from '../worker/protocol'
import { recoveryMessage } from '../worker/recovery'
import type { SliceCreator, StudioDeps, StudioState } from './types'

export type TrainingStatus =
  | 'idle'
  | 'starting'
  | 'training'
  | 'paused'
  | 'stopping'
  | 'done'
  | 'failed'

/** One training run as the panel shows it. */
export interface RunState {
  status: TrainingStatus
  backend: {
    name: BackendName
    fallbacks: { backend: BackendName; reason: string }[]
    /** Threads of the wasm backend; null on the others. */
    threads: number | null
    /** With `auto`: each backend's measured speed on the network. */
    timings: BackendTiming[] | null
  } | null
  loading: { label: string; loaded: number; total: number | null } | null
  plan: Extract<FromWorker, { type: 'started' }> | null
  progress: Omit<Extract<FromWorker, { type: 'progress' }>, 'curve' | 'type'> | null
  /** The loss curve: global step, loss, and its debiased exponential moving average. */
  loss: { steps: number[]; raw: number[]; smooth: number[] }
  evals: Omit<Extract<FromWorker, { type: 'evaluated' }>, 'type'>[]
  results: TrainResults | null
  finishReason: Extract<FromWorker, { type: 'finished' }>['reason'] | null
  error: string | null
  /** Set when the loss became NaN/Inf: where, and what to try instead. */
  divergence: Divergence | null
  /** Set when the backend failed mid-run (a lost WebGL context) and the run resumed on another. */
  recovery: Recovery | null
  /** What the run is doing now, when it says (evaluating the test set, timing backends). */
  phase: RunPhase | null
  /** The graph this run trains, as it was when the run started (later edits don't reach it). */
  doc: GraphDocument | null
  /** Counts the runs started in this tab: tells a run from the one before it. */
  number: number
}

/**
 * The trained model the worker holds: what Results, Draw and the weights export describe. A run
 * replaces it only when it finishes with results; one stopped before its first batch, or one that
 * failed, leaves it as it was.
 */
export interface TrainedModel {
  /** The graph it was built from, as it was when its run started. */
  doc: GraphDocument
  results: TrainResults
  /** Batches trained. */
  steps: number
  backend: BackendName | null
  finishReason: Extract<FromWorker, { type: 'finished' }>['reason']
  divergence: Divergence | null
  recovery: Recovery | null
  /** ISO time the run finished. */
  finishedAt: string
}

export interface TrainingSlice {
  run: RunState
  /** Stop after this many batches (null: run every epoch). Set from the panel or `?maxSteps=`. */
  maxSteps: number | null
  /** The backend to train on, or `auto`: the fastest, timed on the network in the worker. */
  backendChoice: BackendChoiceName
  setBackendChoice(choice: BackendChoiceName): void
  /** The last finished run's numbers (kept across reloads by persistence.ts). */
  lastRun: ResultsSummary | null
  /** The model the worker holds from the last run that finished with results. */
  model: TrainedModel | null
  startTraining(): boolean
  pauseTraining(): void
  resumeTraining(): void
  stopTraining(): void
  /** Stops the run and starts a new one on the graph on the canvas once it has ended. */
  restartTraining(): void
  setMaxSteps(maxSteps: number | null): void
  /** Folds one worker message into the run state. */
  receive(message: FromWorker): void
  /** Class probabilities of the trained model for one 28x28 image in [0, 1]. */
  predict(pixels: Float32Array): Promise<Extract<FromWorker, { type: 'prediction' }>>
  /** A few images of the graph's dataset, with value statistics along its transforms. */
  sampleData(
    train: boolean,
    count: number,
    nodeId?: string,
  ): Promise<Extract<FromWorker, { type: 'samples' }>>
  /** The trained weights as a safetensors file. */
  exportWeights(): Promise<Extract<FromWorker, { type: 'weights' }>>
  /** The trained network as an npm package (.tgz), with the run's facts in its README. */
  exportPackage(
    request: Omit<PackageRequest, 'training'>,
  ): Promise<Extract<FromWorker, { type: 'package' }>>
}

/** Weight of the loss curve's moving average (TensorBoard's default smoothing is similar). */
export const LOSS_SMOOTHING = 0.9

export const idleRun: RunState = {
  status: 'idle',
  backend: null,
  loading: null,
  plan: null,
  progress: null,
  loss: { steps: [], raw: [], smooth: [] },
  evals: [],
  results: null,
  finishReason: null,
  error: null,
  divergence: null,
  recovery: null,
  doc: null,
  phase: null,
  number: 0,
}

/** What survives a reload of the last finished run: the numbers, not the images or the model. */
export interface ResultsSummary {
  testAccuracy: number
  testLoss: number
  confusion: number[][]
  finishReason: Extract<FromWorker, { type: 'finished' }>['reason']
  /** Batches trained. */
  steps: number
  backend: BackendName | null
  graphName: string
  /** ISO time the run finished. */
  finishedAt: string
}

/**
 * Why training cannot start now, or null: a setting or parameter whose text is not a valid value
 * (the field names it), or an error in the graph.
 */
export function startProblem(state: StudioState): string | null {
  const field = Object.values(state.fieldErrors)[0]
  if (field) return `${field.label}: ${field.message}`
  const error = state.inference.issues.find((issue) => issue.severity === 'error')
  if (error) return `Fix the graph first: ${error.message}`
  return null
}

function appendLosses(loss: RunState['loss'], points: [number, number][]) {
  const steps = [...loss.steps]
  const raw = [...loss.raw]
  const smooth = [...loss.smooth]
  for (const [step, value] of points) {
    // Debiased EMA: ema_t / (1 - w^t), so the curve starts at the first value, not at zero.
    const t = raw.length + 1
    const prevEma = t === 1 ? 0 : smooth[t - 2]! * (1 - LOSS_SMOOTHING ** (t - 1))
    const ema = LOSS_SMOOTHING * prevEma + (1 - LOSS_SMOOTHING) * value
    steps.push(step)
    raw.push(value)
    smooth.push(ema / (1 - LOSS_SMOOTHING ** t))
  }
  return { steps, raw, smooth }
}

export function createTrainingSlice(
  deps: StudioDeps,
  options: {
    maxSteps: number | null
    backendChoice: BackendChoiceName
    lastRun?: ResultsSummary | null
    loseWebGLContextAt?: number | null
  },
): SliceCreator<TrainingSlice> {
  return (set, get) => {
    const patchRun = (patch: Partial<RunState>) => set({ run: { ...get().run, ...patch } })
    /** Set by restartTraining: start again once the stopped run has ended. */
    let restartWhenDone = false
    const afterEnd = () => {
      if (!restartWhenDone) return
      restartWhenDone = false
      get().startTraining()
    }

    return {
      run: idleRun,
      maxSteps: options.maxSteps,
      backendChoice: options.backendChoice,
      setBackendChoice: (backendChoice) => set({ backendChoice }),
      lastRun: options.lastRun ?? null,
      model: null,

      startTraining() {
        const { doc, run, maxSteps, backendChoice, notify } = get()
        if (!deps.trainer) return false
        if (run.status === 'starting' || run.status === 'training' || run.status === 'paused') {
          return false
        }
        const problem = startProblem(get())
        if (problem) {
          notify('error', problem)
          return false
        }
        set({ run: { ...idleRun, status: 'starting', doc, number: run.number + 1 } })
        deps.trainer.train(doc, {
          maxSteps,
          backend: backendChoice,
          ...(options.loseWebGLContextAt ? { loseWebGLContextAt: options.loseWebGLContextAt } : {}),
        })
        return true
      },

      pauseTraining() {
        if (get().run.status !== 'training') return
        deps.trainer?.pause()
      },

      resumeTraining() {
        if (get().run.status !== 'paused') return
        deps.trainer?.resume()
      },

      stopTraining() {
        const { status } = get().run
        if (status !== 'training' && status !== 'paused' && status !== 'starting') return
        patchRun({ status: 'stopping' })
        deps.trainer?.stop()
      },

      restartTraining() {
        const { status } = get().run
        if (status !== 'training' && status !== 'paused' && status !== 'starting') return
        restartWhenDone = true
        get().stopTraining()
      },

      setMaxSteps(maxSteps) {
        set({ maxSteps })
      },

      predict(pixels) {
        if (!deps.trainer) return Promise.reject(new Error('Training is not available here.'))
        return deps.trainer.predict(pixels)
      },

      sampleData(train, count, nodeId) {
        if (!deps.trainer) return Promise.reject(new Error('Training is not available here.'))
        return deps.trainer.samples(get().doc, train, count, nodeId)
      },

      exportWeights() {
        if (!deps.trainer) return Promise.reject(new Error('Training is not available here.'))
        return deps.trainer.exportWeights()
      },

      exportPackage(request) {
        if (!deps.trainer) return Promise.reject(new Error('Training is not available here.'))
        // What the worker packages: the last model that finished, not a run still going.
        const { model } = get()
        const training: Record<string, string | number> = {}
        if (model) training['batches trained'] = model.steps
        if (model?.backend) training.backend = model.backend
        return deps.trainer.exportPackage({ ...request, training })
      },

      receive(message) {
        const { run } = get()
        switch (message.type) {
          case 'backend':
            patchRun({
              backend: {
                name: message.backend,
                fallbacks: message.fallbacks,
                threads: message.threads ?? null,
                timings: message.timings ?? null,
              },
            })
            break
          case 'phase': {
            const { type: _type, ...phase } = message
            // Timing the backends comes after the data has loaded.
            patchRun({ phase, loading: null })
            break
          }
          case 'loading':
            patchRun({
              loading: { label: message.label, loaded: message.loaded, total: message.total },
            })
            break
          case 'started':
            patchRun({ status: 'training', plan: message, loading: null })
            break
          case 'progress': {
            const { curve, type: _type, ...progress } = message
            patchRun({
              progress,
              loss: appendLosses(run.loss, curve),
              ...(run.status === 'starting' ? { status: 'training' as const } : {}),
            })
            break
          }
          case 'paused':
            patchRun({ status: 'paused' })
            break
          case 'resumed':
            patchRun({ status: 'training' })
            break
          case 'evaluated': {
            const { type: _type, ...evaluation } = message
            patchRun({ evals: [...run.evals, evaluation] })
            break
          }
          case 'recovered': {
            // Batches and evaluations after the checkpoint are trained again on the new backend.
            const { type: _type, ...recovery } = message
            const after = run.loss.steps.findIndex((step) => step > recovery.resumedFrom.globalStep)
            const keep = after < 0 ? run.loss.steps.length : after
            patchRun({
              recovery,
              loss: {
                steps: run.loss.steps.slice(0, keep),
                raw: run.loss.raw.slice(0, keep),
                smooth: run.loss.smooth.slice(0, keep),
              },
              evals: run.evals.filter((e) => e.epoch <= recovery.epochsDone),
              progress: run.progress && { ...run.progress, ...recovery.resumedFrom },
            })
            get().notify('info', recoveryMessage(recovery))
            break
          }
          case 'finished': {
            const results = message.results
            const d = message.divergence
            // The trainer stops at the bad batch before its next progress update: count to it,
            // as the divergence notice does.
            const progress =
              d && run.progress
                ? { ...run.progress, epoch: d.epoch, step: d.step, globalStep: d.globalStep }
                : run.progress
            patchRun({
              status: 'done',
              finishReason: message.reason,
              results,
              loading: null,
              phase: null,
              divergence: d ?? null,
              progress,
            })
            if (!results) {
              // Stopped before the first batch: nothing was trained, the last model stays.
              get().notify(
                'info',
                get().model
                  ? 'Stopped before the first batch: nothing was trained, and the results of the last run stay.'
                  : 'Stopped before the first batch: nothing was trained.',
              )
              afterEnd()
              break
            }
            const steps = d ? d.globalStep - 1 : (progress?.globalStep ?? 0)
            const trainedDoc = run.doc ?? get().doc
            const finishedAt = new Date().toISOString()
            set({
              model: {
                doc: trainedDoc,
                results,
                steps,
                backend: run.backend?.name ?? null,
                finishReason: message.reason,
                divergence: d ?? null,
                recovery: run.recovery,
                finishedAt,
              },
              lastRun: {
                testAccuracy: results.testAccuracy,
                testLoss: results.testLoss,
                confusion: results.confusion,
                finishReason: message.reason,
                steps,
                backend: run.backend?.name ?? null,
                graphName: trainedDoc.name,
                finishedAt,
              },
            })
            if (restartWhenDone) afterEnd()
            else get().setPanel(d ? 'train' : 'results')
            break
          }
          case 'failed':
            patchRun({ status: 'failed', error: message.message, loading: null, phase: null })
            get().notify('error', message.message)
            restartWhenDone = false
            break
          default:
            // Replies to requests (predictions, samples, weights) are handled by their callers.
            break
        }
      },
    }
  }
}
