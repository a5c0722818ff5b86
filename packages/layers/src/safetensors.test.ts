import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { type FixtureTensor, liveTensors } from '../test/helpers'
import { BatchNorm1d } from './BatchNorm1d'
import fixtures from './fixtures/safetensors.json'
import { Linear } from './Linear'
import { Sequential } from './Sequential'
import {
  decodeSafetensors,
  encodeSafetensors,
  loadSafetensors,
  parseSafetensorsHeader,
  saveSafetensors,
  saveSafetensorsAsync,
} from './safetensors'

const files = fixtures.files as Record<
  string,
  { base64: string; expected: Record<string, FixtureTensor> }
>
const bytesOf = (name: string) => new Uint8Array(Buffer.from(files[name]!.base64, 'base64'))
const model = () => new Sequential(new Linear(3, 2, { seed: 0 }), new BatchNorm1d(2))

function headerBytes(header: unknown, data: Uint8Array = new Uint8Array()): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header))
  const out = new Uint8Array(8 + json.length + data.length)
  new DataView(out.buffer).setUint32(0, json.length, true)
  out.set(json, 8)
  out.set(data, 8 + json.length)
  return out
}

describe('reading safetensors written by PyTorch', () => {
  it.each(Object.keys(files))('decodes %s to the values PyTorch wrote', (name) => {
    const before = liveTensors()
    const { tensors, metadata } = decodeSafetensors(bytesOf(name))
    const expected = files[name]!.expected
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(expected).sort())
    for (const [k, fx] of Object.entries(expected)) {
      const t = tensors[k]!
      expect(t.shape, k).toEqual(fx.shape)
      expect(Array.from(t.dataSync()), k).toEqual(
        fx.data.map((v) => (typeof v === 'boolean' ? Number(v) : v)),
      )
    }
    expect(metadata).toEqual(name === 'mixed' ? null : { format: 'pt' })
    tf.dispose(Object.values(tensors))
    expect(liveTensors()).toBe(before)
  })

  it.each(['F32', 'F64', 'F16', 'BF16'])('loads a PyTorch %s state dict into a module', (name) => {
    const m = model()
    const before = liveTensors()
    expect(loadSafetensors(m, bytesOf(name))).toEqual({ missingKeys: [], unexpectedKeys: [] })
    expect(liveTensors()).toBe(before)
    for (const [k, fx] of Object.entries(files[name]!.expected)) {
      expect(Array.from(m.stateDict()[k]!.dataSync()), k).toEqual(fx.data)
    }
    expect(m.stateDict()['1.num_batches_tracked']!.dtype).toBe('int32')
    m.dispose()
  })
})

describe('writing safetensors', () => {
  it('round-trips a module with PyTorch keys, F32 floats and I64 counters', () => {
    const a = model()
    const x = tf.randomNormal([4, 3])
    a.call(x).dispose() // moves the BatchNorm buffers
    const bytes = saveSafetensors(a, { metadata: { epoch: '3' } })
    const header = parseSafetensorsHeader(bytes)
    expect(header.metadata).toEqual({ format: 'pt', epoch: '3' })
    expect(Object.keys(header.tensors)).toEqual(Object.keys(a.stateDict()))
    expect(header.tensors['0.weight']).toMatchObject({ dtype: 'F32', shape: [2, 3] })
    expect(header.tensors['1.num_batches_tracked']).toEqual({
      dtype: 'I64',
      shape: [],
      data_offsets: [0, 8],
    })
    expect((header.dataStart - 8) % 8).toBe(0)
    const b = new Sequential(new Linear(3, 2, { seed: 9 }), new BatchNorm1d(2))
    loadSafetensors(b, bytes)
    for (const [k, v] of Object.entries(a.stateDict())) {
      expect(Array.from(b.stateDict()[k]!.dataSync()), k).toEqual(Array.from(v.dataSync()))
    }
    tf.dispose(x)
    a.dispose()
    b.dispose()
  })

  it('writes the same bytes asynchronously', async () => {
    const m = model()
    expect(await saveSafetensorsAsync(m)).toEqual(saveSafetensors(m))
    m.dispose()
  })

  it('encodes int32 as I32 on request, bool as BOOL, and negative I64 correctly', () => {
    const tensors = {
      n: tf.tensor1d([-5, 7], 'int32'),
      b: tf.tensor1d([1, 0, 1], 'bool'),
    }
    const i32 = decodeSafetensors(encodeSafetensors(tensors, { intDtype: 'I32' }))
    const i64 = decodeSafetensors(encodeSafetensors(tensors))
    expect(
      parseSafetensorsHeader(encodeSafetensors(tensors, { intDtype: 'I32' })).tensors.n!.dtype,
    ).toBe('I32')
    for (const out of [i32, i64]) {
      expect(Array.from(out.tensors.n!.dataSync())).toEqual([-5, 7])
      expect(out.tensors.b!.dtype).toBe('bool')
      expect(Array.from(out.tensors.b!.dataSync())).toEqual([1, 0, 1])
    }
    tf.dispose([
      ...Object.values(tensors),
      ...Object.values(i32.tensors),
      ...Object.values(i64.tensors),
    ])
  })

  it('rejects non-string metadata', () => {
    const t = { a: tf.zeros([1]) }
    expect(() => encodeSafetensors(t, { metadata: { n: 3 as unknown as string } })).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    tf.dispose(t.a)
  })
})

describe('invalid files', () => {
  const entry = { dtype: 'F32', shape: [2], data_offsets: [0, 8] }
  it.each([
    ['too short', new Uint8Array(4), /too short/],
    [
      'header larger than the file',
      headerBytes({ __metadata__: { a: 'b' } }).subarray(0, 12),
      /exceeds the file size/,
    ],
    [
      'not JSON',
      (() => {
        const b = headerBytes({ a: 1 })
        b[8] = 0x7b
        b[9] = 0x7b
        return b
      })(),
      /not UTF-8 JSON/,
    ],
    [
      'wrong byte count',
      headerBytes({ a: { ...entry, data_offsets: [0, 4] } }, new Uint8Array(4)),
      /needs 8 bytes/,
    ],
    [
      'trailing bytes',
      headerBytes({ a: entry }, new Uint8Array(12)),
      /cover 8 bytes of data but the file has 12/,
    ],
    ['overlap', headerBytes({ a: entry, b: entry }, new Uint8Array(16)), /gap or overlap/],
    ['bad metadata', headerBytes({ __metadata__: { a: 1 } }), /must be a string/],
  ])('%s', (_, bytes, message) => {
    expect(() => decodeSafetensors(bytes)).toThrowError(
      expect.objectContaining({
        code: 'SAFETENSORS_INVALID',
        message: expect.stringMatching(message),
      }),
    )
  })

  it('names unsupported dtypes and integers that do not fit int32', () => {
    expect(() =>
      decodeSafetensors(
        headerBytes(
          { a: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } },
          new Uint8Array(1),
        ),
      ),
    ).toThrowError(expect.objectContaining({ code: 'SAFETENSORS_UNSUPPORTED_DTYPE' }))
    const big = new Uint8Array(8)
    new DataView(big.buffer).setBigInt64(0, 2n ** 40n, true)
    const before = liveTensors()
    expect(() =>
      decodeSafetensors(
        headerBytes(
          {
            ok: { dtype: 'U8', shape: [0], data_offsets: [0, 0] },
            a: { dtype: 'I64', shape: [1], data_offsets: [0, 8] },
          },
          big,
        ),
      ),
    ).toThrowError(
      expect.objectContaining({
        code: 'SAFETENSORS_UNSUPPORTED_DTYPE',
        message: expect.stringContaining('1099511627776'),
      }),
    )
    expect(liveTensors()).toBe(before)
  })

  it('reports state-dict mismatches with PyTorch wording and leaves no tensor behind', () => {
    const m = new Sequential(new Linear(3, 4, { seed: 0 }))
    const before = liveTensors()
    expect(() => loadSafetensors(m, bytesOf('F32'))).toThrowError(
      expect.objectContaining({
        code: 'STATE_DICT_MISMATCH',
        message: expect.stringContaining(
          'size mismatch for 0.weight: copying a param with shape torch.Size([2, 3]) from checkpoint, the shape in current model is torch.Size([4, 3]).',
        ),
      }),
    )
    expect(liveTensors()).toBe(before)
    m.dispose()
  })
})
