import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-backend-wasm'
import { DataLoader } from '@tensorloom/data'
import { Dropout, Flatten, Linear, Module, manualSeed, ReLU, Sequential } from '@tensorloom/layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectClose } from '../../test/helpers'
import { loadMnist, type MnistDataset, SimpleNN } from '../../test/mnist'
import { Adam, AdamW } from '../Adam'
import { CrossEntropyLoss } from '../CrossEntropyLoss'
import { TrainError } from '../errors'
import { MSELoss } from '../MSELoss'
import type { Optimizer } from '../Optimizer'
import { SGD } from '../SGD'
import { FastEngine, type FastTuning } from './FastEngine'

const STEPS = 20
let train: MnistDataset

beforeAll(async () => {
  train = await loadMnist(true, STEPS * 64)
})

afterAll(() => {
  train.dispose()
})

type MakeOptimizer = (model: Module) => Optimizer<object>

const optimizers: Array<[string, MakeOptimizer]> = [
  ['Adam lr 1e-3', (m) => new Adam(m.parameters(), { lr: 1e-3 })],
  ['SGD lr 0.01 momentum 0.9', (m) => new SGD(m.parameters(), { lr: 0.01, momentum: 0.9 })],
  [
    'AdamW + AMSGrad',
    (m) => new AdamW(m.parameters(), { lr: 2e-3, weightDecay: 0.05, amsgrad: true }),
  ],
  [
    'SGD Nesterov, weight decay, dampening 0',
    (m) => new SGD(m.parameters(), { lr: 0.02, momentum: 0.8, nesterov: true, weightDecay: 1e-3 }),
  ],
]

const criterion = new CrossEntropyLoss()

/** Per-step losses of the reference path: tfjs' gradient tape, one update op per parameter. */
async function referenceRun(make: MakeOptimizer) {
  manualSeed(3)
  const model = new SimpleNN()
  const optimizer = make(model)
  const losses: number[] = []
  for await (const [x, y] of new DataLoader(train, { batchSize: 64, shuffle: true, seed: 5 })) {
    const loss = optimizer.step(() => criterion.call(model.call(x), y) as tf.Scalar)
    losses.push(loss.dataSync()[0]!)
    tf.dispose([x, y, loss])
  }
  return { model, optimizer, losses }
}

/** The same on the fast path. */
async function fastRun(make: MakeOptimizer, tuning: Partial<FastTuning> = {}) {
  manualSeed(3)
  const model = new SimpleNN()
  const optimizer = make(model)
  const trainLoader = new DataLoader(train, { batchSize: 64, shuffle: true, seed: 5 })
  const engine = await FastEngine.create({ model, optimizer, criterion, trainLoader, tuning })
  const losses: number[] = []
  const correct: number[] = []
  for (const indices of engine.epochIndices()) {
    const { stats, samples } = engine.step(indices)
    expect(samples).toBe(indices.length)
    const [loss, hits] = stats.dataSync()
    losses.push(loss!)
    correct.push(hits!)
    stats.dispose()
  }
  engine.pull()
  return { model, optimizer, engine, losses, correct }
}

function disposeAll(...things: Array<{ dispose(): void }>) {
  for (const t of things) t.dispose()
}

const stateOf = (optimizer: Optimizer<object>) => {
  const sd = optimizer.stateDict()
  const flat = Object.values(sd.state).flatMap((entry) =>
    Object.entries(entry)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => [k, typeof v === 'number' ? [v] : Array.from(v.dataSync())] as const),
  )
  for (const entry of Object.values(sd.state)) {
    for (const v of Object.values(entry)) if (typeof v !== 'number') v.dispose()
  }
  return flat
}

const variants: Array<[string, string, Partial<FastTuning>]> = [
  ['cpu', 'fused JavaScript kernels', {}],
  ['wasm', 'fused JavaScript kernels', {}],
  ['cpu', 'tfjs ops only', { kernels: false, fusedMatMul: false }],
  ['wasm', 'tfjs ops, batches built on the host', { kernels: false, residentData: false }],
]

describe.each(variants)(
  'FastEngine on %s (%s): the reference path’s math',
  (backend, _what, tuning) => {
    beforeAll(async () => {
      await tf.setBackend(backend)
      await tf.ready()
    })

    it.each(optimizers)(
      '%s: 20 per-step losses within 1e-4 (relative), same weights and state',
      async (_name, make) => {
        const reference = await referenceRun(make)
        const fast = await fastRun(make, tuning)
        expect(fast.engine.kernels).toBe(tuning.kernels === false ? null : 'js')
        expect(fast.losses).toHaveLength(STEPS)
        expectClose(fast.losses, reference.losses, 1e-4, 0)
        for (const [i, p] of fast.model.parameters().entries()) {
          expectClose(p.dataSync(), reference.model.parameters()[i]!.dataSync(), 1e-3, 1e-5)
        }
        const [a, b] = [stateOf(fast.optimizer), stateOf(reference.optimizer)]
        expect(a.map(([k]) => k)).toEqual(b.map(([k]) => k))
        for (const [i, [, values]] of a.entries()) expectClose(values, b[i]![1], 1e-3, 1e-6)
        // The correct counts are those of the logits before each update.
        expect(fast.correct.every((c) => Number.isInteger(c) && c >= 0 && c <= 64)).toBe(true)
        disposeAll(fast.engine, fast.optimizer, fast.model, reference.optimizer, reference.model)
      },
    )
  },
)

describe('FastEngine', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu')
  })

  it('frees everything it allocated: weights, optimizer state, resident data', async () => {
    manualSeed(0)
    const model = new SimpleNN()
    const optimizer = new Adam(model.parameters())
    const before = tf.memory().numTensors
    const engine = await FastEngine.create({
      model,
      optimizer,
      trainLoader: new DataLoader(train, { batchSize: 64, shuffle: true, seed: 1 }),
    })
    for (const indices of engine.epochIndices()) engine.step(indices).stats.dispose()
    engine.pull()
    engine.dispose()
    // The optimizer now holds its state (2 tensors per parameter), as after reference steps.
    expect(tf.memory().numTensors - before).toBe(8)
    expect(() => engine.step(new Int32Array([0]))).toThrow(TrainError)
    disposeAll(optimizer, model)
  })

  it('push() picks up weights and optimizer state changed outside', async () => {
    manualSeed(0)
    const model = new SimpleNN()
    const optimizer = new SGD(model.parameters(), { lr: 0.1 })
    const engine = await FastEngine.create({
      model,
      optimizer,
      trainLoader: new DataLoader(train, { batchSize: 64 }),
    })
    for (const p of model.parameters()) p.assign(tf.zerosLike(p))
    engine.push()
    const { stats } = engine.step(Int32Array.from({ length: 64 }, (_, i) => i))
    // Zero weights: every logit is 0, so the loss is ln(10).
    expect(stats.dataSync()[0]).toBeCloseTo(Math.log(10), 5)
    stats.dispose()
    disposeAll(engine, optimizer, model)
  })

  it('reads the learning rate every step (schedules work)', async () => {
    manualSeed(0)
    const model = new SimpleNN()
    const optimizer = new SGD(model.parameters(), { lr: 0.1 })
    const engine = await FastEngine.create({
      model,
      optimizer,
      trainLoader: new DataLoader(train, { batchSize: 64 }),
    })
    const before = model.parameters().map((p) => p.dataSync().slice())
    optimizer.paramGroups[0]!.lr = 0
    engine.step(Int32Array.from({ length: 64 }, (_, i) => i)).stats.dispose()
    engine.pull()
    for (const [i, p] of model.parameters().entries()) {
      expect(Array.from(p.dataSync())).toEqual(Array.from(before[i]!))
    }
    disposeAll(engine, optimizer, model)
  })
})

class WithDropout extends Module {
  flatten = new Flatten()
  layers = new Sequential(new Linear(784, 16), new ReLU(), new Dropout(0.5), new Linear(16, 10))
  forward(x: tf.Tensor) {
    return this.layers.call(this.flatten.call(x))
  }
}

class Residual extends Module {
  flatten = new Flatten()
  a = new Linear(784, 784)
  b = new Linear(784, 10)
  forward(x: tf.Tensor) {
    const h = this.flatten.call(x)
    return this.b.call(tf.add(h, this.a.call(h)))
  }
}

class Twice extends Module {
  flatten = new Flatten()
  a = new Linear(784, 784)
  forward(x: tf.Tensor) {
    return this.a.call(this.a.call(this.flatten.call(x)))
  }
}

describe('FastEngine.check: says why a setup takes the reference path', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu')
  })

  const loader = () => new DataLoader(train, { batchSize: 64 })

  it.each([
    ['a layer it does not fuse', () => new WithDropout(), /Dropout/],
    ['arithmetic between layers', () => new Residual(), /not a plain chain/],
    ['a layer used twice', () => new Twice(), /more than once/],
  ])('%s', (_what, make, reason) => {
    manualSeed(0)
    const model = make()
    const optimizer = new Adam(model.parameters())
    const verdict = FastEngine.check({ model, optimizer, trainLoader: loader() })
    expect(verdict.ok).toBe(false)
    expect(verdict.ok ? '' : verdict.reason).toMatch(reason)
    disposeAll(optimizer, model)
  })

  it('other losses, other data sources, frozen or foreign parameters', async () => {
    manualSeed(0)
    const model = new SimpleNN()
    const optimizer = new Adam(model.parameters())
    const trainLoader = loader()
    const verdict = (o: Partial<Parameters<typeof FastEngine.check>[0]>) =>
      FastEngine.check({ model, optimizer, trainLoader, ...o })
    expect(verdict({})).toEqual({ ok: true })
    expect(verdict({ criterion: new MSELoss() })).toMatchObject({ reason: /MSELoss/ })
    expect(verdict({ criterion: new CrossEntropyLoss({ labelSmoothing: 0.1 }) })).toMatchObject({
      reason: /smoothing/,
    })
    const plain = { length: 1, async *[Symbol.asyncIterator]() {} }
    expect(verdict({ trainLoader: plain })).toMatchObject({ reason: /not a DataLoader/ })
    const half = new Adam(model.parameters().slice(0, 2))
    expect(verdict({ optimizer: half })).toMatchObject({ reason: /exactly the model/ })
    model.parameters()[0]!.trainable = false
    expect(verdict({})).toMatchObject({ reason: /frozen/ })
    model.parameters()[0]!.trainable = true
    await expect(
      FastEngine.create({ model, optimizer, trainLoader, criterion: new MSELoss() }),
    ).rejects.toMatchObject({ code: 'INVALID_OPTION', message: /engine: 'reference'/ })
    disposeAll(half, optimizer, model)
  })
})
