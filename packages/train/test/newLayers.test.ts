// Each layer added after the first release trains through tfjs's tape with the gradients that
// registerGradients provides (no tfjs-core register_all_gradients here): one optimizer step moves
// its own parameters (where it has any), a tiny network containing it lowers its loss, and a CNN
// with all of them trains — on the wasm backend.
import * as tf from '@tensorflow/tfjs-core'
import {
  AdaptiveAvgPool2d,
  AvgPool2d,
  BatchNorm2d,
  Conv2d,
  Dropout2d,
  ELU,
  Flatten,
  GELU,
  Identity,
  type Layer,
  LayerNorm,
  LeakyReLU,
  Linear,
  manualSeed,
  Sequential,
  SiLU,
} from '@tensorloom/layers'
import { beforeAll, describe, expect, it } from 'vitest'
import { Adam, CrossEntropyLoss } from '../src/index'
import { useWasm } from './helpers'

/** Where a layer goes: after a conv on `[N, 4, 6, 6]` images, or after a Linear on `[N, 12]`. */
type Slot = 'image' | 'features'

const layers: Array<[string, Slot, () => Layer]> = [
  ['BatchNorm2d', 'image', () => new BatchNorm2d(4)],
  ['LayerNorm over (C, H, W)', 'image', () => new LayerNorm([4, 6, 6])],
  ['LayerNorm', 'features', () => new LayerNorm(12)],
  ['AvgPool2d', 'image', () => new AvgPool2d(3, { stride: 1, padding: 1 })],
  ['AdaptiveAvgPool2d', 'image', () => new AdaptiveAvgPool2d(4)],
  ['AdaptiveAvgPool2d(1)', 'image', () => new AdaptiveAvgPool2d(1)],
  ['Dropout2d', 'image', () => new Dropout2d(0.25)],
  ['Identity', 'features', () => new Identity()],
  ['LeakyReLU', 'features', () => new LeakyReLU(0.1)],
  ['ELU', 'features', () => new ELU(0.5)],
  ['GELU', 'features', () => new GELU()],
  ['GELU tanh', 'features', () => new GELU('tanh')],
  ['SiLU', 'features', () => new SiLU()],
]

function tinyNetwork(slot: Slot, layer: Layer, x: tf.Tensor): Sequential {
  manualSeed(3)
  if (slot === 'features') {
    return new Sequential(new Flatten(), new Linear(36, 12), layer, new Linear(12, 3))
  }
  const conv = new Conv2d(1, 4, 3, { padding: 1 })
  const head = [conv, layer, new Flatten()]
  const features = tf.tidy(() => new Sequential(...head).outputShape(x.shape).at(-1)!)
  return new Sequential(...head, new Linear(features, 3))
}

describe('every added layer trains on the wasm backend', () => {
  beforeAll(useWasm)

  it.each(layers)('%s', (_name, slot, make) => {
    const before = tf.memory().numTensors
    const x = tf.tidy(() => tf.randomNormal([8, 1, 6, 6], 0, 1, 'float32', 3))
    const y = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32')
    const layer = make()
    const model = tinyNetwork(slot, layer, x)
    const own = layer.parameters().map((p) => Array.from(p.dataSync()))
    const criterion = new CrossEntropyLoss()
    const optimizer = new Adam(model.parameters(), { lr: 0.05 })
    const losses: number[] = []
    for (let i = 0; i < 12; i++) {
      const value = optimizer.step(() => criterion.call(model.call(x), y))
      losses.push(value.dataSync()[0]!)
      value.dispose()
      if (i === 0) {
        // One step moves every parameter of the layer: its gradients reached the optimizer.
        for (const [j, p] of layer.parameters().entries()) {
          expect(Array.from(p.dataSync())).not.toEqual(own[j])
        }
      }
    }
    expect(losses.every(Number.isFinite)).toBe(true)
    expect(losses.at(-1)!).toBeLessThan(0.95 * losses[0]!)
    optimizer.dispose()
    model.dispose()
    tf.dispose([x, y])
    expect(tf.memory().numTensors).toBe(before)
  })

  it('a CNN with all of them (the graph tests’ newBlocks) lowers its loss on 28×28 images', () => {
    const before = tf.memory().numTensors
    manualSeed(5)
    const model = new Sequential(
      new Conv2d(1, 8, 3, { padding: 1 }),
      new BatchNorm2d(8, { eps: 0.001, momentum: 0.2 }),
      new LeakyReLU(0.2),
      new AvgPool2d(3, { stride: 2, padding: 1 }),
      new Dropout2d(0.25),
      new Conv2d(8, 16, 3),
      new AdaptiveAvgPool2d(5),
      new LayerNorm([16, 5, 5], { eps: 0.0001 }),
      new Flatten(),
      new Linear(400, 64),
      new GELU('tanh'),
      new Linear(64, 32),
      new SiLU(),
      new ELU(0.5),
      new Identity(),
      new Linear(32, 10),
    )
    const x = tf.tidy(() => tf.randomNormal([16, 1, 28, 28], 0, 1, 'float32', 8))
    const y = tf.tensor1d(
      Array.from({ length: 16 }, (_, i) => i % 10),
      'int32',
    )
    const criterion = new CrossEntropyLoss()
    const optimizer = new Adam(model.parameters(), { lr: 0.01 })
    const losses: number[] = []
    for (let i = 0; i < 10; i++) {
      const value = optimizer.step(() => criterion.call(model.call(x), y))
      losses.push(value.dataSync()[0]!)
      value.dispose()
    }
    expect(losses.every(Number.isFinite)).toBe(true)
    expect(losses.at(-1)!).toBeLessThan(0.7 * losses[0]!)
    for (const p of model.parameters()) expect(p.dataSync().every(Number.isFinite)).toBe(true)
    optimizer.dispose()
    model.dispose()
    tf.dispose([x, y])
    expect(tf.memory().numTensors).toBe(before)
  })
})
