import { open } from 'node:fs/promises'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { mnistDataDir, useCpuBackend } from '../../test/helpers.js'
import { TransformError } from '../errors.js'
import fixture from '../fixtures/torchvision.json'
import { ToTensor } from './ToTensor.js'

beforeAll(useCpuBackend)

async function firstMnistImage(): Promise<Uint8Array> {
  const file = await open(join(mnistDataDir(), 'train-images-idx3-ubyte'))
  try {
    const out = new Uint8Array(784)
    await file.read(out, 0, 784, 16)
    return out
  } finally {
    await file.close()
  }
}

describe('ToTensor', () => {
  const toTensor = new ToTensor()

  it("gives exactly torchvision's ToTensor output for the first MNIST image", async () => {
    const image = toTensor.apply({ data: await firstMnistImage(), shape: [28, 28] })
    expect(image.shape).toEqual([1, 28, 28])
    expect(image.dtype).toBe('float32')
    expect(Array.from(image.dataSync())).toEqual(fixture.mnist.trainImage0ToTensor)
    image.dispose()
  })

  it('turns HWC into CHW, scaled to [0, 1]', () => {
    // 2x2 image with 3 channels: pixel p has channels (p, 100 + p, 200 + p)
    const data = Uint8Array.from([0, 100, 200, 1, 101, 201, 2, 102, 202, 3, 103, 203])
    const image = toTensor.apply({ data, shape: [2, 2, 3] })
    expect(image.shape).toEqual([3, 2, 2])
    const expected = [0, 1, 2, 3, 100, 101, 102, 103, 200, 201, 202, 203].map((v) =>
      Math.fround(v / 255),
    )
    expect(Array.from(image.dataSync())).toEqual(expected)
    image.dispose()
  })

  it('accepts pixel tensors [H, W] and [H, W, C] and gives the same as raw images', () => {
    const data = Uint8Array.from({ length: 12 }, (_, i) => i * 20)
    for (const shape of [
      [4, 3],
      [2, 2, 3],
    ] as const) {
      const fromRaw = toTensor.apply({ data, shape })
      const pixels = tf.tensor(data, [...shape], 'int32')
      const fromTensor = toTensor.apply(pixels)
      expect(fromTensor.shape).toEqual(fromRaw.shape)
      expect(Array.from(fromTensor.dataSync())).toEqual(Array.from(fromRaw.dataSync()))
      tf.dispose([fromRaw, pixels, fromTensor])
    }
  })

  it('transforms a batch [B, H, W] / [B, H, W, C] into [B, C, H, W] like each sample', () => {
    const data = Uint8Array.from({ length: 2 * 12 }, (_, i) => (i * 37) % 256)
    for (const sample of [
      [4, 3],
      [2, 2, 3],
    ] as const) {
      const batch = tf.tensor(data, [2, ...sample], 'int32')
      const out = toTensor.applyBatch(batch)
      const [c, h, w] = sample.length === 2 ? [1, ...sample] : [sample[2], sample[0], sample[1]]
      expect(out.shape).toEqual([2, c, h, w])
      for (let b = 0; b < 2; b++) {
        const one = toTensor.apply({ data: data.subarray(b * 12, (b + 1) * 12), shape: sample })
        const row = tf.slice(out, b, 1)
        expect(Array.from(row.dataSync())).toEqual(Array.from(one.dataSync()))
        tf.dispose([one, row])
      }
      tf.dispose([batch, out])
    }
  })

  it('leaves no tensors behind besides its output', () => {
    const pixels = tf.zeros([5, 4, 4], 'int32')
    const before = tf.memory().numTensors
    const out = toTensor.applyBatch(pixels)
    expect(tf.memory().numTensors).toBe(before + 1)
    tf.dispose([pixels, out])
  })

  it('rejects input it cannot read, saying what it got', () => {
    const bad: unknown[] = [
      { data: new Uint8Array(5), shape: [2, 3] },
      { data: [1, 2], shape: [1, 2] },
      { data: new Uint8Array(4), shape: [4] },
      42,
      null,
    ]
    for (const input of bad) {
      expect(() => toTensor.apply(input as never)).toThrow(TransformError)
    }
    const vector = tf.zeros([3])
    expect(() => toTensor.apply(vector)).toThrow(/got a float32 tensor of shape \[3\]/)
    expect(() => toTensor.applyBatch(vector)).toThrow(/\[B, H, W\]/)
    vector.dispose()
  })
})
