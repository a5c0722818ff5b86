import * as tf from '@tensorflow/tfjs-core'
import { type DataLoader, Subset } from '@tensorloom/data'
import type { FromGraphResult } from '@tensorloom/layers'
import { getRngState, setRngState } from '@tensorloom/layers'
import type { Checkpoint, GraphSplit, Optimizer, Trainer, TrainerState } from '@tensorloom/train'
import { divergenceOf } from './divergence'
import type { TrainControl } from './host'
import { ProgressMessages } from './ProgressMessages'
import type {
  BackendName,
  FromWorker,
  MemorySample,
  Recovery,
  TrainOptions,
  TrainResults,
} from './protocol'
import type { ContextWatch } from './recovery'
import { CheckpointKeeper } from './recovery'
import { loseWebGLContext, releaseLostWebGL, watchWebGL, webglContext } from './webglContext'

/** Batches between the checkpoints kept while training on webgl (plus one after every epoch). */
const CHECKPOINT_EVERY = 100

type Finished = Extract<FromWorker, { type: 'finished' }>

/** A split with the graph's transforms. */
export type Images = GraphSplit

/** The backend a run trains on, and why the ones before it were not used (a `backend` message). */
export type BackendChoice = Omit<Extract<FromWorker, { type: 'backend' }>, 'type'>

/** What a run trains with, built on the active backend (again after a recovery). */
export interface RunObjects {
  built: FromGraphResult
  train: Images
  test: Images
  trainLoader: DataLoader
  optimizer: Optimizer<object>
  trainer: Trainer
}

/** What {@link runTraining} needs from the engine. */
export interface RunSetup {
  options: TrainOptions
  epochs: number
  /** The backend the run starts on. */
  backend: BackendName
  emit: (message: FromWorker) => void
  control: TrainControl
  /** Builds the model, optimizer, datasets and trainer on the active backend. */
  build: () => RunObjects
  /** Evaluates a trained model on the whole test set. */
  results: (built: FromGraphResult, test: Images) => Promise<TrainResults>
  /** Picks the backend to go on with once `from` failed for `reason`; later runs start on it too. */
  fallBack: (from: BackendName, reason: string) => Promise<BackendChoice>
  /** Called after every trainer update with the batches done (e.g. to draw a decision boundary). */
  onStep?: (globalStep: number, built: FromGraphResult) => void
}

/** Frees a split's device copy (looking through a subset to the dataset it views). */
function disposeSplit(split: object): void {
  const dataset = split instanceof Subset ? (split.dataset as object) : split
  ;(dataset as { dispose?: () => void }).dispose?.()
}

function memorySample(): MemorySample {
  const { numTensors, numBytes } = tf.memory()
  return { numTensors, numBytes }
}

/**
 * Trains one run to its end and reports it through `setup.emit`: `started`, `progress` and
 * `evaluated` as it goes, then `finished`. On webgl it keeps checkpoints and watches the context;
 * once the context is lost, the run goes on on the next backend from the last checkpoint (`backend`,
 * then `recovered`). Rejects when training fails for any other reason.
 */
export async function runTraining(setup: RunSetup): Promise<void> {
  await new Run(setup).toEnd()
}

class Run {
  /** Restored when a run has to start over on another backend before its first checkpoint. */
  private readonly rngAtStart: ReturnType<typeof getRngState>
  private readonly progress: ProgressMessages
  private readonly keeper: CheckpointKeeper<Checkpoint>
  private readonly stopControl: () => void
  private objects: RunObjects
  private unsubscribe: () => void
  private abort = new AbortController()
  private hitMax = false
  private backend: BackendName
  private watch: ContextWatch | null = null
  private lastProgressAt: number | null
  private checkpointedEpochs = 0
  private faultAt: number | null
  /** The phase last reported to the page. */
  private phase: 'training' | 'evaluating' = 'training'

  constructor(private readonly setup: RunSetup) {
    const { options, emit, control } = setup
    this.rngAtStart = getRngState()
    this.objects = setup.build()
    const { built, train, test, trainLoader } = this.objects
    const { batchSize } = built.data
    const totalSteps = Math.min(
      options.maxSteps ?? Number.POSITIVE_INFINITY,
      setup.epochs * trainLoader.length,
    )
    emit({
      type: 'started',
      epochs: setup.epochs,
      stepsPerEpoch: trainLoader.length,
      totalSteps,
      batchSize,
      trainSize: train.length,
      testSize: test.length,
    })
    this.progress = new ProgressMessages({ totalSteps }, memorySample)
    this.backend = setup.backend
    this.lastProgressAt = performance.now()
    this.faultAt = options.loseWebGLContextAt ?? null
    this.keeper = new CheckpointKeeper<Checkpoint>(
      CHECKPOINT_EVERY,
      () => !(this.watch?.isLost ?? false) && !(webglContext()?.isContextLost() ?? false),
    )
    this.unsubscribe = this.objects.trainer.subscribe(this.onState)
    this.stopControl = control.onChange((change) => {
      if (change === 'pause') this.objects.trainer.pause()
      if (change === 'resume') this.objects.trainer.resume()
      if (change === 'stop') this.abort.abort()
    })
  }

  /** Races each attempt against the context watch until one attempt finishes. */
  async toEnd(): Promise<void> {
    try {
      let generation = 0
      while (true) {
        this.watch = this.backend === 'webgl' ? watchWebGL(() => this.lastProgressAt) : null
        const current = ++generation
        const running = this.attempt(() => current === generation)
        // A run given up after a context loss may still fail later: nobody waits for it then.
        running.catch(() => {})
        const lost = this.watch?.lost ?? new Promise<string>(() => {})
        let outcome: { finished: Finished } | { lost: string }
        try {
          outcome = await Promise.race([
            running.then((finished) => ({ finished })),
            lost.then((cause) => ({ lost: cause })),
          ])
        } catch (error) {
          // An op failing on a lost context is the loss, not a bug in the model.
          if (!this.watch?.isLost && !webglContext()?.isContextLost()) throw error
          outcome = { lost: this.watch?.isLost ? await lost : 'gl.isContextLost() became true' }
        }
        if ('finished' in outcome) {
          this.setup.emit(outcome.finished)
          return
        }
        generation++
        await this.recover(outcome.lost)
      }
    } finally {
      this.watch?.dispose()
      this.unsubscribe()
      this.stopControl()
      this.objects.trainer.dispose()
      disposeSplit(this.objects.train)
      disposeSplit(this.objects.test)
    }
  }

  /** Tells the page what the run does now, once per change. */
  private setPhase(phase: 'training' | 'evaluating'): void {
    if (phase === this.phase) return
    this.phase = phase
    this.setup.emit(
      phase === 'evaluating'
        ? { type: 'phase', phase, images: this.objects.test.length }
        : { type: 'phase', phase },
    )
  }

  private readonly onState = (state: TrainerState): void => {
    const { options, emit, control } = this.setup
    for (const message of this.progress.of(state)) emit(message)
    this.setup.onStep?.(state.globalStep, this.objects.built)
    if (state.status === 'evaluating') this.setPhase('evaluating')
    else if (state.status === 'training') this.setPhase('training')
    if (
      options.maxSteps !== null &&
      state.globalStep >= options.maxSteps &&
      !this.abort.signal.aborted
    ) {
      this.hitMax = true
      this.abort.abort()
    }
    this.lastProgressAt = control.isPaused ? null : performance.now()
    if (this.watch) {
      const epochEnded = state.history.length > this.checkpointedEpochs
      this.checkpointedEpochs = state.history.length
      this.keeper.progress(state.globalStep, epochEnded, () =>
        this.checkpointQuietly(this.objects.trainer),
      )
    }
    if (this.faultAt !== null && state.globalStep >= this.faultAt && this.backend === 'webgl') {
      this.faultAt = null
      // Outside the trainer's own call stack, as a real context loss would come.
      setTimeout(loseWebGLContext, 0)
    }
  }

  /**
   * A checkpoint read back while the trainer waits at a batch boundary: on WebGL each read
   * would otherwise queue behind the batches trained meanwhile, and take seconds.
   */
  private async checkpointQuietly(of: Trainer): Promise<Checkpoint> {
    of.pause()
    try {
      return await of.checkpoint()
    } finally {
      if (!this.setup.control.isPaused) of.resume()
    }
  }

  /** Trains and evaluates; `live()` turns false once a recovery has taken over. */
  private async attempt(live: () => boolean): Promise<Finished> {
    const { options, emit } = this.setup
    // This attempt's own objects: a recovery replaces the fields, not what runs here.
    const { trainer, built, test } = this.objects
    const signal = this.abort.signal
    if (this.watch && !this.keeper.latest) {
      const first = await trainer.checkpoint()
      if (live()) this.keeper.offer(first)
    }
    let result: Awaited<ReturnType<Trainer['fit']>>
    try {
      // The trainer stops at exactly maxSteps batches, even between two loss reads.
      result = await trainer.fit({
        signal,
        ...(options.maxSteps !== null ? { maxSteps: options.maxSteps } : {}),
      })
    } catch (error) {
      const divergence = divergenceOf(error, this.objects.trainLoader.length)
      if (!divergence) throw error
      // The trainer restored the last weights that gave a finite loss: they are the results.
      this.setPhase('evaluating')
      const results = await this.setup.results(built, test)
      return { type: 'finished', reason: 'diverged', results, divergence }
    }
    if (result.status === 'aborted' && trainer.getState().globalStep === 0) {
      // Stopped before the first batch: nothing was trained, nothing to evaluate (the page keeps
      // the last run's results, and the engine its model).
      return { type: 'finished', reason: 'stopped', results: null }
    }
    this.setPhase('evaluating')
    const results = await this.setup.results(built, test)
    if (result.status === 'aborted' && live()) {
      const state = trainer.getState()
      emit({
        type: 'evaluated',
        epoch: state.epoch - 1 + state.step / this.objects.trainLoader.length,
        testAccuracy: results.testAccuracy,
        testLoss: results.testLoss,
        trainAccuracy: state.accuracy,
      })
    }
    return {
      type: 'finished',
      reason: result.status === 'completed' ? 'completed' : this.hitMax ? 'maxSteps' : 'stopped',
      results,
    }
  }

  /**
   * The context is gone: drop everything on it, switch to the next backend, rebuild the model
   * and optimizer there from the last checkpoint, and say so.
   */
  private async recover(cause: string): Promise<void> {
    const { emit, control } = this.setup
    const from = this.backend
    const { trainer, built, optimizer, train, test } = this.objects
    const state = trainer.getState()
    const lostAt = { epoch: state.epoch, step: state.step, globalStep: state.globalStep }
    const checkpoint = this.keeper.latest
    this.abort.abort()
    this.unsubscribe()
    this.watch?.dispose()
    this.watch = null
    releaseLostWebGL()
    for (const free of [
      () => trainer.dispose(),
      () => built.model.dispose(),
      () => optimizer.dispose(),
      () => disposeSplit(train),
      () => disposeSplit(test),
    ]) {
      try {
        free()
      } catch {
        // Freeing memory of a lost context may fail; it is gone either way.
      }
    }
    const chosen = await this.setup.fallBack(
      from,
      `context lost at epoch ${lostAt.epoch} batch ${lostAt.globalStep} (${cause})`,
    )
    const to = chosen.backend
    this.backend = to
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
    emit({ type: 'backend', ...chosen })
    if (!checkpoint) setRngState(this.rngAtStart)
    this.objects = this.setup.build()
    if (checkpoint) this.objects.trainer.loadCheckpoint(checkpoint)
    emit({ type: 'recovered', ...recovery })
    this.progress.restart(recovery.epochsDone)
    this.checkpointedEpochs = recovery.epochsDone
    this.keeper.restart(resumedFrom.globalStep)
    this.lastProgressAt = performance.now()
    this.abort = new AbortController()
    if (control.stopped) this.abort.abort()
    if (control.isPaused) this.objects.trainer.pause()
    this.unsubscribe = this.objects.trainer.subscribe(this.onState)
  }
}
