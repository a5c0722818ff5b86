// What a Trainer puts into a Checkpoint and takes back out of one (checkpoint.ts holds the format
// and its bytes).
import * as tf from '@tensorflow/tfjs-core'
import { getRngState, type Module, setRngState } from '@tensorloom/layers'
import {
  type Checkpoint,
  deserializeTensor,
  type EpochRecord,
  type SerializedOptimizerState,
  type SerializedTensor,
  serializeTensor,
} from './checkpoint'
import { trainError } from './errors'
import type { BatchSource } from './evaluate'
import { disposeStateDict, type Optimizer, type OptimizerStateDict } from './Optimizer'

/** A random generator whose state can be saved and restored (a loader's shuffle, a Dropout's). */
export interface StatefulGenerator {
  getState(): unknown
  setState(state: unknown): unknown
}

function isGenerator(value: unknown): value is StatefulGenerator {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { getState?: unknown }).getState === 'function' &&
    typeof (value as { setState?: unknown }).setState === 'function'
  )
}

/** The loader's shuffle generator, when it has one (a `DataLoader` with `shuffle: true`). */
export function loaderGenerator(loader: BatchSource): StatefulGenerator | null {
  const generator = (loader as { generator?: unknown }).generator
  return isGenerator(generator) ? generator : null
}

/** Where a run stands. */
export interface RunPosition {
  /** 1-based epoch in progress. */
  epoch: number
  /** Batches of `epoch` trained. */
  step: number
  /** Batches trained in total. */
  globalStep: number
  /** The loader generator's state when `epoch` started (null before it started). */
  epochStartRng: unknown
}

/** What {@link captureCheckpoint} reads. */
export interface CheckpointSource {
  model: Module
  optimizer: Optimizer<object>
  trainLoader: BatchSource
  position: RunPosition
  progress: Checkpoint['progress']
  history: readonly EpochRecord[]
}

/**
 * A checkpoint of `source`. Everything is captured synchronously (copies of the tensors,
 * counters, random states), so the checkpoint is consistent even if training continues while the
 * copies are read back.
 */
export function captureCheckpoint(source: CheckpointSource): Promise<Checkpoint> {
  const { model, optimizer, trainLoader, position } = source
  const weights = tf.tidy(() =>
    Object.entries(model.stateDict()).map(([k, v]) => [k, tf.keep(tf.clone(v))] as const),
  )
  const sd = optimizer.stateDict()
  const modules: Record<string, unknown> = {}
  for (const [name, module] of model.namedModules()) {
    const generator = (module as unknown as { generator?: unknown }).generator
    if (isGenerator(generator)) modules[name] = generator.getState()
  }
  const base = {
    format: 'tensorloom-checkpoint' as const,
    version: 1 as const,
    epoch: position.epoch,
    step: position.step,
    globalStep: position.globalStep,
    stepsPerEpoch: trainLoader.length,
    rng: {
      loader: position.epochStartRng ?? loaderGenerator(trainLoader)?.getState() ?? null,
      layers: getRngState(),
      modules,
    },
    progress: source.progress,
    history: source.history.map((h) => ({ ...h })),
  }
  const paramGroups = JSON.parse(
    JSON.stringify(sd.paramGroups),
  ) as SerializedOptimizerState['paramGroups']
  const read = async (): Promise<Checkpoint> => {
    const model: Record<string, SerializedTensor> = {}
    for (const [key, tensor] of weights) model[key] = await serializeTensor(tensor)
    const state: SerializedOptimizerState['state'] = {}
    for (const [index, entry] of Object.entries(sd.state)) {
      const out: Record<string, SerializedTensor | number> = {}
      for (const [k, v] of Object.entries(entry))
        out[k] = typeof v === 'number' ? v : await serializeTensor(v)
      state[Number(index)] = out
    }
    return { ...base, model, optimizer: { name: optimizer.optimizerName, state, paramGroups } }
  }
  return read().finally(() => {
    tf.dispose(weights.map(([, t]) => t))
    disposeStateDict(sd)
  })
}

/** Throws `CHECKPOINT_MISMATCH` when `checkpoint` cannot resume with this loader and optimizer. */
export function checkCheckpoint(
  checkpoint: Checkpoint,
  trainLoader: BatchSource,
  optimizer: Optimizer<object>,
): void {
  if (checkpoint?.format !== 'tensorloom-checkpoint' || checkpoint.version !== 1) {
    throw trainError('CHECKPOINT_FORMAT', {
      format: checkpoint?.format,
      version: checkpoint?.version,
    })
  }
  if (checkpoint.stepsPerEpoch !== trainLoader.length) {
    throw trainError('CHECKPOINT_STEPS', {
      saved: checkpoint.stepsPerEpoch,
      current: trainLoader.length,
    })
  }
  if (checkpoint.optimizer.name !== optimizer.optimizerName) {
    throw trainError('CHECKPOINT_OPTIMIZER', {
      saved: checkpoint.optimizer.name,
      current: optimizer.optimizerName,
    })
  }
}

/**
 * Loads a checkpoint's weights and optimizer state into `model` and `optimizer` (then calls
 * `loaded`, e.g. to reload an engine's copies), restores the random states, and returns the
 * position to continue from. Check it first with {@link checkCheckpoint}.
 */
export function restoreCheckpoint(
  checkpoint: Checkpoint,
  model: Module,
  optimizer: Optimizer<object>,
  loaded: () => void,
): RunPosition {
  const weights = Object.fromEntries(
    Object.entries(checkpoint.model).map(([k, v]) => [k, deserializeTensor(v)]),
  )
  const optimizerState: OptimizerStateDict<object> = {
    state: Object.fromEntries(
      Object.entries(checkpoint.optimizer.state).map(([index, entry]) => [
        index,
        Object.fromEntries(
          Object.entries(entry).map(([k, v]) => [
            k,
            typeof v === 'number' ? v : deserializeTensor(v),
          ]),
        ),
      ]),
    ),
    paramGroups: checkpoint.optimizer.paramGroups,
  }
  try {
    model.loadStateDict(weights)
    optimizer.loadStateDict(optimizerState)
    loaded()
  } finally {
    tf.dispose(Object.values(weights))
    disposeStateDict(optimizerState)
  }
  if (checkpoint.rng.layers != null)
    setRngState(checkpoint.rng.layers as Parameters<typeof setRngState>[0])
  for (const [name, module] of model.namedModules()) {
    const state = checkpoint.rng.modules[name]
    const generator = (module as unknown as { generator?: unknown }).generator
    if (state !== undefined && isGenerator(generator)) generator.setState(state)
  }
  return {
    epoch: checkpoint.epoch,
    step: checkpoint.step,
    globalStep: checkpoint.globalStep,
    epochStartRng: checkpoint.rng.loader,
  }
}
