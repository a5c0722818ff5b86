// The Trainer on the fast path (the default for the lesson's kind of model) against the reference
// path, and the Trainer's promises — checkpoints, NaN detection, no leaks — kept on the fast path.
import * as tf from '@tensorflow/tfjs-core'
import { DataLoader } from '@tensorloom/data'
import { Dropout, Flatten, Linear, Module, manualSeed, ReLU, Sequential } from '@tensorloom/layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectClose, useWasm } from '../../test/helpers'
import { loadMnist, type MnistDataset, SimpleNN } from '../../test/mnist'
import { Adam } from '../Adam'
import { decodeCheckpoint, encodeCheckpoint } from '../checkpoint'
import { TrainError } from '../errors'
import { SGD } from '../SGD'
import { Trainer, type TrainerOptions } from '../Trainer'

let train: MnistDataset
let test: MnistDataset

beforeAll(async () => {
  await useWasm()
  train = await loadMnist(true, 640) // 10 batches of 64
  test = await loadMnist(false, 300)
  test.toTensors()
})

afterAll(() => {
  train.dispose()
  test.dispose()
})

function setup(engine: TrainerOptions['engine'], seed = 1, loaderSeed = 7) {
  manualSeed(seed)
  const model = new SimpleNN()
  const optimizer = new Adam(model.parameters(), { lr: 2e-3 })
  const trainer = new Trainer({
    model,
    optimizer,
    trainLoader: new DataLoader(train, { batchSize: 64, shuffle: true, seed: loaderSeed }),
    testLoader: new DataLoader(test, { batchSize: 100 }),
    epochs: 2,
    syncEvery: 3,
    engine,
  })
  const dispose = () => {
    trainer.dispose()
    optimizer.dispose()
    model.dispose()
  }
  return { model, optimizer, trainer, dispose }
}

const weightsOf = (model: Module) => model.parameters().map((p) => Array.from(p.dataSync()))

describe('Trainer on the fast path', () => {
  it('trains what the reference path trains: same history, same weights', async () => {
    const fast = setup('auto')
    expect(fast.trainer.activeEngine).toBeNull()
    const a = await fast.trainer.fit()
    expect(fast.trainer.activeEngine).toBe('fast')
    const reference = setup('reference')
    const b = await reference.trainer.fit()
    expect(reference.trainer.activeEngine).toBe('reference')
    expect(a.history).toHaveLength(2)
    a.history.forEach((h, i) => {
      const e = b.history[i]!
      expect(h.trainLoss).toBeCloseTo(e.trainLoss, 4)
      expect(h.trainAccuracy).toBe(e.trainAccuracy)
      expect(h.testLoss!).toBeCloseTo(e.testLoss!, 4)
      expect(h.testAccuracy).toBe(e.testAccuracy)
    })
    const expectedWeights = weightsOf(reference.model)
    for (const [i, w] of weightsOf(fast.model).entries()) {
      expectClose(w, expectedWeights[i]!, 1e-3, 1e-5)
    }
    const states = [fast.trainer.getState(), reference.trainer.getState()]
    expect(states[0]!.lossCurve.map(([step]) => step)).toEqual(states[1]!.lossCurve.map(([s]) => s))
    fast.dispose()
    reference.dispose()
  })

  it('resumes from a checkpoint to exactly the result of an uninterrupted run', async () => {
    const a = setup('fast')
    await a.trainer.fit()
    const expected = weightsOf(a.model)
    const expectedHistory = a.trainer.getState().history
    a.dispose()

    const b = setup('fast')
    const controller = new AbortController()
    b.trainer.subscribe((s) => {
      if (s.globalStep >= 12) controller.abort()
    })
    expect((await b.trainer.fit({ signal: controller.signal })).status).toBe('aborted')
    const bytes = encodeCheckpoint(await b.trainer.checkpoint())
    b.dispose()

    const c = setup('fast', 99, 12345)
    c.trainer.loadCheckpoint(decodeCheckpoint(bytes))
    const resumed = await c.trainer.fit()
    expect(resumed.status).toBe('completed')
    expect(weightsOf(c.model)).toEqual(expected)
    resumed.history.forEach((h, i) => {
      expect(h.testAccuracy).toBe(expectedHistory[i]!.testAccuracy)
      expect(h.trainLoss).toBeCloseTo(expectedHistory[i]!.trainLoss, 10)
    })
    c.dispose()
  })

  it('stops on a NaN loss with the last good weights, and can continue after', async () => {
    manualSeed(5)
    const model = new SimpleNN()
    const optimizer = new SGD(model.parameters(), { lr: 1e4 })
    const trainer = new Trainer({
      model,
      optimizer,
      trainLoader: new DataLoader(train, { batchSize: 64, shuffle: true, seed: 1 }),
      epochs: 3,
      syncEvery: 5,
      engine: 'fast',
    })
    await expect(trainer.fit()).rejects.toMatchObject({ code: 'NON_FINITE_LOSS' })
    for (const p of model.parameters()) expect(p.dataSync().every(Number.isFinite)).toBe(true)
    trainer.dispose()
    optimizer.dispose()
    model.dispose()
  })

  it('leaks nothing: per epoch, on abort, and after disposing the trainer', async () => {
    const baseline = tf.memory().numTensors
    const { trainer, model, optimizer } = setup('fast')
    await trainer.fit({ epochs: 1 })
    const afterEpoch1 = tf.memory().numTensors
    await trainer.fit({ epochs: 2 })
    expect(tf.memory().numTensors).toBe(afterEpoch1)
    const controller = new AbortController()
    trainer.subscribe((s) => s.globalStep >= 24 && controller.abort())
    await trainer.fit({ epochs: 3, signal: controller.signal })
    expect(tf.memory().numTensors).toBe(afterEpoch1)
    trainer.dispose()
    optimizer.dispose()
    model.dispose()
    expect(tf.memory().numTensors).toBe(baseline)
  })
})

describe('Trainer: one epoch loop for both engines', () => {
  it('stops at maxSteps alike: an epoch that ends at the stop is evaluated first', async () => {
    for (const engine of ['fast', 'reference'] as const) {
      const run = setup(engine)
      const stopped = await run.trainer.fit({ maxSteps: 10 })
      expect(run.trainer.activeEngine).toBe(engine)
      expect(stopped.status).toBe('aborted')
      expect(stopped.history.map((h) => [h.epoch, h.testAccuracy !== null])).toEqual([[1, true]])
      expect(run.trainer.getState()).toMatchObject({ epoch: 2, step: 0, globalStep: 10 })
      // A limit at the run's last step is no stop.
      expect((await run.trainer.fit({ maxSteps: 20 })).status).toBe('completed')
      expect(run.trainer.getState().history).toHaveLength(2)
      run.dispose()
    }
  })
})

class WithDropout extends Module {
  flatten = new Flatten()
  layers = new Sequential(new Linear(784, 16), new ReLU(), new Dropout(0.2), new Linear(16, 10))
  forward(x: tf.Tensor) {
    return this.layers.call(this.flatten.call(x))
  }
}

describe('Trainer engine option', () => {
  it("'auto' trains other models on the reference path; 'fast' says why it cannot", async () => {
    manualSeed(0)
    const model = new WithDropout()
    const optimizer = new Adam(model.parameters())
    const trainLoader = new DataLoader(train, { batchSize: 64 })
    const auto = new Trainer({ model, optimizer, trainLoader })
    await auto.fit()
    expect(auto.activeEngine).toBe('reference')
    const fast = new Trainer({ model, optimizer, trainLoader, engine: 'fast' })
    const error = await fast.fit().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TrainError)
    expect(error).toMatchObject({ code: 'INVALID_OPTION', message: /Dropout/ })
    expect(() => new Trainer({ model, optimizer, trainLoader, engine: 'turbo' as 'fast' })).toThrow(
      /engine must be 'auto', 'fast' or 'reference', got turbo/,
    )
    auto.dispose()
    fast.dispose()
    optimizer.dispose()
    model.dispose()
  })
})
