import * as tf from '@tensorflow/tfjs-core'
import type { PendingStep, StepEngine, StepSetup } from './StepEngine'

type Batch = readonly [tf.Tensor, tf.Tensor]

/** A step of the reference path: its loss and, when classifying, its correct count. */
export interface TapeStep extends PendingStep {
  loss: tf.Tensor
  correct: tf.Tensor | null
}

/**
 * The reference path: the lesson's step, `optimizer.step(() => criterion(model(x), y))`, through
 * tfjs' gradient tape, on the loader's own batches. Trains any model; the model and optimizer are
 * the engine's state, so there is nothing to pull or push.
 */
export class ReferenceEngine implements StepEngine<Batch, TapeStep> {
  readonly kind = 'reference'
  readonly backendName = null
  /** Counts correct predictions until a step shows the model does not classify. */
  private classifying = true

  constructor(private readonly setup: StepSetup) {}

  batches(): AsyncIterator<Batch> {
    return this.setup.trainLoader[Symbol.asyncIterator]()
  }

  skip([x, y]: Batch): void {
    tf.dispose([x, y])
  }

  step([x, y]: Batch): TapeStep {
    const { model, criterion, optimizer } = this.setup
    let correct: tf.Tensor | null = null
    try {
      const loss = optimizer.step(() => {
        const out = model.call(x)
        const value = criterion.call(out, y)
        this.classifying &&= out.rank === 2 && y.dtype === 'int32' && y.rank === 1
        if (this.classifying) {
          correct = tf.keep(
            tf.sum(tf.cast(tf.equal(tf.cast(tf.argMax(out, 1), 'int32'), y), 'float32')),
          )
        }
        return value as tf.Scalar
      })
      return { loss, correct, samples: x.shape[0] ?? 1 }
    } catch (error) {
      if (correct) (correct as tf.Tensor).dispose()
      throw error
    } finally {
      tf.dispose([x, y])
    }
  }

  pack(steps: readonly TapeStep[]): tf.Tensor {
    return tf.tidy(() => {
      const parts = [tf.stack(steps.map((s) => s.loss))]
      const corrects = steps.map((s) => s.correct).filter((t): t is tf.Tensor => t !== null)
      if (corrects.length === steps.length) parts.push(tf.stack(corrects))
      return tf.concat(parts)
    })
  }

  release(steps: readonly TapeStep[]): void {
    for (const s of steps) tf.dispose(s.correct ? [s.loss, s.correct] : [s.loss])
  }

  pull(): void {}

  push(): void {}

  dispose(): void {}
}
