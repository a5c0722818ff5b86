import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { liveTensors } from '../test/helpers'
import { Conv2d } from './Conv2d'
import { MaxPool2d } from './MaxPool2d'

describe('Conv2d', () => {
  it('convolves NCHW input into NCHW output with PyTorch shapes', () => {
    const conv = new Conv2d(1, 32, 3, { seed: 0 })
    const x = tf.zeros([4, 1, 28, 28])
    const before = liveTensors()
    const y = conv.call(x)
    expect(y.shape).toEqual([4, 32, 26, 26])
    expect(liveTensors()).toBe(before + 1)
    expect(conv.outputShape([4, 1, 28, 28])).toEqual([4, 32, 26, 26])
    tf.dispose([x, y])
    conv.dispose()
  })

  it('sums a known kernel correctly (channel order, padding, stride)', () => {
    const conv = new Conv2d(2, 1, 2, { stride: 2, padding: 1, bias: false, seed: 0 })
    // channel 0 kernel picks the top-left pixel, channel 1 kernel the bottom-right one.
    tf.tidy(() =>
      conv.weight.assign(
        tf.tensor4d([
          [
            [
              [1, 0],
              [0, 0],
            ],
            [
              [0, 0],
              [0, 10],
            ],
          ],
        ]),
      ),
    )
    const x = tf.tensor4d([
      [
        [
          [1, 2],
          [3, 4],
        ],
        [
          [5, 6],
          [7, 8],
        ],
      ],
    ]) // [1, 2, 2, 2]
    const y = conv.call(x)
    // padded input is 4x4; windows at (0,0), (0,2), (2,0), (2,2): 10 * 5, 0, 0, 4
    expect(y.shape).toEqual([1, 1, 2, 2])
    expect(Array.from(y.dataSync())).toEqual([50, 0, 0, 4])
    tf.dispose([x, y])
    conv.dispose()
  })

  it("throws the graph's CONV2D_CHANNEL_MISMATCH with PyTorch's message", () => {
    const conv = new Conv2d(3, 32, 3, { seed: 0 })
    const x = tf.zeros([64, 1, 28, 28])
    expect(() => conv.call(x)).toThrowError(
      expect.objectContaining({
        name: 'ShapeError',
        code: 'CONV2D_CHANNEL_MISMATCH',
        message: expect.stringMatching(
          /^Given groups=1, weight of size \[32, 3, 3, 3\], expected input\[64, 1, 28, 28\] to have 3 channels, but got 1 channels instead/,
        ),
      }),
    )
    x.dispose()
    conv.dispose()
  })

  it('prints like PyTorch and reports graph params', () => {
    const conv = new Conv2d(8, 16, 5, { stride: 2, padding: 2, bias: false, seed: 0 })
    expect(conv.toString()).toBe(
      'Conv2d(8, 16, kernel_size=(5, 5), stride=(2, 2), padding=(2, 2), bias=False)',
    )
    expect(conv.params).toEqual({
      inChannels: 8,
      outChannels: 16,
      kernelSize: 5,
      stride: 2,
      padding: 2,
      bias: false,
    })
    expect(conv.namedParameters().map(([k, v]) => [k, v.shape])).toEqual([
      ['weight', [16, 8, 5, 5]],
    ])
    conv.dispose()
  })
})

describe('MaxPool2d', () => {
  it('pools each channel separately, stride defaulting to the kernel size', () => {
    const pool = new MaxPool2d(2)
    expect(pool.stride).toBe(2)
    expect(pool.params).toEqual({ kernelSize: 2, stride: null })
    const x = tf.tensor4d([
      [
        [
          [1, 2, 3, 4],
          [5, 6, 7, 8],
        ],
        [
          [-1, -2, -3, -4],
          [-5, -6, -7, -8],
        ],
      ],
    ])
    const y = pool.call(x)
    expect(y.shape).toEqual([1, 2, 1, 2])
    expect(Array.from(y.dataSync())).toEqual([6, 8, -1, -3])
    tf.dispose([x, y])
  })

  it("throws the graph's MAXPOOL2D_OUTPUT_TOO_SMALL when the window does not fit", () => {
    const pool = new MaxPool2d(5, { stride: 1 })
    expect(pool.toString()).toBe(
      'MaxPool2d(kernel_size=5, stride=1, padding=0, dilation=1, ceil_mode=False)',
    )
    const x = tf.zeros([1, 1, 4, 4])
    expect(() => pool.call(x)).toThrowError(
      expect.objectContaining({ name: 'ShapeError', code: 'MAXPOOL2D_OUTPUT_TOO_SMALL' }),
    )
    x.dispose()
  })
})
