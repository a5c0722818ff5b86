import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { Adam, AdamW, CrossEntropyLoss, type Optimizer, SGD } from '../src/index'
import { expectClose, loadFixture, useWasm } from './helpers'
import { lessonTransform, loadMnist, type MnistDataset, SimpleNN } from './mnist'

interface Run {
  name: string
  optimizer: 'SGD' | 'Adam' | 'AdamW'
  options: Record<string, unknown>
  losses: number[]
  finalLoss: number
  params: Record<string, { sum: number; absSum: number; first: number[] }>
}

const fixture = loadFixture<{
  torch: string
  init: { params: Array<{ name: string; shape: number[]; seed: number; boundLog2: number }> }
  batches: number[][]
  initialLogits: { shape: number[]; data: number[] }
  runs: Run[]
}>('mlp.json')

/** The shared LCG of scripts/parity/train_fixtures.py: exact float32 values in [-1, 1) * 2^b. */
function lcgUniform(seed: number, count: number, boundLog2: number): Float32Array {
  const out = new Float32Array(count)
  let state = seed >>> 0
  for (let i = 0; i < count; i++) {
    state = (Math.imul(1664525, state) + 1013904223) >>> 0
    out[i] = (((state >>> 8) - 2 ** 23) / 2 ** 23) * 2 ** boundLog2
  }
  return out
}

function initialModel(): SimpleNN {
  const model = new SimpleNN()
  const weights = Object.fromEntries(
    fixture.init.params.map((p) => [
      p.name,
      tf.tensor(
        lcgUniform(
          p.seed,
          p.shape.reduce((a, b) => a * b, 1),
          p.boundLog2,
        ),
        p.shape,
      ),
    ]),
  )
  model.loadStateDict(weights)
  tf.dispose(Object.values(weights))
  return model
}

function makeOptimizer(run: Run, model: SimpleNN): Optimizer<object> {
  const params = model.parameters()
  // biome-ignore lint/suspicious/noExplicitAny: options come from the JSON fixture
  const options = run.options as any
  if (run.optimizer === 'SGD') return new SGD(params, options)
  if (run.optimizer === 'Adam') return new Adam(params, options)
  return new AdamW(params, options)
}

let train: MnistDataset
const transform = lessonTransform()

function batch(indices: number[]): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const pixels = new Int32Array(indices.length * 784)
    indices.forEach((index, b) => {
      pixels.set(train.data.subarray(index * 784, (index + 1) * 784), b * 784)
    })
    const labels = Int32Array.from(indices, (i) => train.targets[i]!)
    return [
      transform.applyBatch!(tf.tensor(pixels, [indices.length, 28, 28], 'int32')),
      tf.tensor1d(labels, 'int32'),
    ]
  })
}

beforeAll(async () => {
  await useWasm()
  train = await loadMnist(true)
})

describe('the lesson MLP trained on real MNIST matches PyTorch 1.13 step by step', () => {
  it('starts from the same weights (initial logits)', () => {
    const model = initialModel()
    const [x, y] = batch(fixture.batches[0]!)
    const logits = model.call(x)
    expect(logits.shape).toEqual(fixture.initialLogits.shape)
    expectClose(tf.slice(logits, 0, 4).dataSync(), fixture.initialLogits.data, 1e-5, 1e-6)
    tf.dispose([x, y, logits])
    model.dispose()
  })

  for (const run of fixture.runs) {
    it(`${run.name}: per-step losses within 1e-4 relative, final weights close`, () => {
      const before = tf.memory().numTensors
      const model = initialModel()
      const optimizer = makeOptimizer(run, model)
      const criterion = new CrossEntropyLoss()
      const losses: number[] = []
      for (const indices of fixture.batches) {
        const [x, y] = batch(indices)
        optimizer.zeroGrad()
        const loss = optimizer.step(() => criterion.call(model.call(x), y) as tf.Scalar)
        losses.push(loss.dataSync()[0]!)
        tf.dispose([x, y, loss])
      }
      expectClose(losses, run.losses, 1e-4, 0)
      const [x0, y0] = batch(fixture.batches[0]!)
      const final = tf.tidy(() => criterion.call(model.call(x0), y0).dataSync()[0]!)
      expectClose([final], [run.finalLoss], 1e-4, 0)
      for (const [name, p] of model.namedParameters()) {
        const summary = run.params[name]!
        const values = p.dataSync()
        let absSum = 0
        for (const v of values) absSum += Math.abs(v)
        expectClose([absSum], [summary.absSum], 1e-4, 0)
        expectClose(values.slice(0, 8), summary.first, 1e-3, 1e-6)
      }
      tf.dispose([x0, y0])
      optimizer.dispose()
      model.dispose()
      expect(tf.memory().numTensors).toBe(before)
    })
  }
})
