import * as tf from '@tensorflow/tfjs-core'
import type { Criterion } from './Loss'

/** A source of `[input, target]` batches, e.g. a `DataLoader` from `@tensorloom/data`. */
export interface BatchSource {
  /** Batches per epoch. */
  readonly length: number
  /** Yields `[input, target]` batches; each iteration is one epoch. Batches belong to the caller. */
  [Symbol.asyncIterator](): AsyncIterator<readonly [tf.Tensor, tf.Tensor]>
}

/** Anything with PyTorch-style `call`, `train()` and `eval()`: a `Module` from `@tensorloom/layers`. */
export interface EvaluatableModel {
  call(input: tf.Tensor): tf.Tensor
  readonly training: boolean
  train(mode?: boolean): unknown
}

/** Metrics of a model on a dataset, from {@link evaluate}. */
export interface EvaluationResult {
  /** Mean loss per sample. */
  loss: number
  /** Fraction of samples whose highest score is the label (null when targets are not class indices). */
  accuracy: number | null
  /** Samples classified correctly. */
  correct: number
  /** Samples seen. */
  total: number
  /** Accuracy per class (`null` for a class with no samples); empty when not classifying. */
  perClassAccuracy: Array<number | null>
  /** `confusionMatrix[label][predicted]` counts; empty when not classifying. */
  confusionMatrix: number[][]
  /** Wall-clock seconds the evaluation took. */
  seconds: number
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Stops early when aborted (the promise rejects with the signal's reason). */
  signal?: AbortSignal
}

function aborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw signal.reason ?? new DOMException('The operation was aborted.', 'AbortError')
}

/**
 * Runs `model` over every batch of `loader` in eval mode (no gradients; Dropout off, BatchNorm
 * using running statistics) and returns loss, accuracy, per-class accuracy and the confusion
 * matrix — the lesson's test loop. Counts stay on the device and are read back once at the end.
 * The model's previous train/eval mode is restored afterwards.
 *
 * @example
 * const { loss, accuracy } = await evaluate(model, testLoader, criterion)
 */
export async function evaluate(
  model: EvaluatableModel,
  loader: BatchSource,
  criterion: Criterion,
  options: EvaluateOptions = {},
): Promise<EvaluationResult> {
  const start = performance.now()
  const wasTraining = model.training
  model.train(false)
  let lossSum = null as tf.Scalar | null
  let counts = null as tf.Tensor1D | null
  let numClasses = 0
  let total = 0
  let classifying = true
  try {
    for await (const batch of loader) {
      const [x, y] = batch
      try {
        aborted(options.signal)
        const n = x.shape[0] ?? 1
        const out = model.call(x)
        try {
          const nextLoss = tf.tidy(() => {
            const loss = criterion.call(out, y)
            const batchLoss = loss.rank === 0 ? tf.mul(loss, n) : tf.sum(loss)
            return (lossSum ? tf.add(lossSum, batchLoss) : batchLoss) as tf.Scalar
          })
          lossSum?.dispose()
          lossSum = nextLoss
          classifying &&= out.rank === 2 && y.dtype === 'int32' && y.rank === 1
          if (classifying) {
            numClasses = out.shape[1]!
            const c = numClasses
            const nextCounts = tf.tidy(() => {
              // Confusion counts: one-hot of label * C + prediction, summed over the batch.
              const cell = tf.add(
                tf.mul(y, tf.scalar(c, 'int32')),
                tf.cast(tf.argMax(out, 1), 'int32'),
              )
              const batchCounts = tf.sum(tf.oneHot(cell as tf.Tensor1D, c * c), 0) as tf.Tensor1D
              return counts ? (tf.add(counts, batchCounts) as tf.Tensor1D) : batchCounts
            })
            counts?.dispose()
            counts = nextCounts
          }
        } finally {
          out.dispose()
        }
        total += n
      } finally {
        tf.dispose([x, y])
      }
    }
    aborted(options.signal)
    const lossValue = lossSum ? (await (lossSum as tf.Scalar).data())[0]! / total : Number.NaN
    const cells = counts ? Array.from(await (counts as tf.Tensor1D).data()) : []
    const confusionMatrix: number[][] = []
    for (let i = 0; i < numClasses && cells.length > 0; i++) {
      confusionMatrix.push(cells.slice(i * numClasses, (i + 1) * numClasses))
    }
    const correct = confusionMatrix.reduce((s, row, i) => s + row[i]!, 0)
    return {
      loss: lossValue,
      accuracy: counts ? correct / total : null,
      correct,
      total,
      perClassAccuracy: confusionMatrix.map((row, i) => {
        const n = row.reduce((a, b) => a + b, 0)
        return n === 0 ? null : row[i]! / n
      }),
      confusionMatrix,
      seconds: (performance.now() - start) / 1000,
    }
  } finally {
    lossSum?.dispose()
    counts?.dispose()
    model.train(wasTraining)
  }
}
