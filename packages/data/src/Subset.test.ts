import * as tf from '@tensorflow/tfjs-core'
import { createGenerator } from '@tensorloom/random'
import { beforeAll, describe, expect, it } from 'vitest'
import { makeSplit, useCpuBackend } from '../test/helpers.js'
import { DataLoader } from './DataLoader.js'
import { MNIST } from './datasets/MNIST.js'
import { OptionError } from './errors.js'
import fixture from './fixtures/ownData.json'
import { randomSplit, Subset, splitLengths } from './Subset.js'
import { TensorDataset } from './TensorDataset.js'
import { ToTensor } from './transforms/ToTensor.js'

beforeAll(useCpuBackend)

const range = (n: number) => ({ length: n, get: (i: number) => i })

describe('randomSplit', () => {
  it.each(
    fixture.randomSplit.map(
      (c) => [`${c.n} samples, ${JSON.stringify(c.lengths)}, seed ${c.seed}`, c] as const,
    ),
  )('equals torch.utils.data.random_split: %s', (_, c) => {
    const subsets = randomSplit(range(c.n), c.lengths, createGenerator(c.seed))
    expect(subsets.map((s) => s.length)).toEqual(c.sizes)
    subsets.forEach((s, k) => {
      expect(Array.from(s.indices.subarray(0, 20))).toEqual(c.heads[k])
      let sum = 0
      s.indices.forEach((v, i) => {
        sum += (i + 1) * v
      })
      expect(sum).toBe(c.weightedSums[k])
      if (c.indices[k]) expect(Array.from(s.indices)).toEqual(c.indices[k])
      if (s.length > 0) expect(s.get(0)).toBe(s.indices[0])
    })
  })

  it('hands the remainder out round-robin and checks the lengths', () => {
    expect(splitLengths(1001, [0.8, 0.2])).toEqual([801, 200])
    expect(splitLengths(7, [0.5, 0.5])).toEqual([4, 3])
    expect(splitLengths(10, [3, 7])).toEqual([3, 7])
    expect(() => splitLengths(10, [3, 6])).toThrow(
      /add up to the dataset's length, 10 \(they add up to 9\)/,
    )
    expect(() => splitLengths(10, [1.5, -0.5])).toThrow(OptionError)
    expect(() => splitLengths(10, [])).toThrow(/option lengths/)
    // A seed works as well as a generator, and the same seed gives the same split.
    const a = randomSplit(range(50), [0.5, 0.5], 9)
    const b = randomSplit(range(50), [0.5, 0.5], createGenerator(9))
    expect(a[0]!.indices).toEqual(b[0]!.indices)
  })
})

describe('TensorDataset and Subset', () => {
  it('holds rows and targets; classification labels batch as int32, regression as float32', async () => {
    const xs = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1])
    const ds = new TensorDataset(xs, new Int32Array([0, 1, 1, 0]), {
      shape: [2],
      classes: ['a', 'b'],
    })
    expect(ds.length).toBe(4)
    expect(ds.task).toBe('classification')
    const [x, y] = ds.get(2)
    expect(Array.from(x.dataSync())).toEqual([1, 0])
    expect(y).toBe(1)
    x.dispose()
    const loader = new DataLoader(ds, { batchSize: 3 })
    expect(loader.path).toBe('dataset')
    const before = tf.memory().numTensors
    const batches = []
    for await (const [xb, yb] of loader) {
      batches.push([xb.shape, yb.dtype, Array.from(yb.dataSync())])
      tf.dispose([xb, yb])
    }
    expect(tf.memory().numTensors).toBe(before)
    expect(batches).toEqual([
      [[3, 2], 'int32', [0, 1, 1]],
      [[1, 2], 'int32', [0]],
    ])
    const reg = new TensorDataset([[1], [2]], [0.5, 1.5])
    expect(reg.task).toBe('regression')
    const [xr, yr] = reg.getBatch(Int32Array.from([1, 0]))
    expect(yr.dtype).toBe('float32')
    expect(Array.from(yr.dataSync())).toEqual([1.5, 0.5])
    tf.dispose([xr, yr])
  })

  it('takes tensors, and reports features and targets that do not fit', () => {
    const features = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2])
    const targets = tf.tensor1d([0, 1, 2], 'int32')
    const ds = new TensorDataset(features, targets)
    expect(ds.shape).toEqual([2])
    expect(ds.task).toBe('classification')
    tf.dispose([features, targets])
    expect(ds.get(1)[1]).toBe(1)
    expect(() => new TensorDataset(new Float32Array(5), new Int32Array(2), { shape: [2] })).toThrow(
      /TensorDataset/,
    )
    expect(() => ds.get(3)).toThrow(/out of range/)
    expect(() => new TensorDataset('x' as never, [1])).toThrow(/option features/)
  })

  it('a Subset of a tensor-backed dataset or a TensorDataset keeps the batched path', async () => {
    const { pixels, labels } = makeSplit(10, 4, 3)
    const mnist = new MNIST({
      data: pixels,
      targets: labels,
      shape: [10, 4, 3],
      train: true,
      transform: new ToTensor(),
    })
    const [a] = randomSplit(mnist, [0.6, 0.4], 1)
    const loader = new DataLoader(a!, { batchSize: 4 })
    expect(loader.path).toBe('dataset')
    for await (const [x, y] of loader) {
      expect(x.shape.slice(1)).toEqual([1, 4, 3])
      const first = a!.get(0)
      if (x.shape[0] === 4) {
        expect(Array.from(x.dataSync().subarray(0, 12))).toEqual(
          Array.from((first[0] as tf.Tensor).dataSync()),
        )
        expect(y.dataSync()[0]).toBe(first[1])
      }
      tf.dispose([x, y, first[0] as tf.Tensor])
      break
    }
    const plain = new Subset(range(5), [4, 2])
    expect(plain.get(1)).toBe(2)
    expect(plain.getBatch).toBeUndefined()
    expect(() => new Subset(range(5), [5])).toThrow(/out of range/)
  })
})
