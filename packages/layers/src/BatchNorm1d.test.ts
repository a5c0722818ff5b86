import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { expectValuesCloseTo, liveTensors } from '../test/helpers'
import { BatchNorm1d } from './BatchNorm1d'

const values = (t: tf.Tensor) => Array.from(t.dataSync())

describe('BatchNorm1d', () => {
  it('keeps weight/bias as parameters and running stats as buffers with PyTorch keys', () => {
    const bn = new BatchNorm1d(3)
    expect(bn.namedParameters().map(([k]) => k)).toEqual(['weight', 'bias'])
    expect(bn.namedBuffers().map(([k, v]) => [k, v.dtype])).toEqual([
      ['running_mean', 'float32'],
      ['running_var', 'float32'],
      ['num_batches_tracked', 'int32'],
    ])
    expect(values(bn.runningVar!)).toEqual([1, 1, 1])
    bn.dispose()
  })

  it('updates running stats only in training mode, then normalises with them in eval', () => {
    const bn = new BatchNorm1d(1, { momentum: 0.5 })
    const x = tf.tensor2d([[1], [3]]) // mean 2, biased var 1, unbiased var 2
    const y = bn.call(x)
    expect(values(y).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([-1, 1])
    expect(values(bn.runningMean!)).toEqual([1]) // 0.5 * 0 + 0.5 * 2
    expect(values(bn.runningVar!)).toEqual([1.5]) // 0.5 * 1 + 0.5 * 2
    expect(values(bn.numBatchesTracked!)).toEqual([1])
    bn.eval()
    const z = bn.call(x)
    const expected = [0, 2].map((d) => d / Math.sqrt(1.5 + 1e-5))
    expectValuesCloseTo(values(z), expected, 5)
    expect(values(bn.numBatchesTracked!)).toEqual([1])
    tf.dispose([x, y, z])
    bn.dispose()
  })

  it('leaks nothing across training steps (buffers are updated in place)', () => {
    const bn = new BatchNorm1d(4)
    const x = tf.randomNormal([8, 4])
    bn.call(x).dispose()
    const before = liveTensors()
    for (let i = 0; i < 3; i++) bn.call(x).dispose()
    expect(liveTensors()).toBe(before)
    x.dispose()
    bn.dispose()
  })

  it("refuses a batch of one in training mode with PyTorch's message", () => {
    const bn = new BatchNorm1d(128)
    const x = tf.zeros([1, 128])
    expect(() => bn.call(x)).toThrowError(
      expect.objectContaining({
        name: 'ShapeError',
        code: 'BATCHNORM_BATCH_OF_ONE',
        message:
          'Expected more than 1 value per channel when training, got input size torch.Size([1, 128])',
      }),
    )
    bn.eval()
    const y = bn.call(x)
    expect(y.shape).toEqual([1, 128])
    tf.dispose([x, y])
    bn.dispose()
  })

  it("throws the graph's BATCHNORM_FEATURE_MISMATCH with PyTorch's message", () => {
    const bn = new BatchNorm1d(128)
    const x = tf.zeros([64, 784])
    expect(() => bn.call(x)).toThrowError(
      expect.objectContaining({
        code: 'BATCHNORM_FEATURE_MISMATCH',
        message: expect.stringMatching(/^running_mean should contain 784 elements not 128/),
      }),
    )
    x.dispose()
    bn.dispose()
  })

  it('without running stats always uses batch statistics and has no buffers', () => {
    const bn = new BatchNorm1d(2, { trackRunningStats: false, affine: false }).eval()
    expect(bn.namedBuffers()).toEqual([])
    expect(bn.parameters()).toEqual([])
    expect(Object.keys(bn.stateDict())).toEqual([])
    const x = tf.tensor2d([
      [0, 10],
      [2, 20],
    ])
    const y = bn.call(x)
    expectValuesCloseTo(values(y), [-1, -1, 1, 1], 3)
    tf.dispose([x, y])
  })

  it('validates its arguments', () => {
    expect(() => new BatchNorm1d(0)).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    expect(() => new BatchNorm1d(3, { momentum: 2 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
  })
})
