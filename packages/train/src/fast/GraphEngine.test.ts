// The graph fast path (GraphEngine: convolutions, pooling, batch norm, residual adds) against the
// reference path: per-step losses, weights, optimizer state and batch-norm statistics.
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-backend-wasm'
import { DataLoader } from '@tensorloom/data'
import { type GraphDocument, templates } from '@tensorloom/graph'
import {
  BatchNorm2d,
  Conv2d,
  Dropout,
  Flatten,
  fromGraph,
  Linear,
  MaxPool2d,
  Module,
  manualSeed,
  ReLU,
  Sequential,
} from '@tensorloom/layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectClose } from '../../test/helpers'
import { loadMnist, type MnistDataset } from '../../test/mnist'
import { Adam } from '../Adam'
import { CrossEntropyLoss } from '../CrossEntropyLoss'
import type { Optimizer } from '../Optimizer'
import { SGD } from '../SGD'
import { createStepEngine } from '../StepEngine'
import { Trainer } from '../Trainer'
import { GraphEngine } from './GraphEngine'

const STEPS = 20
let train: MnistDataset

beforeAll(async () => {
  train = await loadMnist(true, STEPS * 64)
})

afterAll(() => {
  train.dispose()
})

const criterion = new CrossEntropyLoss()
type MakeOptimizer = (m: Module) => Optimizer<object>
const adam: MakeOptimizer = (m) => new Adam(m.parameters(), { lr: 1e-3 })

/** A fresh model (the same initial weights each time), its optimizer and loader. */
function setup(make: () => Module, optimizer: MakeOptimizer = adam) {
  manualSeed(4)
  const model = make()
  model.train(true)
  const trainLoader = new DataLoader(train, { batchSize: 64, shuffle: true, seed: 9 })
  return { model, optimizer: optimizer(model), trainLoader }
}

type Setup = ReturnType<typeof setup>

async function referenceLosses(
  { model, optimizer, trainLoader }: Setup,
  reverse = false,
  steps = STEPS,
) {
  const losses: number[] = []
  for await (const batch of trainLoader) {
    const [x, y] = reverse ? batch.map((t) => tf.reverse(t, 0)) : batch
    const loss = optimizer.step(() => criterion.call(model.call(x!), y!) as tf.Scalar)
    losses.push(loss.dataSync()[0]!)
    tf.dispose([...batch, x!, y!, loss])
    if (losses.length === steps) break
  }
  return losses
}

async function fastLosses({ model, optimizer, trainLoader }: Setup, steps = STEPS) {
  const engine = await GraphEngine.create({ model, optimizer, criterion, trainLoader })
  const losses: number[] = []
  for (const indices of { [Symbol.iterator]: () => engine.batches() }) {
    const { stats } = engine.step(indices)
    losses.push(stats.dataSync()[0]!)
    stats.dispose()
    if (losses.length === steps) break
  }
  engine.pull()
  engine.dispose()
  return losses
}

const worst = (a: number[], b: number[]) =>
  Math.max(...a.map((v, i) => Math.abs(v - b[i]!) / Math.abs(v)))

const graphModel = (doc: GraphDocument) => () => fromGraph(doc).model

const buffersOf = (m: Module) =>
  Object.entries(m.stateDict()).filter(([k]) => k.includes('running') || k.includes('batches'))

describe.each(['wasm', 'cpu'])('GraphEngine on %s: the reference path’s math', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend)
    await tf.ready()
  })

  // On cpu (tfjs' JavaScript convolutions, ~100× slower) only the MLP and a small CNN.
  const cases: Array<[string, () => Module, MakeOptimizer]> =
    backend === 'wasm'
      ? [
          ['residualMlp, Adam', graphModel(templates.residualMlp), adam],
          ['smallCnn, Adam', graphModel(templates.smallCnn), adam],
          [
            'smallCnn, SGD with momentum',
            graphModel(templates.smallCnn),
            (m) => new SGD(m.parameters(), { lr: 0.05, momentum: 0.9 }),
          ],
        ]
      : [
          ['residualMlp, Adam', graphModel(templates.residualMlp), adam],
          ['a small CNN', () => new TinyCnn(false), adam],
        ]

  it.each(cases)(
    '%s: 20 per-step losses within 1e-5 (relative), same weights',
    async (_n, make, opt) => {
      const reference = setup(make, opt)
      const expected = await referenceLosses(reference)
      const fast = setup(make, opt)
      const losses = await fastLosses(fast)
      expect(losses).toHaveLength(STEPS)
      expectClose(losses, expected, 1e-5, 0)
      for (const [i, p] of fast.model.parameters().entries()) {
        expectClose(p.dataSync(), reference.model.parameters()[i]!.dataSync(), 1e-3, 1e-5)
      }
      for (const [i, [key, t]] of buffersOf(fast.model).entries()) {
        const [refKey, r] = buffersOf(reference.model)[i]!
        expect(key).toBe(refKey)
        expectClose(t.dataSync(), r.dataSync(), 1e-3, 1e-5)
      }
      for (const s of [reference, fast]) {
        s.optimizer.dispose()
        s.model.dispose()
      }
    },
  )

  it('a small CNN with batch norm: close for 8 steps (the JavaScript batch-norm kernels)', async () => {
    // Batch-norm networks drift apart by rounding within ~20 steps (see the ResNet test below).
    const reference = setup(() => new TinyCnn(true))
    const expected = await referenceLosses(reference, false, 8)
    const fast = setup(() => new TinyCnn(true))
    expectClose(await fastLosses(fast, 8), expected, 2e-5, 0)
    for (const [i, [key, t]] of buffersOf(fast.model).entries()) {
      const [refKey, r] = buffersOf(reference.model)[i]!
      expect(key).toBe(refKey)
      expectClose(t.dataSync(), r.dataSync(), 1e-3, 1e-5)
    }
    for (const s of [reference, fast]) {
      s.optimizer.dispose()
      s.model.dispose()
    }
  })
})

describe('GraphEngine on a ResNet (batch norm)', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm')
  })

  it('drifts from the reference path no more than the reference path from itself', async () => {
    // A batch norm's gradient is a small difference of large float32 sums, and Adam turns the
    // rounding noise of the gradient of a bias before a batch norm (exactly 0 in exact
    // arithmetic) into lr-sized steps: summing the same batch in another order (reversed) moves
    // the reference path's losses by ~1e-4 within 20 steps. The fast path stays that close.
    const make = graphModel(templates.smallResNet)
    const reference = setup(make)
    const expected = await referenceLosses(reference)
    const reversed = setup(make)
    const spread = worst(expected, await referenceLosses(reversed, true))
    const fast = setup(make)
    const losses = await fastLosses(fast)
    expect(spread).toBeGreaterThan(1e-6)
    expect(worst(expected.slice(0, 3), losses.slice(0, 3))).toBeLessThan(1e-5)
    expect(worst(expected, losses)).toBeLessThan(Math.max(3 * spread, 1e-4))
    // The scales and shifts of the batch norms follow the reference path's closely.
    for (const [i, [name, p]] of fast.model.namedParameters().entries()) {
      if (!/^bn\d\.(weight|bias)$/.test(name)) continue
      expectClose(p.dataSync(), reference.model.parameters()[i]!.dataSync(), 2e-2, 1e-3)
    }
    for (const s of [reference, reversed, fast]) {
      s.optimizer.dispose()
      s.model.dispose()
    }
  })
})

/**
 * A chain (not a GraphModel): overlapping pools, a convolution without padding, a flattened image
 * into a Linear; optionally a batch norm (with no bias before it: that bias's gradient is 0 up to
 * rounding, which Adam turns into lr-sized steps).
 */
class TinyCnn extends Module {
  layers: Sequential
  constructor(norm: boolean) {
    super()
    this.layers = new Sequential(
      new Conv2d(1, 4, 3, { padding: 1, bias: !norm }),
      ...(norm ? [new BatchNorm2d(4)] : []),
      new ReLU(),
      new MaxPool2d(2),
      new Conv2d(4, 4, 3),
      new ReLU(),
      new MaxPool2d(3, { stride: 2 }),
      new Flatten(),
      new Linear(4 * 5 * 5, 10),
    )
  }
  forward(x: tf.Tensor) {
    return this.layers.call(x)
  }
}

class WithDropout extends Module {
  layers = new Sequential(
    new Conv2d(1, 4, 3),
    new Dropout(0.5),
    new Flatten(),
    new Linear(2704, 10),
  )
  forward(x: tf.Tensor) {
    return this.layers.call(x)
  }
}

class Strided extends Module {
  layers = new Sequential(new Conv2d(1, 4, 3, { stride: 2 }), new Flatten(), new Linear(676, 10))
  forward(x: tf.Tensor) {
    return this.layers.call(x)
  }
}

describe('GraphEngine: which setups it trains', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm')
  })

  const loader = () => new DataLoader(train, { batchSize: 64 })

  it.each([
    ['a layer it has no kernel for', () => new WithDropout(), /Dropout/],
    ['a strided convolution', () => new Strided(), /stride/],
    ['a Concat merge', graphModel(templates.twoTower), /Concat/],
  ])('%s: says why not', (_what, make, reason) => {
    manualSeed(0)
    const model = make()
    const optimizer = new Adam(model.parameters())
    const verdict = GraphEngine.check({ model, optimizer, criterion, trainLoader: loader() })
    expect(verdict).toMatchObject({ ok: false, reason })
    optimizer.dispose()
    model.dispose()
  })

  it('the Trainer trains a CNN on it by default on wasm and cpu, not on webgl', async () => {
    manualSeed(0)
    const model = fromGraph(templates.smallCnn).model
    const optimizer = new Adam(model.parameters())
    const setup_ = { model, optimizer, criterion, trainLoader: loader() }
    const engine = await createStepEngine('auto', setup_)
    expect(engine).toBeInstanceOf(GraphEngine)
    expect(engine.kind).toBe('fast')
    engine.dispose()
    await tf.setBackend('cpu')
    expect(GraphEngine.check(setup_)).toEqual({ ok: true })
    await tf.setBackend('wasm')
    const trainer = new Trainer({ ...setup_, epochs: 1 })
    await trainer.fit({ maxSteps: 3 })
    expect(trainer.activeEngine).toBe('fast')
    trainer.dispose()
    optimizer.dispose()
    model.dispose()
  })

  it('frees what it allocated; push() picks up weights changed outside', async () => {
    manualSeed(0)
    const model = fromGraph(templates.smallResNet).model
    const optimizer = new SGD(model.parameters(), { lr: 0.1 })
    const before = tf.memory().numTensors
    const engine = await GraphEngine.create({ model, optimizer, criterion, trainLoader: loader() })
    engine.step(Int32Array.from({ length: 64 }, (_, i) => i)).stats.dispose()
    engine.pull()
    for (const p of model.parameters()) {
      const zeros = tf.zerosLike(p)
      p.assign(zeros)
      zeros.dispose()
    }
    engine.push()
    const { stats } = engine.step(Int32Array.from({ length: 64 }, (_, i) => i))
    // Zero weights: every logit is 0, so the loss is ln(10).
    expect(stats.dataSync()[0]).toBeCloseTo(Math.log(10), 5)
    stats.dispose()
    engine.pull()
    engine.dispose()
    expect(tf.memory().numTensors).toBe(before)
    expect(() => engine.step(new Int32Array([0]))).toThrow(/disposed/)
    optimizer.dispose()
    model.dispose()
  })
})
