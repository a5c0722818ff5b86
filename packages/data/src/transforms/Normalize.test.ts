import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { useCpuBackend } from '../../test/helpers.js'
import { type DataError, OptionError, TransformError } from '../errors.js'
import fixture from '../fixtures/torchvision.json'
import { Normalize } from './Normalize.js'

beforeAll(useCpuBackend)

function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    return (error as DataError).code
  }
  return 'no error'
}

describe('Normalize', () => {
  it("matches torchvision's Normalize per channel", () => {
    const { input, shape, mean, std, output } = fixture.normalize
    const x = tf.tensor(input, shape, 'float32')
    const y = new Normalize(mean, std).apply(x)
    expect(y.shape).toEqual(shape)
    const actual = Array.from(y.dataSync())
    for (const [i, v] of actual.entries()) expect(v).toBeCloseTo(output[i]!, 6)
    tf.dispose([x, y])
  })

  it("gives torchvision's normalized first MNIST image", () => {
    const m = fixture.mnist
    const x = tf.tensor(m.trainImage0ToTensor, [1, 28, 28], 'float32')
    const y = new Normalize([0.1307], [0.3081]).apply(x)
    for (const [i, v] of y.dataSync().entries()) {
      expect(v).toBeCloseTo(m.trainImage0Normalized[i]!, 5)
    }
    tf.dispose([x, y])
  })

  it('normalizes a batch [B, C, H, W] like each sample, in one go', () => {
    const normalize = new Normalize([0.5, 0.25], [0.5, 2])
    const batch = tf.tensor4d(
      Array.from({ length: 3 * 2 * 2 * 2 }, (_, i) => i / 10),
      [3, 2, 2, 2],
    )
    const out = normalize.applyBatch(batch)
    expect(out.shape).toEqual([3, 2, 2, 2])
    const values = out.arraySync() as number[][][][]
    const inputs = batch.arraySync() as number[][][][]
    expect(values[2]![1]![0]![1]).toBeCloseTo((inputs[2]![1]![0]![1]! - 0.25) / 2, 6)
    expect(values[1]![0]![1]![1]).toBeCloseTo((inputs[1]![0]![1]![1]! - 0.5) / 0.5, 6)
    tf.dispose([batch, out])
  })

  it('applies a single mean/std to every channel', () => {
    const x = tf.fill([3, 1, 2], 1)
    const y = new Normalize([0.5], [0.25]).apply(x)
    expect(Array.from(y.dataSync())).toEqual([2, 2, 2, 2, 2, 2])
    tf.dispose([x, y])
  })

  it('rejects a std of 0, naming the channel', () => {
    expect(() => new Normalize([0.1, 0.2], [0.3, 0])).toThrow(TransformError)
    try {
      new Normalize([0.1, 0.2], [0.3, 0])
    } catch (error) {
      expect((error as TransformError).code).toBe('NORMALIZE_STD_ZERO')
      expect((error as TransformError).details).toMatchObject({ channel: 1, std: [0.3, 0] })
      expect((error as Error).message).toMatch(/std = \[0.3, 0\], channel 1/)
    }
    expect(codeOf(() => new Normalize([0], [1e-50]))).toBe('NORMALIZE_STD_ZERO')
  })

  it('rejects mean and std of different lengths, and non-numbers', () => {
    expect(codeOf(() => new Normalize([0.1, 0.2], [0.3]))).toBe('NORMALIZE_LENGTH_MISMATCH')
    expect(() => new Normalize([], [])).toThrow(OptionError)
    expect(() => new Normalize([Number.NaN], [1])).toThrow(/option mean/)
    expect(() => new Normalize(0.1307 as never, [0.3081])).toThrow(/option mean/)
  })

  it('rejects an image whose channel count does not match mean/std', () => {
    const normalize = new Normalize([0.1, 0.2], [0.3, 0.4])
    const x = tf.zeros([3, 2, 2])
    expect(codeOf(() => normalize.apply(x))).toBe('CHANNEL_MISMATCH')
    expect(() => normalize.apply(x)).toThrow(
      /3 channels \(shape \[3, 2, 2\]\), but mean\/std have 2 values/,
    )
    const batch = tf.zeros([4, 1, 2, 2])
    expect(codeOf(() => normalize.applyBatch(batch))).toBe('CHANNEL_MISMATCH')
    tf.dispose([x, batch])
  })

  it('asks for ToTensor first when given raw pixels', () => {
    const pixels = tf.zeros([1, 28, 28], 'int32')
    const normalize = new Normalize([0.1307], [0.3081])
    expect(codeOf(() => normalize.apply(pixels))).toBe('TRANSFORM_BAD_INPUT')
    expect(() => normalize.apply(pixels)).toThrow(/Put ToTensor before Normalize/)
    expect(() => normalize.apply({ data: new Uint8Array(4), shape: [2, 2] } as never)).toThrow(
      /Put ToTensor before Normalize/,
    )
    const flat = tf.zeros([28, 28])
    expect(codeOf(() => normalize.apply(flat))).toBe('TRANSFORM_BAD_INPUT')
    tf.dispose([pixels, flat])
  })
})
