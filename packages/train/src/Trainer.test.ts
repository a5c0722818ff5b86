import * as tf from '@tensorflow/tfjs-core'
import { DataLoader } from '@tensorloom/data'
import { Dropout, Flatten, Linear, Module, manualSeed, ReLU, Sequential } from '@tensorloom/layers'
import { beforeAll, describe, expect, it } from 'vitest'
import { useWasm } from '../test/helpers'
import { loadMnist, type MnistDataset } from '../test/mnist'
import { Adam } from './Adam'
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint'
import { TrainError } from './errors'
import { type BatchSource, evaluate } from './evaluate'
import { MSELoss } from './MSELoss'
import { SGD } from './SGD'
import { Trainer, type TrainerState } from './Trainer'

class Net extends Module {
  static readonly displayName = 'Net'
  flatten = new Flatten()
  layers = new Sequential(new Linear(784, 32), new ReLU(), new Dropout(0.2), new Linear(32, 10))
  forward(x: tf.Tensor): tf.Tensor {
    return this.layers.call(this.flatten.call(x))
  }
}

let train: MnistDataset
let test: MnistDataset

beforeAll(async () => {
  await useWasm()
  train = await loadMnist(true, 640) // 10 batches of 64
  test = await loadMnist(false, 300)
  // Upload the datasets once so tensor counts below only see the trainer's own tensors.
  train.toTensors()
  test.toTensors()
})

function setup(
  options: { seed?: number; loaderSeed?: number; syncEvery?: number; lr?: number } = {},
) {
  manualSeed(options.seed ?? 1)
  const model = new Net()
  const optimizer = new Adam(model.parameters(), { lr: options.lr ?? 1e-2 })
  const trainLoader = new DataLoader(train, {
    batchSize: 64,
    shuffle: true,
    seed: options.loaderSeed ?? 7,
  })
  const testLoader = new DataLoader(test, { batchSize: 100 })
  const trainer = new Trainer({
    model,
    optimizer,
    trainLoader,
    testLoader,
    epochs: 2,
    ...(options.syncEvery ? { syncEvery: options.syncEvery } : {}),
  })
  const dispose = () => {
    trainer.dispose()
    optimizer.dispose()
    model.dispose()
  }
  return { model, optimizer, trainLoader, trainer, dispose }
}

const weightsOf = (model: Module) => model.parameters().map((p) => Array.from(p.dataSync()))

describe('Trainer', () => {
  it('trains epochs, evaluates after each, and reports progress through subscribe/getState', async () => {
    const { trainer, dispose } = setup({ syncEvery: 4 })
    const states: TrainerState[] = []
    const unsubscribe = trainer.subscribe((s) => states.push(s))
    expect(trainer.getState()).toMatchObject({
      status: 'idle',
      epoch: 1,
      step: 0,
      stepsPerEpoch: 10,
      epochs: 2,
    })
    const result = await trainer.fit()
    unsubscribe()
    expect(result.status).toBe('completed')
    expect(result.history.map((h) => h.epoch)).toEqual([1, 2])
    const statuses = [...new Set(states.map((s) => s.status))]
    expect(statuses).toEqual(['training', 'evaluating', 'completed'])
    // Reads every 4 steps and at the end of each epoch: steps 4, 8, 10 per epoch.
    const reads = states.filter(
      (s, i) => i > 0 && s.lossCurve.length > states[i - 1]!.lossCurve.length,
    )
    expect(reads.map((s) => [s.epoch, s.step])).toEqual([
      [1, 4],
      [1, 8],
      [1, 10],
      [2, 4],
      [2, 8],
      [2, 10],
    ])
    expect(reads.map((s) => s.globalStep)).toEqual([4, 8, 10, 14, 18, 20])
    // Every batch's loss comes back with the read; batches of 64, so their mean is `loss`.
    expect(reads.map((s) => s.batchLosses.length)).toEqual([4, 4, 2, 4, 4, 2])
    for (const s of reads) {
      const mean = s.batchLosses.reduce((a, b) => a + b, 0) / s.batchLosses.length
      expect(s.loss).toBeCloseTo(mean, 5)
    }
    const final = trainer.getState()
    expect(final).toMatchObject({ status: 'completed', epoch: 2, globalStep: 20, etaSeconds: 0 })
    expect(final.lossCurve.map(([step]) => step)).toEqual([4, 8, 10, 14, 18, 20])
    for (const s of reads) {
      expect(s.loss).toBeGreaterThan(0)
      expect(s.smoothedLoss).toBeGreaterThan(0)
      expect(s.accuracy).toBeGreaterThanOrEqual(0)
      expect(s.accuracy).toBeLessThanOrEqual(1)
      expect(s.samplesPerSecond).toBeGreaterThan(0)
      expect(s.etaSeconds).toBeGreaterThanOrEqual(0)
    }
    const [first, second] = result.history
    expect(second!.trainLoss).toBeLessThan(first!.trainLoss)
    expect(first!.testAccuracy).toBe(result.lastEvaluation === null ? null : first!.testAccuracy)
    const evaluation = final.lastEvaluation!
    expect(evaluation.total).toBe(300)
    expect(evaluation.accuracy).toBe(second!.testAccuracy)
    expect(evaluation.accuracy).toBeGreaterThan(0.5)
    // The confusion matrix rows count the test labels.
    const labelCounts = Array.from(
      { length: 10 },
      (_, c) => test.targets.filter((t) => t === c).length,
    )
    expect(evaluation.confusionMatrix.map((row) => row.reduce((a, b) => a + b, 0))).toEqual(
      labelCounts,
    )
    expect(evaluation.correct).toBe(
      evaluation.confusionMatrix.reduce((s, row, i) => s + row[i]!, 0),
    )
    expect(evaluation.perClassAccuracy[3]).toBe(
      evaluation.confusionMatrix[3]![3]! / labelCounts[3]!,
    )
    // States are immutable plain snapshots (a worker can postMessage them).
    expect(Object.isFrozen(final)).toBe(true)
    expect(structuredClone(final)).toEqual(final)
    expect(states[0]).not.toBe(final)
    dispose()
  })

  it('resumes from a checkpoint to exactly the result of an uninterrupted run', async () => {
    const a = setup({ seed: 1, loaderSeed: 7 })
    await a.trainer.fit()
    const expectedWeights = weightsOf(a.model)
    const expectedHistory = a.trainer.getState().history
    a.dispose()

    // Same run, stopped at epoch 2, step 3 (global step 13) by an abort.
    const b = setup({ seed: 1, loaderSeed: 7, syncEvery: 1 })
    const controller = new AbortController()
    b.trainer.subscribe((s) => {
      if (s.globalStep === 13) controller.abort()
    })
    const stopped = await b.trainer.fit({ signal: controller.signal })
    expect(stopped.status).toBe('aborted')
    expect(b.trainer.getState()).toMatchObject({
      status: 'aborted',
      epoch: 2,
      step: 3,
      globalStep: 13,
    })
    const bytes = encodeCheckpoint(await b.trainer.checkpoint())
    b.dispose()

    // A fresh process: different initial weights, a loader with another seed, new optimizer.
    const c = setup({ seed: 99, loaderSeed: 12345, lr: 0.5 })
    const checkpoint = decodeCheckpoint(bytes)
    expect(checkpoint).toMatchObject({ epoch: 2, step: 3, globalStep: 13, stepsPerEpoch: 10 })
    c.trainer.loadCheckpoint(checkpoint)
    expect(c.optimizer.paramGroups[0]!.lr).toBe(1e-2)
    expect(c.trainer.getState()).toMatchObject({
      epoch: 2,
      step: 3,
      globalStep: 13,
      status: 'idle',
    })
    const resumed = await c.trainer.fit()
    expect(resumed.status).toBe('completed')
    expect(weightsOf(c.model)).toEqual(expectedWeights)
    expect(resumed.history.length).toBe(2)
    resumed.history.forEach((h, i) => {
      const e = expectedHistory[i]!
      expect(h.testLoss).toBe(e.testLoss)
      expect(h.testAccuracy).toBe(e.testAccuracy)
      expect(h.trainAccuracy).toBe(e.trainAccuracy)
      expect(h.trainLoss).toBeCloseTo(e.trainLoss, 10)
    })
    c.dispose()
  })

  it('continues after an abort in the same trainer exactly as without the abort', async () => {
    const a = setup({ seed: 3 })
    await a.trainer.fit()
    const expected = weightsOf(a.model)
    a.dispose()
    const b = setup({ seed: 3, syncEvery: 1 })
    const controller = new AbortController()
    b.trainer.subscribe((s) => s.globalStep === 6 && controller.abort())
    expect((await b.trainer.fit({ signal: controller.signal })).status).toBe('aborted')
    expect((await b.trainer.fit()).status).toBe('completed')
    expect(weightsOf(b.model)).toEqual(expected)
    b.dispose()
  })

  it('stops after exactly maxSteps batches, between reads, and continues from there', async () => {
    const a = setup({ seed: 3 })
    await a.trainer.fit()
    const expected = weightsOf(a.model)
    a.dispose()
    const b = setup({ seed: 3, syncEvery: 4 })
    // 7 is no multiple of syncEvery: the trainer reads back at 4 and at the stop.
    expect((await b.trainer.fit({ maxSteps: 7 })).status).toBe('aborted')
    expect(b.trainer.getState()).toMatchObject({ globalStep: 7, step: 7, epoch: 1 })
    expect(b.trainer.getState().lossCurve.map(([step]) => step)).toEqual([4, 7])
    expect((await b.trainer.fit({ maxSteps: 13 })).status).toBe('aborted')
    expect(b.trainer.getState()).toMatchObject({ globalStep: 13, step: 3, epoch: 2 })
    expect((await b.trainer.fit()).status).toBe('completed')
    expect(weightsOf(b.model)).toEqual(expected)
    await expect(b.trainer.fit({ maxSteps: 0 })).rejects.toThrow(
      /maxSteps must be a positive integer, got 0/,
    )
    b.dispose()
  })

  it('counts the ETA down to maxSteps, not to the last epoch', async () => {
    const { trainer, dispose } = setup({ syncEvery: 4 })
    const reads: TrainerState[] = []
    trainer.subscribe((s) => {
      if (s.lossCurve.length > (reads.at(-1)?.lossCurve.length ?? 0)) reads.push(s)
    })
    await trainer.fit({ maxSteps: 7 })
    const [first, last] = reads
    expect([first!.globalStep, last!.globalStep]).toEqual([4, 7])
    // The first read timed 4 batches of 64 (so both rates below are the same measurement):
    // 3 batches are left until the stop, and no evaluation runs before it.
    const secondsPerBatch = 64 / first!.samplesPerSecond!
    expect(first!.etaSeconds).toBeCloseTo(3 * secondsPerBatch, 6)
    expect(last!.etaSeconds).toBe(0)
    dispose()
  })

  it('pauses at a step boundary, checkpoints while paused, and resumes', async () => {
    const { trainer, dispose } = setup({ syncEvery: 1 })
    let paused = false
    trainer.subscribe((s) => {
      if (s.globalStep === 5 && !paused) {
        paused = true
        trainer.pause()
      }
    })
    const running = trainer.fit()
    await until(() => trainer.getState().status === 'paused')
    const at = trainer.getState().globalStep
    expect(at).toBe(5)
    await new Promise((r) => setTimeout(r, 30))
    expect(trainer.getState().globalStep).toBe(at)
    const checkpoint = await trainer.checkpoint()
    expect(checkpoint).toMatchObject({ epoch: 1, step: 5, globalStep: 5 })
    await expect(trainer.fit()).rejects.toMatchObject({ code: 'TRAINER_BUSY' })
    trainer.resume()
    expect((await running).status).toBe('completed')
    expect(trainer.getState().globalStep).toBe(20)
    dispose()
  })

  it('leaves paused time out of samplesPerSecond', async () => {
    const { trainer, dispose } = setup({ syncEvery: 2 })
    let before: TrainerState | null = null
    trainer.subscribe((s) => {
      if (s.globalStep === 6 && before === null) {
        before = s
        trainer.pause()
      }
    })
    const running = trainer.fit()
    await until(() => trainer.getState().status === 'paused')
    await new Promise((r) => setTimeout(r, 1000))
    const rates: number[] = []
    trainer.subscribe((s) => {
      if (s.globalStep > 6 && s.status === 'training' && s.samplesPerSecond !== null) {
        rates.push(s.samplesPerSecond)
      }
    })
    trainer.resume()
    await running
    const rate = (before as TrainerState | null)!.samplesPerSecond!
    // A second of pause against a few milliseconds per batch: were it counted, the rate would
    // drop to a fraction of what it was.
    expect(rates.length).toBeGreaterThan(0)
    expect(Math.min(...rates)).toBeGreaterThan(rate * 0.25)
    dispose()
  })

  it('lets timers through while training on wasm, so a pause or abort from one takes effect', async () => {
    // wasm reads back without a macrotask: without yielding, these timers would fire after fit().
    const epochs = 100
    const paused = setup()
    setTimeout(() => paused.trainer.pause(), 100)
    const running = paused.trainer.fit({ epochs })
    await until(() => paused.trainer.getState().status === 'paused')
    const at = paused.trainer.getState().globalStep
    expect(at).toBeGreaterThan(0)
    expect(at).toBeLessThan(epochs * 10)
    paused.trainer.resume()
    expect((await running).status).toBe('completed')
    paused.dispose()

    const aborted = setup()
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    expect((await aborted.trainer.fit({ epochs, signal: controller.signal })).status).toBe(
      'aborted',
    )
    expect(aborted.trainer.getState().globalStep).toBeLessThan(epochs * 10)
    aborted.dispose()
  })

  it('answers checkpoint() during training at the next step boundary', async () => {
    const { trainer, dispose } = setup({ syncEvery: 3 })
    let requested: Promise<unknown> | null = null
    trainer.subscribe((s) => {
      if (s.globalStep === 3 && !requested) requested = trainer.checkpoint()
    })
    await trainer.fit()
    expect(await requested).toMatchObject({ epoch: 1, step: 3, globalStep: 3 })
    dispose()
  })

  it('stops on a NaN loss naming the step, keeps the last good weights, suggests a smaller lr', async () => {
    manualSeed(5)
    const model = new Net()
    const optimizer = new SGD(model.parameters(), { lr: 1e4 })
    const trainer = new Trainer({
      model,
      optimizer,
      trainLoader: new DataLoader(train, { batchSize: 64, shuffle: true, seed: 1 }),
      epochs: 3,
      syncEvery: 5,
    })
    let error: unknown
    try {
      await trainer.fit()
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(TrainError)
    const e = error as TrainError
    expect(e.code).toBe('NON_FINITE_LOSS')
    expect(e.message).toMatch(
      /^The loss became (NaN|Infinity) at epoch \d+, step \d+ \(global step \d+\)/,
    )
    expect(e.hint).toContain('lr = 10000')
    expect(e.hint).toContain('try a smaller one, e.g. 1000')
    expect(e.values).toMatchObject({ lr: 1e4 })
    expect(trainer.getState()).toMatchObject({
      status: 'failed',
      error: { code: 'NON_FINITE_LOSS' },
    })
    // Every batch before the bad one is reported, also those read back with it: the curve climbs
    // to the explosion instead of stopping at the last full read-back of 5.
    const badAt = Number(/\(global step (\d+)\)/.exec(e.message)?.[1])
    expect(badAt).toBeGreaterThan(1)
    const { lossCurve, batchLosses, globalStep } = trainer.getState()
    expect(globalStep).toBe(badAt - 1)
    expect(lossCurve.at(-1)?.[0]).toBe(badAt - 1)
    expect(lossCurve.every(([, loss]) => Number.isFinite(loss))).toBe(true)
    expect(batchLosses.length).toBe(((badAt - 2) % 5) + 1)
    expect(batchLosses.every(Number.isFinite)).toBe(true)
    for (const p of model.parameters()) expect(p.dataSync().every(Number.isFinite)).toBe(true)
    // The restored weights give a finite loss.
    const { loss } = await evaluate(
      model,
      new DataLoader(test, { batchSize: 100 }),
      trainer.criterion,
    )
    expect(Number.isFinite(loss)).toBe(true)
    trainer.dispose()
    optimizer.dispose()
    model.dispose()
  })

  it('leaks no tensors: per epoch, per evaluation, on abort, and after disposing everything', async () => {
    const baseline = tf.memory().numTensors
    const { trainer, model, optimizer, dispose } = setup({ syncEvery: 3 })
    await trainer.fit({ epochs: 1 })
    const afterEpoch1 = tf.memory().numTensors
    await trainer.fit({ epochs: 2 })
    expect(tf.memory().numTensors).toBe(afterEpoch1)
    await trainer.evaluate()
    expect(tf.memory().numTensors).toBe(afterEpoch1)
    const controller = new AbortController()
    trainer.subscribe((s) => s.globalStep === 26 && controller.abort())
    expect((await trainer.fit({ epochs: 3, signal: controller.signal })).status).toBe('aborted')
    expect(trainer.getState()).toMatchObject({ epoch: 3, step: 6 })
    expect(tf.memory().numTensors).toBe(afterEpoch1)
    expect(model.parameters().length).toBe(4)
    expect(optimizer.isDisposed).toBe(false)
    dispose()
    expect(tf.memory().numTensors).toBe(baseline)
  })

  it('trains a regression with MSELoss (no accuracy)', async () => {
    const w = tf.tidy(() => tf.variable(tf.zeros([3, 1])))
    const model = {
      training: true,
      call: (x: tf.Tensor) => tf.matMul(x, w),
      train(mode = true) {
        this.training = mode
        return this
      },
      stateDict: () => ({ w }),
      loadStateDict: () => ({ missingKeys: [], unexpectedKeys: [] }),
      namedModules: () => [],
      parameters: () => [w],
    }
    const xs = [
      [1, 2, 3],
      [0, 1, 0],
      [2, 0, 1],
      [1, 1, 1],
    ]
    const loader: BatchSource = {
      length: 2,
      async *[Symbol.asyncIterator]() {
        for (let i = 0; i < 4; i += 2) {
          const x = tf.tensor2d(xs.slice(i, i + 2))
          yield [x, tf.tidy(() => tf.matMul(x, tf.tensor2d([[1], [-2], [0.5]])))] as const
        }
      },
    }
    const optimizer = new SGD([w], { lr: 0.05, momentum: 0.9 })
    const trainer = new Trainer({
      model: model as unknown as Module,
      optimizer,
      trainLoader: loader,
      testLoader: loader,
      criterion: new MSELoss(),
      epochs: 60,
    })
    const { history, lastEvaluation } = await trainer.fit()
    expect(history[59]!.trainAccuracy).toBeNull()
    expect(lastEvaluation!.accuracy).toBeNull()
    expect(lastEvaluation!.confusionMatrix).toEqual([])
    expect(history[59]!.trainLoss).toBeLessThan(history[0]!.trainLoss / 100)
    expect(Array.from(w.dataSync()).map((v) => Math.round(v * 10) / 10)).toEqual([1, -2, 0.5])
    trainer.dispose()
    optimizer.dispose()
    w.dispose()
  })

  it('validates its options and checkpoints', async () => {
    const { model, optimizer, trainLoader, trainer, dispose } = setup()
    const make = (extra: object) => () => new Trainer({ model, optimizer, trainLoader, ...extra })
    expect(make({ epochs: 0 })).toThrow(/epochs must be a positive integer, got 0/)
    expect(make({ syncEvery: 1.5 })).toThrow(/syncEvery must be a positive integer/)
    expect(
      () => new Trainer({ model, optimizer, trainLoader: [] as unknown as BatchSource }),
    ).toThrow(TrainError)
    await expect(trainer.evaluate()).resolves.toMatchObject({ total: 300 })
    expect(trainer.getState().status).toBe('idle')
    const checkpoint = await trainer.checkpoint()
    const other = new Trainer({
      model,
      optimizer: new SGD(model.parameters(), { lr: 0.1 }),
      trainLoader,
    })
    expect(() => other.loadCheckpoint(checkpoint)).toThrow(/holds Adam state, the trainer uses SGD/)
    const smaller = new Trainer({
      model,
      optimizer,
      trainLoader: new DataLoader(train, { batchSize: 128 }),
    })
    expect(() => smaller.loadCheckpoint(checkpoint)).toThrow(
      /saved with 10 batches per epoch, this training loader has 5/,
    )
    expect(() => decodeCheckpoint(new Uint8Array(4))).toThrow(/Not a Tensorloom checkpoint/)
    expect(() => trainer.loadCheckpoint({ ...checkpoint, version: 2 as 1 })).toThrow(TrainError)
    other.optimizer.dispose()
    dispose()
    await expect(trainer.fit()).rejects.toMatchObject({ code: 'TRAINER_DISPOSED' })
  })
})

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now()
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached in time')
    await new Promise((r) => setTimeout(r, 2))
  }
}
