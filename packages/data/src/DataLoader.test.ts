import * as tf from '@tensorflow/tfjs-core'
import { createGenerator, Generator, type RandomSource } from '@tensorloom/random'
import { beforeAll, describe, expect, it } from 'vitest'
import { makeSplit, useCpuBackend } from '../test/helpers.js'
import { type Batch, DataLoader, type DataLoaderOptions } from './DataLoader.js'
import type { Dataset, RawImage } from './Dataset.js'
import { MNIST } from './datasets/MNIST.js'
import { type DataError, OptionError, TransformError } from './errors.js'
import fixture from './fixtures/torchvision.json'
import { Compose } from './transforms/Compose.js'
import { Lambda } from './transforms/Lambda.js'
import { Normalize } from './transforms/Normalize.js'
import { ToTensor } from './transforms/ToTensor.js'

beforeAll(useCpuBackend)

const H = 4
const W = 3

function tiny<TImage = RawImage, TTarget = number>(
  count: number,
  transforms: {
    transform?: MNIST<TImage, TTarget>['transform']
    targetTransform?: MNIST<TImage, TTarget>['targetTransform']
  } = {},
) {
  const { pixels, labels } = makeSplit(count, H, W)
  return new MNIST<TImage, TTarget>({
    data: pixels,
    targets: labels,
    shape: [count, H, W],
    train: true,
    ...transforms,
  })
}

/** A dataset whose sample i is image [i] and label i, to see which indices a batch holds. */
const indexDataset = (n: number): Dataset<[tf.Tensor, number]> => ({
  length: n,
  get: (i) => [tf.tensor1d([i]), i],
})

async function collect(
  loader: DataLoader<RandomSource>,
): Promise<{ shapes: number[][]; labels: number[] }> {
  const shapes: number[][] = []
  const labels: number[] = []
  for await (const [images, y] of loader) {
    shapes.push(images.shape)
    labels.push(...(await y.data()))
    tf.dispose([images, y])
  }
  return { shapes, labels }
}

function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    return `${(error as DataError).name}:${(error as DataError).code}`
  }
  return 'no error'
}

describe('DataLoader', () => {
  it('counts batches like PyTorch: ceil, or floor with dropLast', () => {
    for (const [n, b, dropLast, expected] of [
      [10, 3, false, 4],
      [10, 3, true, 3],
      [9, 3, false, 3],
      [9, 3, true, 3],
      [2, 5, false, 1],
      [2, 5, true, 0],
      [0, 4, false, 0],
    ] as const) {
      const loader = new DataLoader(indexDataset(n), { batchSize: b, dropLast })
      expect(loader.length, `n=${n} b=${b} dropLast=${dropLast}`).toBe(expected)
      expect([...loader.batchSampler].length).toBe(expected)
    }
    expect(new DataLoader(indexDataset(7)).length).toBe(7)
  })

  it('yields images [B, 1, H, W] float32 and labels [B] int32, the last batch smaller', async () => {
    const dataset = tiny(10, { transform: new ToTensor() })
    const loader = new DataLoader(dataset, { batchSize: 4 })
    const shapes: number[][] = []
    for await (const [images, labels] of loader) {
      expect(images.dtype).toBe('float32')
      expect(labels.dtype).toBe('int32')
      shapes.push(images.shape, labels.shape)
      tf.dispose([images, labels])
    }
    expect(shapes).toEqual([[4, 1, H, W], [4], [4, 1, H, W], [4], [2, 1, H, W], [2]])
    dataset.dispose()
  })

  it('keeps file order without shuffle', async () => {
    const dataset = tiny(10)
    const { labels } = await collect(new DataLoader(dataset, { batchSize: 3 }))
    expect(labels).toEqual(Array.from(dataset.targets))
    dataset.dispose()
  })

  it('shuffles every index exactly once per epoch, with a new order each epoch', async () => {
    const loader = new DataLoader(indexDataset(50), { batchSize: 8, shuffle: true, seed: 1 })
    const first = (await collect(loader)).labels
    const second = (await collect(loader)).labels
    expect([...first].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect([...second].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(first).not.toEqual(second)
  })

  it("gives PyTorch's batches for DataLoader(shuffle=True, generator=manual_seed(seed))", () => {
    for (const c of fixture.generator.loaderEpochs) {
      const loader = new DataLoader(indexDataset(c.n), {
        batchSize: c.batchSize,
        shuffle: true,
        seed: c.seed,
      })
      for (const epoch of c.epochs) {
        const order = [...loader.batchSampler].flatMap((b) => Array.from(b))
        expect(order.slice(0, 100), `seed ${c.seed} n ${c.n}`).toEqual(epoch.head)
        expect(order.reduce((sum, v, i) => sum + (i + 1) * v, 0)).toBe(epoch.weightedSum)
      }
    }
  })

  it('repeats the same epochs for the same seed, and resumes from a saved generator state', async () => {
    const a = new DataLoader(indexDataset(30), { batchSize: 7, shuffle: true, seed: 9 })
    const b = new DataLoader(indexDataset(30), { batchSize: 7, shuffle: true, seed: 9 })
    expect((await collect(a)).labels).toEqual((await collect(b)).labels)

    const generator = createGenerator(5)
    const loader = new DataLoader(indexDataset(30), { batchSize: 7, shuffle: true, generator })
    await collect(loader)
    const checkpoint = JSON.parse(JSON.stringify(generator.getState()))
    const epoch2 = (await collect(loader)).labels
    const epoch3 = (await collect(loader)).labels

    const resumed = new DataLoader(indexDataset(30), {
      batchSize: 7,
      shuffle: true,
      generator: createGenerator(0).setState(checkpoint),
    })
    expect((await collect(resumed)).labels).toEqual(epoch2)
    expect((await collect(resumed)).labels).toEqual(epoch3)
    expect(loader.generator).toBe(generator)
  })

  it('accepts any source of 32-bit random numbers as generator', async () => {
    let k = 0
    const counter: RandomSource = { nextUint32: () => k++ }
    const loader = new DataLoader(indexDataset(4), {
      batchSize: 4,
      shuffle: true,
      generator: counter,
    })
    // two draws for the worker base seed, then randperm with draws 2, 3, 4
    expect((await collect(loader)).labels).toEqual([2, 1, 0, 3])
  })

  it('builds the same batches on every path (resident, host, per-sample)', async () => {
    const transform = new Compose([new ToTensor(), new Normalize([0.4], [0.3])])
    const targetTransform = new Lambda(
      (y: number) => y * 2,
      (y) => tf.mul(y, 2),
    )
    const batched = tiny(13, { transform, targetTransform })
    const unbatched = tiny(13, {
      transform: (image: RawImage) => transform.apply(image),
      targetTransform,
    })
    const options = { batchSize: 5, shuffle: true, seed: 3 } as const
    const loaders = [
      new DataLoader(batched, { ...options, resident: true }),
      new DataLoader(batched, { ...options, resident: false }),
      new DataLoader(unbatched, options),
    ]
    expect(loaders.map((l) => l.path)).toEqual(['resident', 'host', 'per-sample'])
    const results = await Promise.all(
      loaders.map(async (loader) => {
        const out: { images: number[]; labels: number[]; shape: number[] }[] = []
        for await (const [images, labels] of loader) {
          out.push({
            images: Array.from(await images.data()),
            labels: Array.from(await labels.data()),
            shape: images.shape,
          })
          tf.dispose([images, labels])
        }
        return out
      }),
    )
    expect(results[1]).toEqual(results[0])
    expect(results[2]).toHaveLength(results[0]!.length)
    results[2]!.forEach((batch, i) => {
      expect(batch.shape).toEqual(results[0]![i]!.shape)
      expect(batch.labels).toEqual(results[0]![i]!.labels)
      batch.images.forEach((v, j) => {
        expect(v).toBeCloseTo(results[0]![i]!.images[j]!, 6)
      })
    })
    batched.dispose()
  })

  it('batches raw images as int32 pixels when there is no transform', async () => {
    const dataset = tiny(6)
    for (const resident of [true, false]) {
      const loader = new DataLoader(dataset, { batchSize: 6, resident })
      for await (const [images, labels] of loader) {
        expect(images.dtype).toBe('int32')
        expect(images.shape).toEqual([6, H, W])
        expect(Array.from(await images.data())).toEqual(Array.from(dataset.data))
        tf.dispose([images, labels])
      }
    }
    dataset.dispose()
  })

  it('gathers on the CPU for CPU-memory backends and keeps the dataset on GPU backends', async () => {
    const dataset = tiny(4, { transform: new ToTensor() })
    const auto = new DataLoader(dataset)
    expect(tf.getBackend()).toBe('cpu')
    expect(auto.path).toBe('host')
    const { MathBackendCPU } = await import('@tensorflow/tfjs-backend-cpu')
    tf.registerBackend('webgl', () => new MathBackendCPU(), -1)
    try {
      expect(await tf.setBackend('webgl')).toBe(true)
      expect(auto.path).toBe('resident')
      expect(new DataLoader(dataset, { resident: false }).path).toBe('host')
    } finally {
      await tf.setBackend('cpu')
      tf.removeBackend('webgl')
    }
    expect(new DataLoader(dataset, { resident: true }).path).toBe('resident')
  })

  it('leaks no tensors on the host path', async () => {
    const dataset = tiny(40, {
      transform: new Compose([new ToTensor(), new Normalize([0.5], [0.2])]),
    })
    const before = tf.memory().numTensors
    const loader = new DataLoader(dataset, {
      batchSize: 6,
      shuffle: true,
      seed: 1,
      resident: false,
    })
    for await (const batch of loader) {
      expect(tf.memory().numTensors).toBe(before + 2)
      tf.dispose(batch)
    }
    expect(tf.memory().numTensors).toBe(before)
  })

  it('leaks no tensors: batches are the caller’s, the device copy is the dataset’s', async () => {
    const dataset = tiny(40, {
      transform: new Compose([new ToTensor(), new Normalize([0.5], [0.2])]),
    })
    const before = tf.memory().numTensors
    const loader = new DataLoader(dataset, { batchSize: 6, shuffle: true, seed: 1, resident: true })
    for (let epoch = 0; epoch < 2; epoch++) {
      for await (const batch of loader) {
        expect(tf.memory().numTensors).toBe(before + 2 + 2)
        tf.dispose(batch)
      }
    }
    expect(tf.memory().numTensors).toBe(before + 2)
    dataset.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })

  it('leaks nothing when the loop stops early or a sample fails', async () => {
    const dataset = tiny(40, { transform: new ToTensor() })
    const perSample = new DataLoader(
      { length: 10, get: (i: number) => [tf.zeros([2]), i] as const },
      { batchSize: 4 },
    )
    const before = tf.memory().numTensors
    for await (const batch of perSample) {
      tf.dispose(batch)
      break
    }
    expect(tf.memory().numTensors).toBe(before)

    let calls = 0
    const failing = new DataLoader(
      {
        length: 10,
        get: (i: number) => {
          if (++calls === 3) throw new Error('bad sample')
          return [tf.zeros([2]), i] as const
        },
      },
      { batchSize: 4 },
    )
    await expect(collect(failing)).rejects.toThrow('bad sample')
    expect(tf.memory().numTensors).toBe(before)
    dataset.dispose()
  })

  it('collates numbers and tensors from any dataset, and rejects what it cannot stack', async () => {
    const loader = new DataLoader(
      { length: 3, get: (i: number) => [i * 0.5, i] as const },
      { batchSize: 3 },
    )
    for await (const [x, y] of loader) {
      expect(x.dtype).toBe('float32')
      expect(Array.from(await x.data())).toEqual([0, 0.5, 1])
      expect(y.dtype).toBe('int32')
      tf.dispose([x, y])
    }
    const bad = new DataLoader(
      { length: 2, get: (i: number) => [i === 0 ? tf.zeros([1]) : 'oops', i] as const },
      { batchSize: 2 },
    )
    const before = tf.memory().numTensors
    const error = await collect(bad).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TransformError)
    expect((error as TransformError).code).toBe('COLLATE_UNSUPPORTED')
    expect((error as Error).message).toMatch(/image of sample 1: got a string/)
    expect(tf.memory().numTensors).toBe(before)
  })

  it('rejects bad options, naming the option and the value', () => {
    const data = indexDataset(4)
    const cases: [DataLoaderOptions & Record<string, unknown>, RegExp][] = [
      [{ batchSize: 0 }, /option batchSize must be a positive integer, but got 0/],
      [{ batchSize: -1 }, /batchSize .* got -1/],
      [{ batchSize: 2.5 }, /batchSize .* got 2.5/],
      [{ batchSize: Number.NaN }, /batchSize .* got NaN/],
      [{ batchSize: '64' as never }, /batchSize .* got "64"/],
      [{ shuffle: 'yes' as never }, /option shuffle must be true or false/],
      [{ dropLast: 1 as never }, /option dropLast/],
      [{ resident: 'yes' as never }, /option resident must be true, false or 'auto'/],
      [{ resident: 'yes' as never }, /option resident must be true, false or 'auto'/],
      [{ seed: 1.5 }, /option seed must be an integer/],
      [{ generator: {} as never }, /option generator/],
      [{ seed: 1, generator: new Generator() }, /pass one of seed or generator/],
      [{ batch_size: 64 }, /unknown option "batch_size". Did you mean batchSize\?/],
      [{ drop_last: true }, /Did you mean dropLast\?/],
    ]
    for (const [options, message] of cases) {
      expect(() => new DataLoader(data, options)).toThrow(OptionError)
      expect(() => new DataLoader(data, options)).toThrow(message)
    }
    expect(codeOf(() => new DataLoader(data, { batchSize: 0 }))).toBe('OptionError:INVALID_OPTION')
    expect(codeOf(() => new DataLoader(data, { batch_size: 1 } as never))).toBe(
      'OptionError:UNKNOWN_OPTION',
    )
    expect(codeOf(() => new DataLoader([1, 2, 3] as never))).toBe('OptionError:INVALID_OPTION')
  })

  it('batches of a finished epoch stay valid while the next epoch runs', async () => {
    const dataset = tiny(8, { transform: new ToTensor() })
    const loader = new DataLoader(dataset, { batchSize: 8 })
    const kept: Batch[] = []
    for await (const batch of loader) kept.push(batch)
    for await (const batch of loader) kept.push(batch)
    expect(Array.from(await kept[0]![0].data())).toEqual(Array.from(await kept[1]![0].data()))
    tf.dispose(kept)
    dataset.dispose()
  })
})
