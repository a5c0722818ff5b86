import type { Module } from '@tensorloom/layers'
import { CrossEntropyLoss } from './CrossEntropyLoss'
import type { EpochRecord } from './checkpoint'
import { trainError } from './errors'
import type { BatchSource, EvaluationResult } from './evaluate'
import type { Criterion } from './Loss'
import type { Optimizer } from './Optimizer'

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
   * `fit` then resolves with status `'aborted'`. An epoch whose last batch reaches the limit is
   * evaluated first; a limit at the run's last batch lets it complete. Default: no limit.
   */
  maxSteps?: number
}

/** What {@link Trainer.fit} resolves with. */
export interface FitResult {
  status: 'completed' | 'aborted'
  history: EpochRecord[]
  lastEvaluation: EvaluationResult | null
}

/** {@link TrainerOptions} checked, with their defaults. */
export type TrainerSettings = Required<Omit<TrainerOptions, 'testLoader'>> & {
  testLoader: BatchSource | undefined
}

/** Checks a {@link Trainer}'s options (throwing `INVALID_OPTION`) and fills in the defaults. */
export function resolveOptions(options: TrainerOptions): TrainerSettings {
  if (options === null || typeof options !== 'object') {
    throw trainError('TRAINER_OPTIONS', {
      got: options === null ? 'null' : typeof options,
    })
  }
  const { model, optimizer, trainLoader } = options
  if (!model || typeof model.call !== 'function' || typeof model.stateDict !== 'function') {
    throw trainError('TRAINER_MODEL')
  }
  if (!optimizer || typeof optimizer.step !== 'function') throw trainError('TRAINER_OPTIMIZER')
  if (!trainLoader || typeof trainLoader[Symbol.asyncIterator] !== 'function') {
    throw trainError('TRAINER_LOADER')
  }
  const syncEvery = options.syncEvery ?? 20
  if (!Number.isInteger(syncEvery) || syncEvery < 1) {
    throw trainError('TRAINER_SYNC_EVERY', { value: syncEvery })
  }
  const epochs = checkEpochs(options.epochs ?? 1)
  const criterion = options.criterion ?? new CrossEntropyLoss()
  const engine = options.engine ?? 'auto'
  if (engine !== 'auto' && engine !== 'fast' && engine !== 'reference') {
    throw trainError('TRAINER_ENGINE', { value: engine })
  }
  return {
    model,
    optimizer,
    trainLoader,
    testLoader: options.testLoader,
    criterion,
    epochs,
    syncEvery,
    checkFinite: options.checkFinite ?? true,
    engine,
  }
}

/** `epochs`, when it is a positive integer. */
export function checkEpochs(epochs: number): number {
  if (!Number.isInteger(epochs) || epochs < 1) throw trainError('TRAINER_EPOCHS', { value: epochs })
  return epochs
}

/** `maxSteps`, when it is a positive integer or left out. */
export function checkMaxSteps(maxSteps: number | undefined): number | undefined {
  if (maxSteps !== undefined && (!Number.isInteger(maxSteps) || maxSteps < 1)) {
    throw trainError('FIT_MAX_STEPS', { value: maxSteps })
  }
  return maxSteps
}
