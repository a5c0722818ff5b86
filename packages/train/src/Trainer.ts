import * as tf from '@tensorflow/tfjs-core'
import type { Module } from '@tensorloom/layers'
import { CrossEntropyLoss } from './CrossEntropyLoss'
import type { Checkpoint, EpochRecord } from './checkpoint'
import { TrainError, trainError } from './errors'
import { type BatchSource, type EvaluationResult, evaluate } from './evaluate'
import type { Criterion } from './Loss'
import { NonFiniteGuard } from './NonFiniteGuard'
import type { Optimizer } from './Optimizer'
import { Progress } from './Progress'
import { type AnyStepEngine, createStepEngine, type PendingStep } from './StepEngine'
import { Store, type Subscribable } from './Store'
import {
  captureCheckpoint,
  checkCheckpoint,
  loaderGenerator,
  restoreCheckpoint,
} from './trainerCheckpoint'
import { yieldToEventLoop } from './yieldToEventLoop'

/** What a {@link Trainer} is doing. */
export type TrainerStatus =
  | 'idle'
  | 'training'
  | 'paused'
  | 'evaluating'
  | 'completed'
  | 'aborted'
  | 'failed'

/** A snapshot of a {@link Trainer}'s progress; a new object after every change. */
export interface TrainerState {
  status: TrainerStatus
  /** 1-based epoch in progress (the last one when completed). */
  epoch: number
  /** Epochs to train in total. */
  epochs: number
  /** Batches trained in the current epoch. */
  step: number
  /** Batches per epoch. */
  stepsPerEpoch: number
  /** Batches trained since the start. */
  globalStep: number
  /** Mean training loss of the batches since the previous update (null before the first). */
  loss: number | null
  /** Exponential moving average of the per-batch training loss (β = 0.98, bias-corrected). */
  smoothedLoss: number | null
  /** Training accuracy of the current epoch so far (null when not classifying). */
  accuracy: number | null
  /**
   * Training throughput over the last few updates (up to 8 read-backs): steadier than a single
   * window, whose few batches a garbage collection or a short last window can skew.
   */
  samplesPerSecond: number | null
  /** Estimated seconds until training completes (null until measurable). */
  etaSeconds: number | null
  /** `[globalStep, mean loss]` at every update, for a loss curve. */
  lossCurve: ReadonlyArray<readonly [number, number]>
  /**
   * The loss of each batch read back at the latest update, oldest first (up to `syncEvery`
   * batches, ending at `globalStep`), for a per-batch loss chart.
   */
  batchLosses: readonly number[]
  /** Finished epochs. */
  history: readonly EpochRecord[]
  /** The latest evaluation on the test loader. */
  lastEvaluation: EvaluationResult | null
  /** Why training failed (status `'failed'`). */
  error: { code: string; message: string } | null
}

/** Options of {@link Trainer}. */
export interface TrainerOptions {
  /** The model to train (a `Module` from `@tensorloom/layers`). Not owned: dispose it yourself. */
  model: Module
  /** The optimizer over `model.parameters()`. Not owned: dispose it yourself. */
  optimizer: Optimizer<object>
  /** Training batches, e.g. `new DataLoader(train, { batchSize: 64, shuffle: true, seed })`. */
  trainLoader: BatchSource
  /** Evaluated after every epoch when given. */
  testLoader?: BatchSource
  /** The loss; default `new CrossEntropyLoss()`. */
  criterion?: Criterion
  /** Epochs to train (default 1); `fit({ epochs })` overrides it. */
  epochs?: number
  /**
   * Read the loss back every this many steps (default 20). Between reads nothing waits for the
   * device, which keeps WebGL/WASM busy; progress, NaN checks and pause/abort act at reads
   * (pause and abort also at any step boundary).
   */
  syncEvery?: number
  /**
   * Stop with `NON_FINITE_LOSS` when a loss is NaN or ±Inf, restoring the last weights that gave a
   * finite loss (default true). Costs a copy of the weights and optimizer state per read.
   */
  checkFinite?: boolean
  /**
   * How steps run. `'auto'` (default): the fast path ({@link FastEngine}) when it can train the
   * setup — a chain of Flatten/Linear/ReLU layers, CrossEntropyLoss, Adam/AdamW/SGD, a DataLoader
   * over MNIST-like data — otherwise the reference path. `'fast'`: the fast path, or a
   * `TrainError` saying why it cannot. `'reference'`: forward and backward through tfjs' gradient
   * tape, for any model. Both compute the same math: PyTorch's update rules on the same batches.
   */
  engine?: 'auto' | 'fast' | 'reference'
}

/** Options of {@link Trainer.fit}. */
export interface FitOptions {
  /** Train until this many epochs are done in total (default: the constructor's `epochs`). */
  epochs?: number
  /** Aborting stops at the next step boundary; `fit` then resolves with status `'aborted'`. */
  signal?: AbortSignal
  /**
   * Stop once this many batches are trained in total (`globalStep`), exactly, between two steps;
   * `fit` then resolves with status `'aborted'`. Default: no limit.
   */
  maxSteps?: number
}

/** What {@link Trainer.fit} resolves with. */
export interface FitResult {
  status: 'completed' | 'aborted'
  history: EpochRecord[]
  lastEvaluation: EvaluationResult | null
}

/**
 * On WASM and CPU a read-back resolves without a macrotask, so a run would hold the event loop
 * until it ends: pause, abort and messages from a page would wait. It yields this often instead.
 */
const YIELD_EVERY_MS = 50

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
  private readonly guard: NonFiniteGuard
  private readonly engineOption: 'auto' | 'fast' | 'reference'
  private engine: AnyStepEngine | null = null
  private readonly store: Store<TrainerState>

  private epoch = 1
  private step = 0
  private globalStep = 0
  private epochStartRng: unknown = null
  private readonly progress = new Progress()

  /** Steps trained since the last read-back, their results still on the device. */
  private window: PendingStep[] = []
  private windowStart = 0

  private running = false
  private pauseRequested = false
  private stopAt: number | null = null
  private wake: (() => void) | null = null
  private lastYield = 0
  private checkpointRequests: Array<{
    resolve: (c: Checkpoint) => void
    reject: (e: unknown) => void
  }> = []
  private disposed = false

  constructor(options: TrainerOptions) {
    const { model, optimizer, trainLoader } = options
    if (!model || typeof model.call !== 'function' || typeof model.stateDict !== 'function') {
      throw trainError('TRAINER_MODEL')
    }
    if (!optimizer || typeof optimizer.step !== 'function') {
      throw trainError('TRAINER_OPTIMIZER')
    }
    if (!trainLoader || typeof trainLoader[Symbol.asyncIterator] !== 'function') {
      throw trainError('TRAINER_LOADER')
    }
    const syncEvery = options.syncEvery ?? 20
    if (!Number.isInteger(syncEvery) || syncEvery < 1) {
      throw trainError('TRAINER_SYNC_EVERY', { value: syncEvery })
    }
    const epochs = options.epochs ?? 1
    this.checkEpochs(epochs)
    this.model = model
    this.optimizer = optimizer
    this.criterion = options.criterion ?? new CrossEntropyLoss()
    this.trainLoader = trainLoader
    this.testLoader = options.testLoader
    this.syncEvery = syncEvery
    this.guard = new NonFiniteGuard(model, optimizer, options.checkFinite ?? true)
    const engine = options.engine ?? 'auto'
    if (engine !== 'auto' && engine !== 'fast' && engine !== 'reference') {
      throw trainError('TRAINER_ENGINE', { value: engine })
    }
    this.engineOption = engine
    this.store = new Store<TrainerState>({
      status: 'idle',
      epoch: 1,
      epochs,
      step: 0,
      stepsPerEpoch: trainLoader.length,
      globalStep: 0,
      loss: null,
      smoothedLoss: null,
      accuracy: null,
      samplesPerSecond: null,
      etaSeconds: null,
      lossCurve: [],
      batchLosses: [],
      history: [],
      lastEvaluation: null,
      error: null,
    })
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
   * Trains until `epochs` epochs are done in total, evaluating on the test loader after each.
   * Continues from where the trainer stopped (after an abort or {@link loadCheckpoint}).
   * Resolves with status `'aborted'` when the signal aborts; rejects with a `TrainError`
   * `NON_FINITE_LOSS` when the loss becomes NaN/Inf (the last good weights are restored).
   */
  async fit(options: FitOptions = {}): Promise<FitResult> {
    this.assertLive()
    if (this.running) {
      throw trainError('FIT_BUSY')
    }
    const epochs = options.epochs ?? this.store.getState().epochs
    this.checkEpochs(epochs)
    const maxSteps = options.maxSteps
    if (maxSteps !== undefined && (!Number.isInteger(maxSteps) || maxSteps < 1)) {
      throw trainError('FIT_MAX_STEPS', { value: maxSteps })
    }
    this.stopAt = maxSteps ?? null
    const signal = options.signal
    this.running = true
    this.pauseRequested = false
    this.progress.resetRate()
    const onAbort = () => this.wake?.()
    signal?.addEventListener('abort', onAbort)
    this.store.set({ status: 'training', epochs, error: null })
    try {
      const engine = await this.prepareEngine()
      this.guard.arm()
      while (this.epoch <= epochs) {
        if ((await this.trainEpoch(engine, signal)) === 'aborted') return this.finish('aborted')
        if (this.testLoader) {
          if (signal?.aborted) return this.finish('aborted')
          this.store.set({ status: 'evaluating' })
          const result = await this.runEvaluation(this.testLoader, signal)
          if (result === 'aborted') return this.finish('aborted')
          this.endEpoch(result)
        } else {
          this.endEpoch(null)
        }
        if (this.epoch <= epochs) this.store.set({ status: 'training' })
      }
      return this.finish('completed')
    } catch (error) {
      this.discardWindow()
      const code = error instanceof TrainError ? error.code : 'ERROR'
      this.store.set({
        status: 'failed',
        error: { code, message: error instanceof Error ? error.message : String(error) },
      })
      throw error
    } finally {
      signal?.removeEventListener('abort', onAbort)
      this.running = false
      this.wake = null
      this.answerCheckpoints()
    }
  }

  /** Pauses at the next step boundary (status `'paused'`); {@link resume} continues. */
  pause(): void {
    this.pauseRequested = true
  }

  /** Continues after {@link pause}. */
  resume(): void {
    this.pauseRequested = false
    this.wake?.()
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
    if (!loader) {
      throw trainError('EVALUATE_NO_LOADER')
    }
    if (this.running) {
      throw trainError('EVALUATE_BUSY')
    }
    this.running = true
    const previous = this.store.getState().status
    this.store.set({ status: 'evaluating' })
    try {
      const result = await evaluate(this.model, loader, this.criterion, options)
      this.store.set({ lastEvaluation: result })
      return result
    } finally {
      this.running = false
      this.store.set({ status: previous })
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
    return new Promise((resolve, reject) => this.checkpointRequests.push({ resolve, reject }))
  }

  /**
   * Restores a {@link Checkpoint}: weights, optimizer state, position, random states, partial-epoch
   * metrics and history. The next {@link fit} continues exactly as the run that saved it would
   * have. Not while training.
   */
  loadCheckpoint(checkpoint: Checkpoint): void {
    this.assertLive()
    if (this.running) {
      throw trainError('LOAD_CHECKPOINT_BUSY')
    }
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
    const history = checkpoint.history.map((h) => ({ ...h }))
    this.store.set({
      status: 'idle',
      epoch: this.epoch,
      step: this.step,
      globalStep: this.globalStep,
      smoothedLoss: this.progress.smoothedLoss,
      accuracy: this.progress.accuracy,
      history,
      error: null,
    })
  }

  /**
   * Frees the trainer's own tensors (pending losses, last-good-weights copies) and drops listeners.
   * The model, optimizer and loaders are not touched: dispose them yourself.
   */
  dispose(): void {
    if (this.disposed) return
    this.discardWindow()
    this.guard.drop()
    this.engine?.dispose()
    this.engine = null
    this.disposed = true
  }

  // ---------------------------------------------------------------------------------------------

  private checkEpochs(epochs: number): void {
    if (!Number.isInteger(epochs) || epochs < 1) {
      throw trainError('TRAINER_EPOCHS', { value: epochs })
    }
  }

  private assertLive(): void {
    if (this.disposed) throw trainError('TRAINER_DISPOSED')
  }

  private finish(status: 'completed' | 'aborted'): FitResult {
    const state = this.store.getState()
    this.store.set({ status, etaSeconds: status === 'completed' ? 0 : state.etaSeconds })
    const final = this.store.getState()
    return { status, history: [...final.history], lastEvaluation: final.lastEvaluation }
  }

  /**
   * One epoch, on either engine: puts the loader's generator back to the epoch's start (so a
   * resumed or repeated epoch draws the same batches), skips the batches a resumed run trained
   * already, and trains the others, reading back every `syncEvery` steps.
   */
  private async trainEpoch(
    engine: AnyStepEngine,
    signal: AbortSignal | undefined,
  ): Promise<'done' | 'aborted'> {
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
        if (!(await this.boundary(signal))) {
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

  /** Between steps: answers checkpoint requests, pauses, and reports whether to continue. */
  private async boundary(signal: AbortSignal | undefined): Promise<boolean> {
    if (performance.now() - this.lastYield >= YIELD_EVERY_MS) {
      await yieldToEventLoop()
      this.lastYield = performance.now()
    }
    if (signal?.aborted || (this.stopAt !== null && this.globalStep >= this.stopAt)) {
      await this.flush()
      return false
    }
    if (this.checkpointRequests.length > 0) {
      await this.flush()
      this.answerCheckpoints()
    }
    if (this.pauseRequested) {
      await this.flush()
      this.store.set({ status: 'paused' })
      while (this.pauseRequested && !signal?.aborted) {
        await new Promise<void>((resolve) => {
          this.wake = resolve
        })
        this.wake = null
        this.answerCheckpoints()
      }
      if (signal?.aborted) return false
      this.store.set({ status: 'training' })
      this.windowStart = performance.now()
    }
    return true
  }

  private answerCheckpoints(): void {
    const requests = this.checkpointRequests
    this.checkpointRequests = []
    for (const request of requests) this.makeCheckpoint().then(request.resolve, request.reject)
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
        stopAt: this.stopAt,
        evaluates: this.testLoader !== undefined,
        evaluationSeconds: state.lastEvaluation?.seconds ?? 0,
      }),
      lossCurve: [...state.lossCurve, [globalStep, update.loss] as const],
    })
  }

  private async runEvaluation(
    loader: BatchSource,
    signal: AbortSignal | undefined,
  ): Promise<EvaluationResult | 'aborted'> {
    try {
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
