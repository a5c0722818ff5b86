import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { liveTensors } from '../test/helpers'
import { Conv2d } from './Conv2d'
import { Flatten } from './Flatten'
import rng from './fixtures/rng.json'
import { defaultGenerator, Generator, manualSeed } from './Generator'
import { Linear } from './Linear'
import { ReLU } from './ReLU'
import { Sequential } from './Sequential'

const values = (t: tf.Tensor) => Array.from(t.dataSync())

describe('Linear initialisation (PyTorch default init, same random stream)', () => {
  it('equals torch.manual_seed(0); nn.Linear(20, 8) bit for bit', () => {
    manualSeed(0)
    const fc = new Linear(20, 8)
    expect(fc.weight.shape).toEqual([8, 20])
    expect(values(fc.weight)).toEqual(rng.linear_20_8_seed0.weight.data)
    expect(values(fc.bias!)).toEqual(rng.linear_20_8_seed0.bias.data)
    fc.dispose()
  })

  it('equals torch.manual_seed(1); nn.Conv2d(2, 3, 3) bit for bit', () => {
    manualSeed(1)
    const conv = new Conv2d(2, 3, 3)
    expect(values(conv.weight)).toEqual(rng.conv_2_3_3_seed1.weight.data)
    expect(values(conv.bias!)).toEqual(rng.conv_2_3_3_seed1.bias.data)
    conv.dispose()
  })

  it("builds the lesson's model with PyTorch's exact initial weights and leaves the stream where PyTorch does", () => {
    manualSeed(42)
    const model = new Sequential(
      new Flatten(),
      new Linear(784, 128),
      new ReLU(),
      new Linear(128, 10),
    )
    for (const [key, fx] of Object.entries(rng.lesson_seed42)) {
      const t = model.stateDict()[key]!
      const data = values(t)
      expect(t.shape, key).toEqual(fx.shape)
      expect(data.slice(0, 8), key).toEqual(fx.head)
      const sum = data.reduce((s, v) => s + v, 0)
      const sumsq = data.reduce((s, v) => s + v * v, 0)
      expect(sum, key).toBeCloseTo(fx.sum, 10)
      expect(sumsq, key).toBeCloseTo(fx.sumsq, 10)
    }
    const next = [0, 1, 2].map(() => defaultGenerator.uniformFloat32(0, 1))
    expect(next).toEqual(rng.lesson_seed42_next.data)
    model.dispose()
  })

  it('uses a seed or a generator of its own without touching the default stream', () => {
    manualSeed(0)
    const a = new Linear(20, 8, { seed: 0 })
    const b = new Linear(20, 8, { generator: new Generator(0) })
    expect(values(a.weight)).toEqual(rng.linear_20_8_seed0.weight.data)
    expect(values(b.weight)).toEqual(values(a.weight))
    const c = new Linear(20, 8)
    expect(values(c.weight)).toEqual(values(a.weight))
    const d = new Linear(20, 8, { seed: 1 })
    expect(values(d.weight)).not.toEqual(values(a.weight))
    for (const m of [a, b, c, d]) m.dispose()
  })

  it('keeps every weight inside U(-1/sqrt(in), 1/sqrt(in))', () => {
    const fc = new Linear(300, 50, { seed: 5 })
    const bound = 1 / Math.sqrt(300)
    for (const t of [fc.weight, fc.bias!]) {
      const v = values(t)
      expect(Math.max(...v)).toBeLessThanOrEqual(bound)
      expect(Math.min(...v)).toBeGreaterThanOrEqual(-bound)
      expect(Math.max(...v)).toBeGreaterThan(bound * 0.9)
    }
    fc.dispose()
  })

  it('can drop the bias', () => {
    const fc = new Linear(4, 2, { bias: false, seed: 0 })
    expect(fc.bias).toBeNull()
    expect(fc.namedParameters().map(([k]) => k)).toEqual(['weight'])
    expect(fc.toString()).toBe('Linear(in_features=4, out_features=2, bias=False)')
    fc.dispose()
  })

  it('validates its sizes', () => {
    expect(() => new Linear(0, 3)).toThrowError(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: 'Linear: in_features must be an integer >= 1, got 0',
      }),
    )
    expect(() => new Linear(3, 2.5)).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
  })
})

describe('Linear forward', () => {
  it('computes x W^T + b on the last dimension of any rank', () => {
    const fc = new Linear(3, 2, { seed: 0 })
    tf.tidy(() => {
      fc.weight.assign(
        tf.tensor2d([
          [1, 2, 3],
          [0, -1, 1],
        ]),
      )
      fc.bias!.assign(tf.tensor1d([0.5, -0.5]))
    })
    const x = tf.tensor3d([[[1, 1, 1]], [[2, 0, -1]]])
    const y = fc.call(x)
    expect(y.shape).toEqual([2, 1, 2])
    expect(values(y)).toEqual([6.5, -0.5, -0.5, -1.5])
    tf.dispose([x, y])
    fc.dispose()
  })

  it("throws the graph's LINEAR_SHAPE_MISMATCH with PyTorch's message and the Flatten fix", () => {
    const fc = new Linear(784, 128, { seed: 0 })
    const images = tf.zeros([64, 1, 28, 28])
    const before = liveTensors()
    expect(() => fc.call(images)).toThrowError(
      expect.objectContaining({
        name: 'ShapeError',
        code: 'LINEAR_SHAPE_MISMATCH',
        message: expect.stringMatching(
          /^mat1 and mat2 shapes cannot be multiplied \(1792x28 and 784x128\)/,
        ),
        fix: expect.objectContaining({ kind: 'insertBefore', type: 'Flatten' }),
      }),
    )
    expect(liveTensors()).toBe(before)
    const flat = tf.zeros([64, 784])
    const small = new Linear(700, 128, { seed: 0 })
    expect(() => small.call(flat)).toThrowError(
      expect.objectContaining({
        code: 'LINEAR_SHAPE_MISMATCH',
        message: expect.stringMatching(
          /^mat1 and mat2 shapes cannot be multiplied \(64x784 and 700x128\)/,
        ),
        fix: expect.objectContaining({ kind: 'setParam', param: 'inFeatures', value: 784 }),
      }),
    )
    tf.dispose([images, flat])
    fc.dispose()
    small.dispose()
  })

  it('reports its params and output shape like the graph node', () => {
    const fc = new Linear(784, 128, { bias: false, seed: 0 })
    expect(fc.layerType).toBe('Linear')
    expect(fc.params).toEqual({ inFeatures: 784, outFeatures: 128, bias: false })
    expect(fc.outputShape([64, 784])).toEqual([64, 128])
    fc.dispose()
  })
})
