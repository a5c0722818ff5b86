import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { expectValuesCloseTo, liveTensors } from '../test/helpers'
import { Flatten } from './Flatten'
import { logSoftmax, softmax } from './functional'
import { LogSoftmax } from './LogSoftmax'
import { ReLU } from './ReLU'
import { Sigmoid } from './Sigmoid'
import { Softmax } from './Softmax'
import { Tanh } from './Tanh'

describe('Softmax / LogSoftmax', () => {
  it('normalise along the requested dim, including non-last dims', () => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 9],
    ])
    const rows = tf.sum(softmax(x, 1), 1)
    const cols = tf.sum(softmax(x, 0), 0)
    expectValuesCloseTo(rows.dataSync(), [1, 1, 1], 6)
    expectValuesCloseTo(cols.dataSync(), [1, 1], 6)
    const ls = logSoftmax(x, 0)
    const expected = tf.log(softmax(x, 0))
    expectValuesCloseTo(ls.dataSync(), expected.dataSync(), 5)
    tf.dispose([x, rows, cols, ls, expected])
  })

  it("throws the graph's DIM_OUT_OF_RANGE with PyTorch's message", () => {
    const x = tf.zeros([64, 10])
    for (const layer of [new Softmax(2), new LogSoftmax(2)]) {
      expect(() => layer.call(x)).toThrowError(
        expect.objectContaining({
          code: 'DIM_OUT_OF_RANGE',
          message: expect.stringMatching(
            /^Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)/,
          ),
        }),
      )
    }
    x.dispose()
  })

  it('print like PyTorch', () => {
    expect(new Softmax(1).toString()).toBe('Softmax(dim=1)')
    expect(new LogSoftmax(-1).toString()).toBe('LogSoftmax(dim=-1)')
  })
})

describe('Flatten', () => {
  it("throws the graph's errors for bad dims", () => {
    const x = tf.zeros([2, 3])
    expect(() => new Flatten({ startDim: 1, endDim: 0 }).call(x)).toThrowError(
      expect.objectContaining({ code: 'FLATTEN_INVALID_DIMS' }),
    )
    expect(() => new Flatten({ startDim: 5 }).call(x)).toThrowError(
      expect.objectContaining({ code: 'DIM_OUT_OF_RANGE' }),
    )
    x.dispose()
  })
})

describe('element-wise activations', () => {
  it.each([
    ['ReLU', new ReLU(), [0, 0, 0, 2]],
    ['Sigmoid', new Sigmoid(), [1 / (1 + Math.E ** 3), 0.2689414, 0.5, 0.8807971]],
    ['Tanh', new Tanh(), [Math.tanh(-3), Math.tanh(-1), 0, Math.tanh(2)]],
  ] as const)('%s prints and computes like PyTorch without leaking', (name, layer, expected) => {
    expect(layer.toString()).toBe(`${name}()`)
    const x = tf.tensor1d([-3, -1, 0, 2])
    const before = liveTensors()
    const y = layer.call(x)
    expect(liveTensors()).toBe(before + 1)
    expectValuesCloseTo(y.dataSync(), expected, 6)
    tf.dispose([x, y])
  })
})
