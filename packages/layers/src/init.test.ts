import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { liveTensors } from '../test/helpers'
import { createLayer } from './createLayer'
import rng from './fixtures/rng.json'
import { Generator } from './Generator'
import { calculateFanInAndFanOut, calculateGain, init, kaimingUniformBound } from './init'

describe('torch.nn.init equivalents', () => {
  it("computes fans and gains like PyTorch's helpers", () => {
    expect(calculateFanInAndFanOut([32, 3, 5, 5])).toEqual({ fanIn: 75, fanOut: 800 })
    expect(() => calculateFanInAndFanOut([4])).toThrowError(
      expect.objectContaining({
        message: 'Fan in and fan out can not be computed for tensor with fewer than 2 dimensions',
      }),
    )
    expect(calculateGain('relu')).toBe(Math.SQRT2)
    expect(calculateGain('tanh')).toBe(5 / 3)
    expect(calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 15)
    // a = sqrt(5) gives 1/sqrt(fan_in), up to rounding
    expect(kaimingUniformBound([128, 784], { a: Math.sqrt(5) })).toBeCloseTo(1 / 28, 15)
    expect(kaimingUniformBound([4, 0])).toBe(0)
  })

  it('uniform_ draws what torch uniform_ draws, in place and without leaks', () => {
    const v = tf.variable(tf.zeros([10]))
    const before = liveTensors()
    init.uniform_(v, 0, 1, new Generator(0))
    expect(liveTensors()).toBe(before)
    expect(Array.from(v.dataSync())).toEqual(rng.uniform_seed0.data)
    init.ones_(v)
    expect(Array.from(v.dataSync())).toEqual(new Array(10).fill(1))
    init.zeros_(v)
    expect(Array.from(v.dataSync())).toEqual(new Array(10).fill(0))
    init.constant_(v, 2.5)
    expect(Array.from(v.dataSync())).toEqual(new Array(10).fill(2.5))
    v.dispose()
  })

  it('kaimingUniform_ with a = sqrt(5) reproduces the Linear default init', () => {
    const w = tf.variable(tf.zeros([8, 20]))
    init.kaimingUniform_(w, { a: Math.sqrt(5), generator: new Generator(0) })
    expect(Array.from(w.dataSync())).toEqual(rng.linear_20_8_seed0.weight.data)
    w.dispose()
  })
})

describe('createLayer', () => {
  it('builds each layer from graph params and rejects unknown types', () => {
    const conv = createLayer('Conv2d', {
      inChannels: 1,
      outChannels: 4,
      kernelSize: 3,
      stride: 2,
      padding: 1,
      bias: false,
    })
    expect(conv.params).toEqual({
      inChannels: 1,
      outChannels: 4,
      kernelSize: 3,
      stride: 2,
      padding: 1,
      bias: false,
    })
    expect(
      createLayer('BatchNorm1d', { numFeatures: 5, eps: 0.001, momentum: 0.2 }).params,
    ).toEqual({
      numFeatures: 5,
      eps: 0.001,
      momentum: 0.2,
    })
    expect(createLayer('Dropout', { p: 0.3 }).p).toBe(0.3)
    expect(() => createLayer('Conv3d' as 'ReLU', {})).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'Unknown layer type "Conv3d"' }),
    )
    conv.dispose()
  })
})
