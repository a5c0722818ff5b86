import * as tf from '@tensorflow/tfjs-core'
import {
  BatchNorm1d,
  Conv2d,
  Dropout,
  Flatten,
  Linear,
  LogSoftmax,
  MaxPool2d,
  manualSeed,
  ReLU,
  Sequential,
  Sigmoid,
  Softmax,
  Tanh,
} from '@tensorloom/layers'
import { beforeAll, describe, expect, it } from 'vitest'
import { Adam, CrossEntropyLoss, MSELoss, NLLLoss } from '../src/index'
import { useCpu, useWasm } from './helpers'

/** Every layer type of the graph, so every kernel they run needs a registered gradient. */
function everyLayer() {
  manualSeed(11)
  return new Sequential(
    new Conv2d(1, 4, 3, { padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(4, 4, 3, { stride: 1 }),
    new Tanh(),
    new Flatten(),
    new Linear(4, 12),
    new BatchNorm1d(12),
    new Sigmoid(),
    new Dropout(0.25),
    new Linear(12, 3),
  )
}

describe.each([
  ['cpu', useCpu],
  ['wasm', useWasm],
])('every layer type trains on the %s backend', (_name, use) => {
  beforeAll(use)

  it('reduces CrossEntropyLoss, NLLLoss over LogSoftmax, and MSELoss over Softmax', () => {
    const before = tf.memory().numTensors
    const x = tf.tidy(() => tf.randomNormal([8, 1, 6, 6], 0, 1, 'float32', 3))
    const y = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32')
    const heads = [
      { head: null, loss: new CrossEntropyLoss({ labelSmoothing: 0.1 }) },
      { head: new LogSoftmax(1), loss: new NLLLoss() },
      { head: new Softmax(1), loss: new MSELoss() },
    ]
    for (const { head, loss } of heads) {
      const model = everyLayer()
      if (head) model.append(head)
      const target = loss instanceof MSELoss ? tf.oneHot(y, 3) : y
      const targetF = loss instanceof MSELoss ? tf.cast(target, 'float32') : target
      const optimizer = new Adam(model.parameters(), { lr: 0.05 })
      const losses: number[] = []
      for (let i = 0; i < 15; i++) {
        const value = optimizer.step(() => loss.call(model.call(x), targetF))
        losses.push(value.dataSync()[0]!)
        value.dispose()
      }
      expect(losses.every(Number.isFinite)).toBe(true)
      expect(losses[14]!).toBeLessThan(losses[0]!)
      for (const p of model.parameters()) expect(p.dataSync().every(Number.isFinite)).toBe(true)
      optimizer.dispose()
      model.dispose()
      if (targetF !== y) tf.dispose([target, targetF])
    }
    tf.dispose([x, y])
    expect(tf.memory().numTensors).toBe(before)
  })
})
