/**
 * How many bytes each batch moves between JavaScript and the tfjs backend. Counting bytes instead
 * of timing catches a batch path that uploads or reads back the whole dataset for every batch —
 * e.g. a wasm `slice` of the resident copy, which first copies the whole source tensor off the
 * wasm heap — and a default that uploads the dataset where gathering on the CPU is cheaper.
 */
import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { DataLoader, type DataLoaderOptions } from '../src/DataLoader.js'
import { MNIST } from '../src/datasets/MNIST.js'
import { Compose } from '../src/transforms/Compose.js'
import { Normalize } from '../src/transforms/Normalize.js'
import { ToTensor } from '../src/transforms/ToTensor.js'
import { makeSplit, useCpuBackend, useWasmBackend } from './helpers.js'

const COUNT = 2500
const PIXELS = 28 * 28
/** What one batch of `b` samples must upload: int32 pixels and int32 labels. */
const batchBytes = (b: number) => b * PIXELS * 4 + b * 4
/** Room for the scalars the transforms create (ToTensor's 255, Normalize's mean and std). */
const SCALAR_BYTES = 64

interface BatchTransfers {
  size: number
  /** Bytes handed to the backend as tensor values while the batch was built. */
  uploaded: number
  /** Bytes read back from the backend while the batch was built. */
  readBack: number
}

const bytesOf = (value: unknown) => (ArrayBuffer.isView(value) ? value.byteLength : 0)

/** Runs one epoch of `loader`, counting the bytes each batch moves in and out of the backend. */
async function epochTransfers(loader: DataLoader): Promise<BatchTransfers[]> {
  const backend = tf.backend()
  const write = vi.spyOn(backend, 'write')
  const readSync = vi.spyOn(backend, 'readSync')
  const out: BatchTransfers[] = []
  try {
    const batches = loader[Symbol.asyncIterator]()
    for (;;) {
      write.mockClear()
      readSync.mockClear()
      const next = await batches.next()
      if (next.done) break
      out.push({
        size: next.value[1].shape[0]!,
        uploaded: write.mock.calls.reduce((sum, [values]) => sum + bytesOf(values), 0),
        readBack: readSync.mock.results.reduce((sum, r) => sum + bytesOf(r.value), 0),
      })
      tf.dispose(next.value)
    }
  } finally {
    write.mockRestore()
    readSync.mockRestore()
  }
  return out
}

function mnistLike(): MNIST<tf.Tensor> {
  const { pixels, labels } = makeSplit(COUNT, 28, 28)
  const transform = new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])])
  return new MNIST<tf.Tensor>({
    data: pixels,
    targets: labels,
    shape: [COUNT, 28, 28],
    train: false,
    transform,
  })
}

const epochs = [
  ['unshuffled', { batchSize: 1000 }],
  ['shuffled', { batchSize: 1000, shuffle: true, seed: 1 }],
] as const

// On wasm, tensors live on the wasm heap: `write` is an upload and `readSync` a copy back to
// JavaScript. (The cpu backend stores every op's output through `write`, so bytes say nothing there.)
describe('DataLoader transfers on the wasm backend', () => {
  let dataset: MNIST<tf.Tensor>

  beforeAll(async () => {
    await useWasmBackend()
    dataset = mnistLike()
  })

  afterAll(() => dataset?.dispose())

  it.each(epochs)(
    'by default (%s) uploads just each batch and reads nothing back',
    async (_, options) => {
      const toTensors = vi.spyOn(dataset, 'toTensors')
      try {
        const loader = new DataLoader(dataset, options as DataLoaderOptions)
        expect(loader.path).toBe('host')
        const batches = await epochTransfers(loader)
        expect(batches.map((b) => b.size)).toEqual([1000, 1000, 500])
        for (const b of batches) {
          expect(b.readBack).toBe(0)
          expect(b.uploaded).toBeGreaterThanOrEqual(batchBytes(b.size))
          expect(b.uploaded).toBeLessThanOrEqual(batchBytes(b.size) + SCALAR_BYTES)
        }
        // No device copy of the whole dataset is made where gathering on the CPU is cheaper.
        expect(toTensors).not.toHaveBeenCalled()
      } finally {
        toTensors.mockRestore()
      }
    },
  )

  it('with resident: true uploads the dataset once, then moves only indices', async () => {
    dataset.dispose()
    const loader = new DataLoader(dataset, { batchSize: 1000, resident: true })
    expect(loader.path).toBe('resident')
    const [first, ...rest] = await epochTransfers(loader)
    const datasetBytes = COUNT * PIXELS * 4 + COUNT * 4
    expect(first!.uploaded).toBeGreaterThanOrEqual(datasetBytes)
    expect(first!.uploaded).toBeLessThanOrEqual(datasetBytes + 1000 * 4 + SCALAR_BYTES)
    const later = [...rest, ...(await epochTransfers(loader))]
    expect(later.map((b) => b.size)).toEqual([1000, 500, 1000, 1000, 500])
    for (const b of later) {
      // The batch's int32 indices, uploaded once and read by each of the two gathers at most.
      expect(b.uploaded).toBeLessThanOrEqual(b.size * 4 + SCALAR_BYTES)
      expect(b.readBack).toBeLessThanOrEqual(2 * b.size * 4)
    }
  })
})

describe('DataLoader on the cpu backend', () => {
  it.each(epochs)(
    'by default (%s) gathers on the CPU, never uploading the dataset',
    async (_, options) => {
      await useCpuBackend()
      const dataset = mnistLike()
      const toTensors = vi.spyOn(dataset, 'toTensors')
      const loader = new DataLoader(dataset, options as DataLoaderOptions)
      expect(loader.path).toBe('host')
      let batches = 0
      for await (const batch of loader) {
        batches++
        tf.dispose(batch)
      }
      expect(batches).toBe(3)
      expect(toTensors).not.toHaveBeenCalled()
    },
  )
})
