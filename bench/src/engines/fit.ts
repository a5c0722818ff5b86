// The baseline: the lesson's network in plain tfjs, the way the tfjs guides train it — a
// tf.sequential model, the whole dataset uploaded once as tensors, and model.fit.
import * as tf from '@tensorflow/tfjs'
import { type LessonDataset, loadMnist, normalized } from '../model'
import { aggregate, type StepProfile } from '../profile'
import type { RunRequest, RunResult } from '../protocol'
import { cpuNow, cpuSince } from './cpuClock'

export interface Split {
  xs: tf.Tensor2D
  ys: tf.Tensor2D
  labels: Uint8Array
}

const splits = new Map<string, Promise<Split>>()
const files = new Map<string, Promise<LessonDataset>>()

/** The split as tensors, uploaded once (optionally only the first `limit` samples). */
function split(source: string, train: boolean, limit?: number): Promise<Split> {
  const key = `${source}:${train}:${limit ?? 'all'}`
  let s = splits.get(key)
  if (!s) {
    s = (async () => {
      const fileKey = `${source}:${train}`
      let file = files.get(fileKey)
      if (!file) {
        file = loadMnist(source, train)
        files.set(fileKey, file)
      }
      const ds = await file
      const n = Math.min(limit ?? ds.length, ds.length)
      const labels = ds.targets.subarray(0, n)
      const hot = new Float32Array(n * 10)
      labels.forEach((label, i) => {
        hot[i * 10 + label] = 1
      })
      return {
        xs: tf.tensor2d(normalized(ds.data.subarray(0, n * 784)), [n, 784]),
        ys: tf.tensor2d(hot, [n, 10]),
        labels,
      }
    })()
    splits.set(key, s)
  }
  return s
}

/** The training split as tensors (the first `limit` samples), uploaded once per process. */
export const trainSplit = (source: string, limit?: number): Promise<Split> =>
  split(source, true, limit)

function buildModel(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  })
  model.compile({
    optimizer: tf.train.adam(1e-3),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  })
  return model
}

async function accuracy(model: tf.Sequential, test: Split): Promise<number> {
  let correct = 0
  for (let start = 0; start < test.labels.length; start += 1000) {
    const size = Math.min(1000, test.labels.length - start)
    const predicted = tf.tidy(() =>
      (model.predict(test.xs.slice(start, size)) as tf.Tensor).argMax(1),
    )
    const values = await predicted.data()
    predicted.dispose()
    values.forEach((p, i) => {
      if (p === test.labels[start + i]) correct++
    })
  }
  return correct / test.labels.length
}

/**
 * One run of model.fit: a fresh model; with `warmupSteps`, a first untimed fit on that many
 * batches; then one timed fit over one epoch (or the first `steps` batches) of the training set.
 */
export async function runFit(source: string, request: RunRequest): Promise<RunResult> {
  const setupStart = performance.now()
  const { batchSize } = request
  const data = await split(source, true, request.steps ? request.steps * batchSize : undefined)
  const test = request.evaluate ? await split(source, false) : null
  const tensorsBefore = tf.memory().numTensors
  const model = buildModel()
  if (request.warmupSteps) {
    const n = Math.min(request.warmupSteps * batchSize, data.xs.shape[0])
    const [xs, ys] = [data.xs.slice(0, n), data.ys.slice(0, n)]
    await model.fit(xs, ys, { batchSize, epochs: 1, shuffle: true, verbose: 0 })
    tf.dispose([xs, ys])
  }
  const setupSeconds = (performance.now() - setupStart) / 1000
  const cpuStart = await cpuNow()
  const start = performance.now()
  const history = await model.fit(data.xs, data.ys, {
    batchSize,
    epochs: 1,
    shuffle: true,
    verbose: 0,
  })
  const seconds = (performance.now() - start) / 1000
  const cpuSeconds = cpuSince(cpuStart, await cpuNow())
  const tfBytes = tf.memory().numBytes
  const testAccuracy = test ? await accuracy(model, test) : null
  const optimizer = model.optimizer
  model.dispose()
  optimizer.dispose()
  const samples = data.xs.shape[0]
  return {
    seconds,
    steps: Math.ceil(samples / batchSize),
    samples,
    trainLoss: (history.history.loss?.[0] as number | undefined) ?? null,
    testAccuracy,
    tfBytes,
    setupSeconds,
    cpuSeconds,
    leakedTensors: tf.memory().numTensors - tensorsBefore,
  }
}

/** `tf.profile` of one `model.trainOnBatch` (after a few warm-up batches). */
export async function profileFit(source: string, batchSize = 64): Promise<StepProfile> {
  const data = await split(source, true, 10 * batchSize)
  const model = buildModel()
  const batch = (i: number) => [
    data.xs.slice(i * batchSize, batchSize),
    data.ys.slice(i * batchSize, batchSize),
  ]
  for (let i = 0; i < 5; i++) {
    const [x, y] = batch(i)
    await model.trainOnBatch(x!, y!)
    tf.dispose([x!, y!])
  }
  const [x, y] = batch(6)
  const start = performance.now()
  const info = await tf.profile(async () => {
    await model.trainOnBatch(x!, y!)
  })
  const profile = aggregate(info, performance.now() - start)
  tf.dispose([x!, y!])
  const optimizer = model.optimizer
  model.dispose()
  optimizer.dispose()
  return profile
}
