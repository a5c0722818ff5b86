// Tensorloom's training loop on the lesson's network, as a user writes it: MNIST.load, DataLoader,
// SimpleNN, Adam, CrossEntropyLoss, Trainer. Runs in Node and in the browser page.
import * as tf from '@tensorflow/tfjs-core'
import { DataLoader } from '@tensorloom/data'
import { type Module, manualSeed } from '@tensorloom/layers'
import {
  Adam,
  type BatchSource,
  CrossEntropyLoss,
  evaluate,
  FastEngine,
  type Optimizer,
  Trainer,
} from '@tensorloom/train'
import { type LessonDataset, loadMnist, MLP, SimpleNN } from '../model'
import { aggregate, type StepProfile } from '../profile'
import type { RunRequest, RunResult } from '../protocol'
import { cpuNow, cpuSince } from './cpuClock'

let cached: { source: string; splits: Promise<[LessonDataset, LessonDataset]> } | null = null

function datasets(source: string) {
  if (cached?.source !== source) {
    cached = { source, splits: Promise.all([loadMnist(source, true), loadMnist(source, false)]) }
  }
  return cached.splits
}

/**
 * A view of `loader` whose epochs stop after `limit` batches (changeable between epochs). It
 * keeps what the fast path needs of a DataLoader (dataset, batch sampler, generator), so both
 * engines train exactly the batches the loader would have given.
 */
export class LimitedLoader implements BatchSource {
  constructor(
    readonly loader: DataLoader,
    public limit: number,
  ) {}
  get length(): number {
    return Math.min(this.limit, this.loader.length)
  }
  get dataset() {
    return this.loader.dataset
  }
  get generator() {
    return this.loader.generator
  }
  get batchSampler(): Iterable<Int32Array> {
    const { loader } = this
    const limit = this.length
    return {
      *[Symbol.iterator]() {
        let i = 0
        for (const indices of loader.batchSampler) {
          if (i++ >= limit) return
          yield indices
        }
      },
    }
  }
  async *[Symbol.asyncIterator]() {
    let i = 0
    const limit = this.length
    for await (const batch of this.loader) {
      if (i++ >= limit) {
        tf.dispose(batch)
        return
      }
      yield batch
    }
  }
}

/**
 * One run: a fresh model and optimizer from `seed` and a Trainer; a first fit over `warmupSteps`
 * batches (at least one: the fast engine uploads the dataset there, webgl compiles its shaders),
 * then a timed fit over one epoch (or `steps` batches). `source` is where MNIST's files are.
 */
export async function runTensorloom(source: string, request: RunRequest): Promise<RunResult> {
  const [train, test] = await datasets(source)
  const tensorsBefore = tf.memory().numTensors
  const setupStart = performance.now()
  manualSeed(request.seed)
  const model = new SimpleNN()
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 })
  const criterion = new CrossEntropyLoss()
  const trainLoader = new DataLoader(train, {
    batchSize: request.batchSize,
    shuffle: true,
    seed: request.seed,
  })
  let result: Omit<RunResult, 'testAccuracy' | 'leakedTensors'>
  if (request.engine === 'tensorloom' && request.tuning) {
    result = await runFast(request, model, optimizer, criterion, trainLoader, setupStart)
  } else {
    const loader = new LimitedLoader(trainLoader, Math.max(1, request.warmupSteps ?? 0))
    const trainer = new Trainer({
      model,
      optimizer,
      criterion,
      trainLoader: loader,
      engine: request.engine === 'tensorloom' ? 'fast' : 'reference',
    })
    await trainer.fit({ epochs: 1 })
    loader.limit = request.steps ?? Number.POSITIVE_INFINITY
    const setupSeconds = (performance.now() - setupStart) / 1000
    const cpuStart = await cpuNow()
    const start = performance.now()
    const { history } = await trainer.fit({ epochs: 2 })
    const seconds = (performance.now() - start) / 1000
    const cpuSeconds = cpuSince(cpuStart, await cpuNow())
    const tfBytes = tf.memory().numBytes
    trainer.dispose()
    result = {
      seconds,
      steps: loader.length,
      samples: Math.min(train.length, loader.length * request.batchSize),
      trainLoss: history[1]?.trainLoss ?? null,
      tfBytes,
      setupSeconds,
      cpuSeconds,
    }
  }
  let testAccuracy: number | null = null
  if (request.evaluate) {
    testAccuracy = (await evaluate(model, new DataLoader(test, { batchSize: 1000 }), criterion))
      .accuracy
    test.dispose()
  }
  optimizer.dispose()
  model.dispose()
  train.dispose()
  return { ...result, testAccuracy, leakedTensors: tf.memory().numTensors - tensorsBefore }
}

/**
 * The fast engine driven directly (as the Trainer drives it: results read back every 20 steps),
 * with some of its techniques switched off, to measure what each brings.
 */
async function runFast(
  request: RunRequest,
  model: SimpleNN,
  optimizer: Adam,
  criterion: CrossEntropyLoss,
  trainLoader: DataLoader,
  setupStart: number,
): Promise<Omit<RunResult, 'testAccuracy' | 'leakedTensors'>> {
  const engine = await FastEngine.create({
    model,
    optimizer,
    criterion,
    trainLoader,
    ...(request.tuning ? { tuning: request.tuning } : {}),
  })
  let window: tf.Tensor[] = []
  let lossSum = 0
  const flush = async () => {
    if (window.length === 0) return
    const packed = tf.stack(window)
    const values = await packed.data()
    packed.dispose()
    tf.dispose(window)
    for (let i = 0; i < values.length; i += 2) lossSum += values[i]!
    window = []
  }
  const warmup = request.warmupSteps ?? 0
  const limitSteps = request.steps ? warmup + request.steps : Number.POSITIVE_INFINITY
  let setupSeconds = (performance.now() - setupStart) / 1000
  let cpuStart = await cpuNow()
  let start = performance.now()
  let steps = 0
  let samples = 0
  for (const indices of engine.epochIndices()) {
    if (steps === warmup && warmup > 0) {
      await flush()
      lossSum = 0
      samples = 0
      setupSeconds = (performance.now() - setupStart) / 1000
      cpuStart = await cpuNow()
      start = performance.now()
    }
    const step = engine.step(indices)
    window.push(step.stats)
    steps++
    samples += step.samples
    if (window.length >= 20) await flush()
    if (steps >= limitSteps) break
  }
  await flush()
  engine.pull()
  const seconds = (performance.now() - start) / 1000
  const cpuSeconds = cpuSince(cpuStart, await cpuNow())
  const tfBytes = tf.memory().numBytes
  engine.dispose()
  const timedSteps = steps - warmup
  return {
    seconds,
    steps: timedSteps,
    samples,
    trainLoss: lossSum / timedSteps,
    tfBytes,
    setupSeconds,
    cpuSeconds,
  }
}

/**
 * `tf.profile` of one training step (after a few warm-up steps) of the fast or the reference path.
 */
export async function profileTensorloom(
  source: string,
  engine: 'tensorloom' | 'tensorloom-reference',
  batchSize = 64,
): Promise<StepProfile> {
  const [train] = await datasets(source)
  manualSeed(0)
  const model = new SimpleNN()
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 })
  const criterion = new CrossEntropyLoss()
  const trainLoader = new DataLoader(train, { batchSize, shuffle: true, seed: 0 })
  let profile: StepProfile
  if (engine === 'tensorloom') {
    const fast = await FastEngine.create({ model, optimizer, criterion, trainLoader })
    const batches = fast.epochIndices()[Symbol.iterator]()
    const step = async () => {
      const r = fast.step(batches.next().value as Int32Array)
      await r.stats.data()
      r.stats.dispose()
    }
    for (let i = 0; i < 5; i++) await step()
    const start = performance.now()
    const info = await tf.profile(step)
    profile = aggregate(info, performance.now() - start)
    fast.dispose()
  } else {
    const batches = trainLoader[Symbol.asyncIterator]()
    const step = async () => {
      const [x, y] = (await batches.next()).value as [tf.Tensor, tf.Tensor]
      const loss = optimizer.step(() => criterion.call(model.call(x), y) as tf.Scalar)
      await loss.data()
      tf.dispose([x, y, loss])
    }
    for (let i = 0; i < 5; i++) await step()
    const start = performance.now()
    const info = await tf.profile(step)
    profile = aggregate(info, performance.now() - start)
    await batches.return?.()
  }
  optimizer.dispose()
  model.dispose()
  train.dispose()
  return profile
}

/** What a parity run trains with (defaults: batches of 64, Adam 1e-3). */
export interface ParitySetup {
  batchSize?: number
  optimizer?: (params: tf.Variable[]) => Optimizer<object>
  /** Hidden widths of an {@link MLP} to train instead of the lesson's network. */
  hidden?: number[]
}

/**
 * One run of a parity check: the lesson's network (or `setup.hidden`'s MLP) from `manualSeed(0)`, `steps` steps on `train`
 * (shuffled with seed 0) by the fast or the reference path. `inspect` reads the model and
 * optimizer before they are disposed (the fast engine's weights and optimizer state pulled back
 * into them first).
 */
export async function parityRun<T>(
  train: LessonDataset,
  steps: number,
  fast: boolean,
  inspect?: (model: Module, optimizer: Optimizer<object>) => Promise<T>,
  setup: ParitySetup = {},
): Promise<{ losses: number[]; inspected: T | undefined; kernels: FastEngine['kernels'] }> {
  const criterion = new CrossEntropyLoss()
  manualSeed(0)
  const model = setup.hidden ? new MLP(setup.hidden) : new SimpleNN()
  const params = model.parameters()
  const optimizer = setup.optimizer?.(params) ?? new Adam(params, { lr: 1e-3 })
  const batchSize = setup.batchSize ?? 64
  const loader = new DataLoader(train, { batchSize, shuffle: true, seed: 0 })
  const losses: number[] = []
  let kernels: FastEngine['kernels'] = null
  if (fast) {
    const engine = await FastEngine.create({ model, optimizer, criterion, trainLoader: loader })
    kernels = engine.kernels
    for (const indices of engine.epochIndices()) {
      const { stats } = engine.step(indices)
      losses.push((await stats.data())[0]!)
      stats.dispose()
      if (losses.length >= steps) break
    }
    if (inspect) engine.pull()
    engine.dispose()
  } else {
    for await (const [x, y] of loader) {
      const loss = optimizer.step(() => criterion.call(model.call(x), y) as tf.Scalar)
      losses.push((await loss.data())[0]!)
      tf.dispose([x, y, loss])
      if (losses.length >= steps) break
    }
  }
  const inspected = inspect ? await inspect(model, optimizer) : undefined
  optimizer.dispose()
  model.dispose()
  return { losses, inspected, kernels }
}

/**
 * Trains the same initial weights on the same batches with the reference path (tape, one op per
 * parameter and step) and the fast path, and returns both runs' per-step losses.
 */
export async function parityLosses(
  source: string,
  steps = 20,
): Promise<{ reference: number[]; fast: number[] }> {
  const [train] = await datasets(source)
  const reference = (await parityRun(train, steps, false)).losses
  const fast = (await parityRun(train, steps, true)).losses
  train.dispose()
  return { reference, fast }
}
