import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { fromFixture, liveTensors } from '../test/helpers'
import { Dropout } from './Dropout'
import rng from './fixtures/rng.json'
import { Generator, manualSeed } from './Generator'

const values = (t: tf.Tensor) => Array.from(t.dataSync())

describe('Dropout', () => {
  it.skipIf(rng.mkl)("draws PyTorch's masks after the same manual seed (CPU, no MKL)", () => {
    manualSeed(rng.dropout.seed)
    const d = new Dropout(rng.dropout.p)
    const x = fromFixture(rng.dropout.input)
    const first = d.call(x)
    const second = d.call(x)
    expect(values(first)).toEqual(rng.dropout.first.data)
    expect(values(second)).toEqual(rng.dropout.second.data)
    manualSeed(rng.dropout_half.seed)
    const ones = tf.ones([2, 3, 5])
    const half = new Dropout(0.5).call(ones)
    expect(values(half)).toEqual(rng.dropout_half.output.data)
    tf.dispose([x, first, second, ones, half])
  })

  it('zeroes about p of the elements and scales the rest by 1/(1-p)', () => {
    const d = new Dropout(0.25, { seed: 1 })
    const x = tf.ones([100, 100])
    const y = d.call(x)
    const v = values(y)
    const zeros = v.filter((e) => e === 0).length
    expect(zeros / v.length).toBeGreaterThan(0.22)
    expect(zeros / v.length).toBeLessThan(0.28)
    expect(new Set(v.filter((e) => e !== 0))).toEqual(new Set([Math.fround(1 / 0.75)]))
    tf.dispose([x, y])
  })

  it('passes the input through (as a new tensor) in eval mode and for p = 0', () => {
    const x = tf.tensor([1, 2, 3])
    const d = new Dropout(0.9, { seed: 0 }).eval()
    const y = d.call(x)
    expect(y).not.toBe(x)
    expect(values(y)).toEqual([1, 2, 3])
    const z = new Dropout(0).call(x)
    expect(values(z)).toEqual([1, 2, 3])
    const w = new Dropout(1).call(x)
    expect(values(w)).toEqual([0, 0, 0])
    tf.dispose([x, y, z, w])
  })

  it('is deterministic per seed and keeps its own stream', () => {
    const x = tf.ones([4, 8])
    const a = new Dropout(0.5, { seed: 3 })
    const b = new Dropout(0.5, { generator: new Generator(3) })
    const ya = a.call(x)
    const yb = b.call(x)
    expect(values(ya)).toEqual(values(yb))
    const ya2 = a.call(x)
    expect(values(ya2)).not.toEqual(values(ya))
    tf.dispose([x, ya, yb, ya2])
  })

  it('leaks no tensor in training mode', () => {
    const d = new Dropout(0.5, { seed: 0 })
    const x = tf.ones([8, 8])
    const before = liveTensors()
    for (let i = 0; i < 3; i++) d.call(x).dispose()
    expect(liveTensors()).toBe(before)
    x.dispose()
  })

  it('rejects probabilities outside [0, 1] with PyTorch wording', () => {
    expect(() => new Dropout(1.5)).toThrowError(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: 'dropout probability has to be between 0 and 1, but got 1.5',
      }),
    )
  })
})
