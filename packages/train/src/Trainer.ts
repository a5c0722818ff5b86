// Kept whole (a little over 400 lines): it is the one Trainer class, and its private methods share
// the run's state (epoch, step, the window of pending steps). Its collaborators already live apart:
// options (TrainerOptions), state (TrainerState), checkpoints (trainerCheckpoint), engines
// (StepEngine), pause and abort (RunControl), faults (RunFaults) and NaN/Inf checks (NonFiniteGuard).
import * as tf from '@tensorflow/tfjs-core'
import type { Module } from '@tensorloom/layers'
import type { Checkpoint } from './checkpoint'
import { TrainError, trainError } from './errors'
import { type BatchSource, type EvaluationResult, evaluate } from './evaluate'
import type { Criterion } from './Loss'
import { NonFiniteGuard } from './NonFiniteGuard'
import type { Optimizer } from './Optimizer'
import { Progress } from './Progress'
import { RunControl } from './RunControl'
import { RunFaults } from './RunFaults'
import { type AnyStepEngine, createStepEngine, type PendingStep } from './StepEngine'
import { Store, type Subscribable } from './Store'
import {
  checkEpochs,
  checkMaxSteps,
  type FitOptions,
  type FitResult,
  resolveOptions,
  type TrainerOptions,
} from './TrainerOptions'
import { initialState, type TrainerState } from './TrainerState'
import {
  captureCheckpoint,
  checkCheckpoint,
  loaderGenerator,
  restoreCheckpoint,
} from './trainerCheckpoint'

export type { FitOptions, FitResult, TrainerOptions } from './TrainerOptions'
export type { TrainerState, TrainerStatus } from './TrainerState'

const isPromise = <T>(value: T | PromiseLike<T>): value is PromiseLike<T> =>
  typeof (value as { then?: unknown } | null)?.then === 'function'

/**
 * Trains a model the way the lesson's loop does — for each epoch, for each batch: forward, loss,
 * backward, optimizer step; then evaluate on the test set — with what a UI needs around it:
 * progress as a subscribable state, pause/resume, abort, checkpoints that resume to exactly the
 * same result, and NaN/Inf detection.
 *
 * @example
 * const trainer = new Trainer({ model, optimizer, criterion, trainLoader, testLoader, epochs: 5 })
 * const unsubscribe = trainer.subscribe((s) => console.log(s.epoch, s.step, s.smoothedLoss))
 * const { history } = await trainer.fit()
 */
export class Trainer implements Subscribable<TrainerState> {
  readonly model: Module
  readonly optimizer: Optimizer<object>
  readonly criterion: Criterion
  readonly trainLoader: BatchSource
  readonly testLoader: BatchSource | undefined
  private readonly syncEvery: number
  private readonly engineOption: 'auto' | 'fast' | 'reference'
  private readonly store: Store<TrainerState>
  private readonly guard: NonFiniteGuard
  private readonly progress = new Progress()
  private readonly control = new RunControl({
    flush: () => this.flush(),
    checkpoint: () => this.makeCheckpoint(),
    paused: (paused) => {
      this.store.set({ status: paused ? 'paused' : 'training' })
      if (!paused) this.windowStart = performance.now()
    },
    pausedTick: () => this.faults.checkModel(),
  })
  private readonly faults = new RunFaults(this.control, () => {
    const { epoch, step } = this.store.getState()
    return { epoch, step }
  })
  private engine: AnyStepEngine | null = null

  private epoch = 1
  private step = 0
  private globalStep = 0
  /** The loader generator's state when the epoch started: each pass over it replays from here. */
  private epochStartRng: unknown = null
  /** Steps trained since the last read-back, their results still on the device. */
  private window: PendingStep[] = []
  private windowStart = 0
  private running = false
  private disposed = false

  constructor(options: TrainerOptions) {
    const settings = resolveOptions(options)
    this.model = settings.model
    this.optimizer = settings.optimizer
    this.criterion = settings.criterion
    this.trainLoader = settings.trainLoader
    this.testLoader = settings.testLoader
    this.syncEvery = settings.syncEvery
    this.engineOption = settings.engine
    this.guard = new NonFiniteGuard(this.model, this.optimizer, settings.checkFinite)
    this.store = new Store(initialState(settings.epochs, this.trainLoader.length), (error) =>
      this.faults.listenerThrew(error),
    )
  }

  /** The current progress snapshot. */
  getState = (): TrainerState => this.store.getState()

  /** Calls `listener` after every progress change; returns the unsubscribe function. */
  subscribe = (listener: (state: TrainerState) => void): (() => void) =>
    this.store.subscribe(listener)

  /** The engine that trains: `'fast'` or `'reference'` once `fit` started, null before. */
  get activeEngine(): 'fast' | 'reference' | null {
    return this.engine?.kind ?? null
  }

  /**
   * Trains until `epochs` epochs are done in total, evaluating on the test loader after each.
   * Continues from where the trainer stopped (after an abort or {@link loadCheckpoint}).
   * Resolves with status `'aborted'` when the signal aborts or the trainer is disposed meanwhile;
   * rejects with a `TrainError` `NON_FINITE_LOSS` when the loss becomes NaN/Inf (the last good
   * weights are restored), `MODEL_DISPOSED` when the model is disposed under it, and
   * `LISTENER_ERROR` when a subscriber throws (the run stops; `fit()` can continue it). Whatever
   * happens, it settles and leaves the trainer ready for the next `fit()`.
   */
  async fit(options: FitOptions = {}): Promise<FitResult> {
    this.assertLive()
    if (this.running) throw trainError('FIT_BUSY')
    const epochs = checkEpochs(options.epochs ?? this.store.getState().epochs)
    const maxSteps = checkMaxSteps(options.maxSteps)
    if (this.trainLoader.length === 0) throw trainError('FIT_EMPTY_LOADER')
    this.running = true
    this.faults.begin(this.model)
    try {
      this.control.begin(options.signal, maxSteps ?? null)
      this.progress.resetRate()
      this.store.set({ status: 'training', epochs, error: null })
      const engine = await this.prepareEngine()
      this.guard.arm()
      while (this.epoch <= epochs) {
        if ((await this.trainEpoch(engine)) === 'aborted') return this.stopped()
        if (this.testLoader) {
          if (this.control.runSignal?.aborted) return this.stopped()
          this.store.set({ status: 'evaluating' })
          const result = await this.runEvaluation(this.testLoader)
          if (result === 'aborted') return this.stopped()
          this.endEpoch(result)
        } else {
          this.endEpoch(null)
        }
        if (this.control.runSignal?.aborted) return this.stopped()
        if (this.epoch <= epochs) this.store.set({ status: 'training' })
      }
      const result = this.finish('completed')
      this.faults.throwIfListenerFailed()
      return result
    } catch (error) {
      this.discardWindow()
      const failure = this.faults.explain(error)
      const code = failure instanceof TrainError ? failure.code : 'ERROR'
      this.store.set({
        status: 'failed',
        error: { code, message: failure instanceof Error ? failure.message : String(failure) },
      })
      throw failure
    } finally {
      this.running = false
      this.control.end()
      this.faults.end()
      if (this.disposed) this.free()
    }
  }

  /** Pauses at the next step boundary (status `'paused'`); {@link resume} continues. */
  pause(): void {
    this.control.pause()
  }

  /** Continues after {@link pause}. */
  resume(): void {
    this.control.resume()
  }

  /**
   * Evaluates the model on `loader` (default: the test loader): loss, accuracy, per-class accuracy
   * and confusion matrix. Also stored as `lastEvaluation` in the state.
   */
  async evaluate(
    loader: BatchSource | undefined = this.testLoader,
    options: { signal?: AbortSignal } = {},
  ): Promise<EvaluationResult> {
    this.assertLive()
    if (!loader) throw trainError('EVALUATE_NO_LOADER')
    if (this.running) throw trainError('EVALUATE_BUSY')
    this.running = true
    this.faults.begin()
    const previous = this.store.getState().status
    this.store.set({ status: 'evaluating' })
    try {
      const result = await evaluate(this.model, loader, this.criterion, options)
      this.store.set({ lastEvaluation: result })
      this.store.set({ status: previous })
      this.faults.throwIfListenerFailed()
      return result
    } catch (error) {
      if (this.store.getState().status === 'evaluating') this.store.set({ status: previous })
      throw error
    } finally {
      this.running = false
      this.faults.end()
      if (this.disposed) this.free()
    }
  }

  /**
   * A checkpoint of the current position. While training it is taken at the next step boundary;
   * otherwise at once. Resume it with {@link loadCheckpoint} on a Trainer over the same kind of
   * model, optimizer and loaders.
   */
  checkpoint(): Promise<Checkpoint> {
    this.assertLive()
    if (!this.running || this.store.getState().status === 'paused') return this.makeCheckpoint()
    return this.control.requestCheckpoint()
  }

  /**
   * Restores a {@link Checkpoint}: weights, optimizer state, position, random states, partial-epoch
   * metrics and history. The next {@link fit} continues exactly as the run that saved it would
   * have. Not while training.
   */
  loadCheckpoint(checkpoint: Checkpoint): void {
    this.assertLive()
    if (this.running) throw trainError('LOAD_CHECKPOINT_BUSY')
    checkCheckpoint(checkpoint, this.trainLoader, this.optimizer)
    const position = restoreCheckpoint(checkpoint, this.model, this.optimizer, () =>
      this.engine?.push(),
    )
    this.epoch = position.epoch
    this.step = position.step
    this.globalStep = position.globalStep
    this.epochStartRng = position.epochStartRng
    this.progress.load(checkpoint.progress)
    this.guard.drop()
    this.store.set({
      status: 'idle',
      epoch: this.epoch,
      step: this.step,
      globalStep: this.globalStep,
      smoothedLoss: this.progress.smoothedLoss,
      accuracy: this.progress.accuracy,
      history: checkpoint.history.map((h) => ({ ...h })),
      error: null,
    })
  }

  /**
   * Frees the trainer's own tensors (pending losses, last-good-weights copies) and drops listeners.
   * The model, optimizer and loaders are not touched: dispose them yourself. During `fit()` (even
   * paused) it stops the run like an abort: `fit()` resolves with status `'aborted'`, and the
   * trainer is freed once its loop has stopped.
   */
  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    if (this.running) {
      this.control.stop('disposed')
      return
    }
    this.free()
  }

  // ---------------------------------------------------------------------------------------------

  private assertLive(): void {
    if (this.disposed) throw trainError('TRAINER_DISPOSED')
  }

  private free(): void {
    this.discardWindow()
    this.guard.drop()
    this.engine?.dispose()
    this.engine = null
    this.store.clear()
  }

  /** A run stopped from inside or by its signal: how `fit()` settles. */
  private stopped(): FitResult {
    this.faults.throwIfFaulted()
    return this.finish('aborted')
  }

  /** The engine, chosen on the first `fit` (and again after the backend changed), per `engine`. */
  private async prepareEngine(): Promise<AnyStepEngine> {
    const built = this.engine?.backendName
    if (this.engine && built != null && built !== tf.getBackend()) {
      this.engine.dispose()
      this.engine = null
    }
    this.engine ??= await createStepEngine(this.engineOption, {
      model: this.model,
      optimizer: this.optimizer,
      criterion: this.criterion,
      trainLoader: this.trainLoader,
    })
    return this.engine
  }

  /**
   * One epoch, on either engine: puts the loader's generator back to the epoch's start (so a
   * resumed or repeated epoch draws the same batches), skips the batches a resumed run trained
   * already, and trains the others, reading back every `syncEvery` steps.
   */
  private async trainEpoch(engine: AnyStepEngine): Promise<'done' | 'aborted'> {
    const generator = loaderGenerator(this.trainLoader)
    if (this.epochStartRng === null) this.epochStartRng = generator?.getState() ?? null
    else generator?.setState(this.epochStartRng)
    this.model.train(true)
    const batches = engine.batches()
    let index = 0
    this.windowStart = performance.now()
    try {
      while (true) {
        const pending = batches.next()
        const next = isPromise(pending) ? await pending : pending
        if (next.done) break
        if (index < this.step) {
          // Resuming mid-epoch: the loader replays the epoch's order; skip what was trained.
          engine.skip(next.value)
          index++
          continue
        }
        this.faults.checkModel()
        if (!(await this.control.boundary(this.globalStep))) {
          engine.skip(next.value)
          return 'aborted'
        }
        this.window.push(engine.step(next.value))
        index++
        this.step++
        this.globalStep++
        if (this.window.length >= this.syncEvery) await this.flush()
      }
      await this.flush()
      return 'done'
    } finally {
      await batches.return?.()
    }
  }

  private discardWindow(): void {
    if (this.window.length > 0) this.engine?.release(this.window)
    this.window = []
  }

  /** Reads back the window's losses in one transfer, checks them, updates metrics and notifies. */
  private async flush(): Promise<void> {
    const window = this.window
    if (window.length === 0) return
    this.window = []
    const n = window.length
    // Only the current engine's steps are ever pending.
    const engine = this.engine!
    const packed = engine.pack(window)
    let values: Float32Array
    try {
      values = (await packed.data()) as Float32Array
    } finally {
      packed.dispose()
      engine.release(window)
    }
    const seconds = (performance.now() - this.windowStart) / 1000
    // An engine may train its own copies: the model and optimizer see them from here on.
    engine.pull()
    this.windowStart = performance.now()
    const bad = this.guard.firstBad(values, n)
    if (bad >= 0) {
      // The batches before the bad one trained as usual: they are reported before training stops.
      if (bad > 0) this.report(window, values, bad, (seconds * bad) / n)
      const behind = n - 1 - bad
      const at = {
        epoch: this.epoch,
        step: this.step - behind,
        globalStep: this.globalStep - behind,
      }
      this.guard.fail(at, values[bad]!, bad === 0, () => engine.push())
    }
    this.guard.passed()
    this.report(window, values, n, seconds)
  }

  /**
   * Adds the first `count` batches of a read-back window (`values`: their losses, then their
   * correct counts when classifying) to the metrics, and publishes them as the latest progress.
   */
  private report(
    window: readonly PendingStep[],
    values: Float32Array,
    count: number,
    seconds: number,
  ): void {
    // Batches of the window after these: none, unless training stops within it.
    const behind = window.length - count
    const step = this.step - behind
    const globalStep = this.globalStep - behind
    const update = this.progress.add(window, values, count, seconds)
    const state = this.store.getState()
    this.store.set({
      ...update,
      epoch: this.epoch,
      step,
      globalStep,
      etaSeconds: this.progress.eta({
        epoch: this.epoch,
        step,
        globalStep,
        epochs: state.epochs,
        stepsPerEpoch: this.trainLoader.length,
        stopAt: this.control.stopAt,
        evaluates: this.testLoader !== undefined,
        evaluationSeconds: state.lastEvaluation?.seconds ?? 0,
      }),
      lossCurve: [...state.lossCurve, [globalStep, update.loss] as const],
    })
  }

  private async runEvaluation(loader: BatchSource): Promise<EvaluationResult | 'aborted'> {
    const signal = this.control.runSignal
    try {
      this.faults.checkModel()
      if (signal?.aborted) return 'aborted'
      const result = await evaluate(this.model, loader, this.criterion, signal ? { signal } : {})
      this.store.set({ lastEvaluation: result })
      return result
    } catch (error) {
      if (signal?.aborted) return 'aborted'
      throw error
    }
  }

  private endEpoch(evaluation: EvaluationResult | null): void {
    const state = this.store.getState()
    const record = this.progress.endEpoch(this.epoch, evaluation)
    const last = this.epoch >= state.epochs
    this.epoch++
    this.step = 0
    this.epochStartRng = null
    this.store.set({
      history: [...state.history, record],
      epoch: last ? this.epoch - 1 : this.epoch,
      step: last ? state.step : 0,
    })
  }

  private finish(status: 'completed' | 'aborted'): FitResult {
    const state = this.store.getState()
    this.store.set({ status, etaSeconds: status === 'completed' ? 0 : state.etaSeconds })
    const final = this.store.getState()
    return { status, history: [...final.history], lastEvaluation: final.lastEvaluation }
  }

  private makeCheckpoint(): Promise<Checkpoint> {
    return captureCheckpoint({
      model: this.model,
      optimizer: this.optimizer,
      trainLoader: this.trainLoader,
      position: {
        epoch: this.epoch,
        step: this.step,
        globalStep: this.globalStep,
        epochStartRng: this.epochStartRng,
      },
      progress: this.progress.save(),
      history: this.store.getState().history,
    })
  }
}
