import * as tf from '@tensorflow/tfjs-core'
import type { DataLoader } from '@tensorloom/data'
import type { Mlp } from './mlp.js'

/** Progress reported every `logEvery` steps. */
export interface StepLog {
  step: number
  steps: number
  loss: number
  samplesPerSecond: number
}

/**
 * One pass over `loader`: forward, softmax cross-entropy (mean over the batch, like
 * `nn.CrossEntropyLoss`), backward and an optimizer step per batch. Stops after `maxSteps` batches
 * when given. Returns the number of steps taken.
 */
export async function trainEpoch(
  model: Mlp,
  optimizer: tf.Optimizer,
  loader: DataLoader,
  options: { maxSteps?: number; logEvery?: number; onLog?: (log: StepLog) => void } = {},
): Promise<number> {
  const steps = Math.min(options.maxSteps ?? Number.POSITIVE_INFINITY, loader.length)
  const logEvery = options.logEvery ?? 100
  let step = 0
  let samples = 0
  let start = performance.now()
  for await (const [images, labels] of loader) {
    const loss = optimizer.minimize(
      () =>
        tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 10), model.forward(images)) as tf.Scalar,
      true,
      model.variables,
    )
    samples += labels.shape[0]!
    step++
    if (options.onLog && (step % logEvery === 0 || step === steps)) {
      const seconds = (performance.now() - start) / 1000
      options.onLog({
        step,
        steps,
        loss: (await loss!.data())[0]!,
        samplesPerSecond: samples / seconds,
      })
      samples = 0
      start = performance.now()
    }
    tf.dispose([images, labels, loss!])
    if (step >= steps) break
  }
  return step
}

/** Accuracy of `model` over every batch of `loader` (no gradients). */
export async function evaluate(model: Mlp, loader: DataLoader): Promise<number> {
  let correct = 0
  let total = 0
  for await (const [images, labels] of loader) {
    const hits = tf.tidy(() =>
      tf.sum(tf.cast(tf.equal(tf.argMax(model.forward(images), 1), labels), 'int32')),
    )
    correct += (await hits.data())[0]!
    total += labels.shape[0]!
    tf.dispose([images, labels, hits])
  }
  return correct / total
}
