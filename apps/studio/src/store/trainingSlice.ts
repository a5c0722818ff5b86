import type {
  BackendName,
  Divergence,
  FromWorker,
  Recovery,
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
  /** The graph (as JSON) the current model was built from. */
  trainedGraph: string | null
}

export interface TrainingSlice {
  run: RunState
  /** Stop after this many batches (null: run every epoch). Set from the panel or `?maxSteps=`. */
  maxSteps: number | null
  /** Backend to try first; null lets the worker choose (webgl, then wasm, then cpu). */
  preferredBackend: BackendName | null
  /** The last finished run's numbers (kept across reloads by persistence.ts). */
  lastRun: ResultsSummary | null
  startTraining(): boolean
  pauseTraining(): void
  resumeTraining(): void
  stopTraining(): void
  setMaxSteps(maxSteps: number | null): void
  /** Folds one worker message into the run state. */
  receive(message: FromWorker): void
  /** Class probabilities of the trained model for one 28x28 image in [0, 1]. */
  predict(pixels: Float32Array): Promise<Extract<FromWorker, { type: 'prediction' }>>
  /** A few images of the graph's dataset, with value statistics along its transforms. */
  sampleData(train: boolean, count: number): Promise<Extract<FromWorker, { type: 'samples' }>>
  /** The trained weights as a safetensors file. */
  exportWeights(): Promise<Extract<FromWorker, { type: 'weights' }>>
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
  trainedGraph: null,
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
    preferredBackend: BackendName | null
    lastRun?: ResultsSummary | null
    loseWebGLContextAt?: number | null
  },
): SliceCreator<TrainingSlice> {
  return (set, get) => {
    const patchRun = (patch: Partial<RunState>) => set({ run: { ...get().run, ...patch } })

    return {
      run: idleRun,
      maxSteps: options.maxSteps,
      preferredBackend: options.preferredBackend,
      lastRun: options.lastRun ?? null,

      startTraining() {
        const { doc, run, maxSteps, preferredBackend, notify } = get()
        if (!deps.trainer) return false
        if (run.status === 'starting' || run.status === 'training' || run.status === 'paused') {
          return false
        }
        const problem = startProblem(get())
        if (problem) {
          notify('error', problem)
          return false
        }
        set({ run: { ...idleRun, status: 'starting', trainedGraph: JSON.stringify(doc) } })
        deps.trainer.train(doc, {
          maxSteps,
          ...(preferredBackend ? { backend: preferredBackend } : {}),
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

      setMaxSteps(maxSteps) {
        set({ maxSteps })
      },

      predict(pixels) {
        if (!deps.trainer) return Promise.reject(new Error('Training is not available here.'))
        return deps.trainer.predict(pixels)
      },

      sampleData(train, count) {
        if (!deps.trainer) return Promise.reject(new Error('Training is not available here.'))
        return deps.trainer.samples(get().doc, train, count)
      },

      exportWeights() {
        if (!deps.trainer) return Promise.reject(new Error('Training is not available here.'))
        return deps.trainer.exportWeights()
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
              },
            })
            break
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
            patchRun({
              status: 'done',
              finishReason: message.reason,
              results,
              loading: null,
              divergence: d ?? null,
              // The trainer stops at the bad batch before its next progress update: count to it,
              // as the divergence notice does.
              ...(d && run.progress
                ? {
                    progress: {
                      ...run.progress,
                      epoch: d.epoch,
                      step: d.step,
                      globalStep: d.globalStep,
                    },
                  }
                : {}),
            })
            if (results) {
              set({
                lastRun: {
                  testAccuracy: results.testAccuracy,
                  testLoss: results.testLoss,
                  confusion: results.confusion,
                  finishReason: message.reason,
                  steps: message.divergence
                    ? message.divergence.globalStep - 1
                    : (run.progress?.globalStep ?? 0),
                  backend: run.backend?.name ?? null,
                  graphName: get().doc.name,
                  finishedAt: new Date().toISOString(),
                },
              })
              get().setPanel(message.divergence ? 'train' : 'results')
            }
            break
          }
          case 'failed':
            patchRun({ status: 'failed', error: message.message, loading: null })
            get().notify('error', message.message)
            break
          default:
            // Replies to requests (predictions, samples, weights) are handled by their callers.
            break
        }
      },
    }
  }
}
