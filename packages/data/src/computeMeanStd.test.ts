import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { makeSplit, useCpuBackend } from '../test/helpers.js'
import { computeMeanStd } from './computeMeanStd.js'
import { MNIST } from './datasets/MNIST.js'
import { OptionError, TransformError } from './errors.js'
import { Compose } from './transforms/Compose.js'
import { Normalize } from './transforms/Normalize.js'
import { ToTensor } from './transforms/ToTensor.js'

beforeAll(useCpuBackend)

function reference(values: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0
  for (let i = 0; i < values.length; i++) sum += values[i]!
  const mean = sum / values.length
  let squares = 0
  for (let i = 0; i < values.length; i++) squares += (values[i]! - mean) ** 2
  return { mean, std: Math.sqrt(squares / (values.length - 1)) }
}

describe('computeMeanStd', () => {
  const { pixels, labels } = makeSplit(50, 6, 5, 7)
  const dataset = <T>(transform?: MNIST<T>['transform']) =>
    new MNIST<T>({ data: pixels, targets: labels, shape: [50, 6, 5], train: true, transform })

  it('gives the mean and (unbiased) std of every pixel after ToTensor', async () => {
    const expected = reference(Array.from(pixels, (p) => p / 255))
    for (const batchSize of [1, 7, 1000]) {
      const { mean, std } = await computeMeanStd(dataset(new ToTensor()), { batchSize })
      expect(mean[0]).toBeCloseTo(expected.mean, 7)
      expect(std[0]).toBeCloseTo(expected.std, 7)
    }
  })

  it('gives mean 0 and std 1 after normalizing with those numbers', async () => {
    const { mean, std } = await computeMeanStd(dataset(new ToTensor()))
    const normalized = dataset(new Compose([new ToTensor(), new Normalize(mean, std)]))
    const after = await computeMeanStd(normalized)
    expect(after.mean[0]).toBeCloseTo(0, 6)
    expect(after.std[0]).toBeCloseTo(1, 6)
  })

  it('works on raw pixels too, and per channel on any dataset of [C, H, W] images', async () => {
    const raw = await computeMeanStd(dataset())
    expect(raw.mean[0]).toBeCloseTo(reference(pixels).mean, 6)

    const channels = [0, 1, 2].map((c) =>
      Array.from({ length: 8 * 4 }, (_, i) => c * 10 + ((i * 7) % 5)),
    )
    const rgb = {
      length: 8,
      get: (i: number) => {
        const values = channels.flatMap((ch) => ch.slice(i * 4, (i + 1) * 4))
        return [tf.tensor3d(values, [3, 2, 2]), 0] as const
      },
    }
    const { mean, std } = await computeMeanStd(rgb, { batchSize: 3 })
    channels.forEach((values, c) => {
      expect(mean[c]).toBeCloseTo(reference(values).mean, 6)
      expect(std[c]).toBeCloseTo(reference(values).std, 6)
    })
  })

  it('leaks no tensors', async () => {
    const data = dataset(new ToTensor())
    const before = tf.memory().numTensors
    await computeMeanStd(data)
    data.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })

  it('rejects images it cannot reduce and bad options', async () => {
    const flat = { length: 2, get: () => [tf.zeros([4]), 0] as const }
    await expect(computeMeanStd(flat)).rejects.toThrow(TransformError)
    await expect(computeMeanStd(dataset(), { batchSize: 0 })).rejects.toThrow(OptionError)
    await expect(computeMeanStd(dataset(), { batch_size: 2 } as never)).rejects.toThrow(/batchSize/)
  })

  it('returns empty lists for an empty dataset', async () => {
    expect(await computeMeanStd({ length: 0, get: () => [0, 0] as const })).toEqual({
      mean: [],
      std: [],
    })
  })
})
