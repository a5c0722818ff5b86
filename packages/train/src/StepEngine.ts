import type * as tf from '@tensorflow/tfjs-core'
import type { Module } from '@tensorloom/layers'
import { trainError } from './errors'
import type { BatchSource } from './evaluate'
import { FastEngine } from './fast/FastEngine'
import { GraphEngine } from './fast/GraphEngine'
import type { Criterion } from './Loss'
import type { Optimizer } from './Optimizer'
import { ReferenceEngine } from './ReferenceEngine'

/** A trained step whose results (loss, correct count) are still on the device. */
export interface PendingStep {
  /** Samples in the batch. */
  readonly samples: number
}

/**
 * How a {@link Trainer}'s steps run, between the Trainer and its engines: the reference path
 * ({@link ReferenceEngine}: tfjs' gradient tape, any model) and the fast path ({@link FastEngine}).
 *
 * The Trainer owns the one epoch loop — resuming mid-epoch, pause, abort, `maxSteps`, read-backs,
 * NaN checks, checkpoints — and an engine owns the steps. Each epoch the Trainer puts the loader's
 * generator back to the epoch's start, takes {@link batches}, passes the batches a resumed run
 * trained already to {@link skip} and the others to {@link step}; every `syncEvery` steps it reads
 * the pending steps back in one transfer ({@link pack}, then {@link release}) and calls
 * {@link pull}. Nothing in a step waits for the device.
 */
export interface StepEngine<Batch, Step extends PendingStep> {
  /** What `Trainer.activeEngine` reports. */
  readonly kind: 'fast' | 'reference'
  /** The tfjs backend the engine's tensors were made on; null when it works on any. */
  readonly backendName: string | null
  /**
   * One epoch of batches in the loader's order (drawn from its generator as the loader draws
   * them): a plain iterator where batches need no waiting, so the loop awaits nothing for them.
   */
  batches(): Iterator<Batch> | AsyncIterator<Batch>
  /** Frees a batch that is not trained (skipped when resuming, or left over at a stop). */
  skip(batch: Batch): void
  /** One training step on `batch`: forward, loss, backward, optimizer update. */
  step(batch: Batch): Step
  /**
   * The steps' losses, then — when every step counted them — their correct counts, as one new
   * 1-D tensor to read back.
   */
  pack(steps: readonly Step[]): tf.Tensor
  /** Frees the steps' tensors. */
  release(steps: readonly Step[]): void
  /** Writes the weights and optimizer state the engine trained into the model and optimizer. */
  pull(): void
  /** Reloads the engine's weights and optimizer state after they changed outside it. */
  push(): void
  /** Frees what the engine holds (not the model, optimizer or loader). */
  dispose(): void
}

/**
 * An engine of either kind: the Trainer only hands an engine's own batches and steps back to it.
 * (Method parameters are bivariant, so both engines fit.)
 */
export type AnyStepEngine = StepEngine<unknown, PendingStep>

/** What an engine trains. */
export interface StepSetup {
  model: Module
  optimizer: Optimizer<object>
  criterion: Criterion
  trainLoader: BatchSource
}

/**
 * The engine for `setup`: the fast path when `choice` allows it and it can train the setup (the
 * {@link FastEngine} for dense chains, else the {@link GraphEngine} for networks on wasm and cpu),
 * otherwise the reference path; `'fast'` throws a `TrainError` saying why it cannot.
 */
export async function createStepEngine(
  choice: 'auto' | 'fast' | 'reference',
  setup: StepSetup,
): Promise<AnyStepEngine> {
  if (choice !== 'reference') {
    const support = FastEngine.check(setup)
    if (support.ok) return FastEngine.create(setup)
    // Networks the dense fast path does not cover (convolutions, residual adds, batch norm).
    const graph = GraphEngine.check(setup)
    if (graph.ok) return GraphEngine.create(setup)
    if (choice === 'fast') {
      const reason =
        graph.reason === support.reason ? support.reason : `${support.reason}; ${graph.reason}`
      throw trainError('TRAINER_FAST_UNSUPPORTED', { reason })
    }
  }
  return new ReferenceEngine(setup)
}
