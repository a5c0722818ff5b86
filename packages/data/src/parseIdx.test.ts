import { gzipSync as zlibGzip } from 'node:zlib'
import { gzipSync as fflateGzip } from 'fflate'
import { describe, expect, it } from 'vitest'
import { encodeIdx, type TestDtype } from '../test/helpers.js'
import { IdxError, OptionError } from './errors.js'
import fixture from './fixtures/torchvision.json'
import { parseIdx } from './parseIdx.js'

const CASES: { dtype: TestDtype; shape: number[]; values: number[]; array: unknown }[] = [
  { dtype: 'uint8', shape: [2, 3], values: [0, 1, 127, 128, 254, 255], array: Uint8Array },
  { dtype: 'int8', shape: [3, 2], values: [-128, -1, 0, 1, 126, 127], array: Int8Array },
  { dtype: 'int16', shape: [6], values: [-32768, -2, 0, 258, 4660, 32767], array: Int16Array },
  {
    dtype: 'int32',
    shape: [1, 2, 3],
    values: [-2147483648, -65536, 0, 16909060, 305419896, 2147483647],
    array: Int32Array,
  },
  {
    dtype: 'float32',
    shape: [2, 1, 3],
    values: [-1.5, -0, 0, Math.fround(0.1), Number.POSITIVE_INFINITY, Number.NaN],
    array: Float32Array,
  },
  {
    dtype: 'float64',
    shape: [3, 2],
    values: [-2.5, 0.1, 1e-300, Number.MAX_VALUE, Math.PI, Number.NEGATIVE_INFINITY],
    array: Float64Array,
  },
]

describe('parseIdx', () => {
  for (const { dtype, shape, values, array } of CASES) {
    it(`decodes ${dtype} big-endian at rank ${shape.length}`, () => {
      const parsed = parseIdx(encodeIdx(dtype, shape, values))
      expect(parsed.dtype).toBe(dtype)
      expect(parsed.shape).toEqual(shape)
      expect(parsed.data).toBeInstanceOf(array)
      expect(Array.from(parsed.data)).toEqual(values)
    })
  }

  it('reads multi-byte values big-endian (0x0102 is 258, not 513)', () => {
    const bytes = new Uint8Array([0, 0, 0x0b, 1, 0, 0, 0, 1, 0x01, 0x02])
    expect(Array.from(parseIdx(bytes).data)).toEqual([258])
  })

  it('handles rank 0 (one scalar), rank 4 and empty dimensions', () => {
    expect(parseIdx(encodeIdx('int32', [], [-7]))).toMatchObject({ shape: [] })
    expect(Array.from(parseIdx(encodeIdx('int32', [], [-7])).data)).toEqual([-7])
    const rank4 = Array.from({ length: 2 * 3 * 1 * 2 }, (_, i) => i - 5)
    expect(Array.from(parseIdx(encodeIdx('int16', [2, 3, 1, 2], rank4)).data)).toEqual(rank4)
    const empty = parseIdx(encodeIdx('float32', [0, 28, 28], []))
    expect(empty.shape).toEqual([0, 28, 28])
    expect(empty.data.length).toBe(0)
  })

  it('accepts an ArrayBuffer and an offset view', () => {
    const bytes = encodeIdx('int16', [2], [1, -1])
    expect(Array.from(parseIdx(bytes.slice().buffer).data)).toEqual([1, -1])
    const padded = new Uint8Array(bytes.length + 3)
    padded.set(bytes, 3)
    expect(Array.from(parseIdx(padded.subarray(3)).data)).toEqual([1, -1])
  })

  it('matches the fixture decoded by torchvision (1-byte types) and numpy (the rest)', () => {
    expect(fixture.idx.map((c) => c.code)).toEqual([0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e])
    for (const c of fixture.idx) {
      const parsed = parseIdx(Buffer.from(c.bytes, 'base64'))
      expect(parsed.shape).toEqual(c.shape)
      expect(Array.from(parsed.data)).toEqual(c.values)
    }
  })

  it('inflates gzip input detected by its magic bytes (zlib and fflate, with a file name)', () => {
    const plain = encodeIdx('int32', [3, 2], [1, -2, 3, -4, 5, -6])
    for (const gz of [zlibGzip(plain), fflateGzip(plain, { filename: 'x-idx2-int', mtime: 0 })]) {
      expect(gz[0]).toBe(0x1f)
      const parsed = parseIdx(gz)
      expect(parsed.shape).toEqual([3, 2])
      expect(Array.from(parsed.data)).toEqual([1, -2, 3, -4, 5, -6])
    }
  })

  it('names the file and the sizes in errors', () => {
    const bytes = encodeIdx('int16', [2, 3], [1, 2, 3, 4, 5, 6]).subarray(0, 20)
    const error = catchIdx(() => parseIdx(bytes, { fileName: 'data/x-idx2-short' }))
    expect(error.code).toBe('IDX_TRUNCATED')
    expect(error.file).toBe('data/x-idx2-short')
    expect(error.details).toMatchObject({ section: 'data', expectedBytes: 12, actualBytes: 8 })
    expect(error.message).toContain('data/x-idx2-short')
    expect(error.message).toContain('needs 12 bytes (shape [2, 3] of int16), has 8 bytes')
    expect(error.hint).toMatch(/download it again/)
  })

  it('reports every truncation point of a plain file as IDX_TRUNCATED in the right section', () => {
    const bytes = encodeIdx('int16', [2, 3], [1, 2, 3, 4, 5, 6])
    for (let n = 0; n < bytes.length; n++) {
      const error = catchIdx(() => parseIdx(bytes.subarray(0, n), { fileName: 'f' }))
      expect(error.code, `cut at ${n}`).toBe('IDX_TRUNCATED')
      const section = n < 4 ? 'header' : n < 12 ? 'dimensions' : 'data'
      expect(error.details, `cut at ${n}`).toMatchObject({
        section,
        actualBytes: section === 'data' ? n - 12 : n,
      })
    }
  })

  it('reports every truncation point of a gzip file as an IdxError', () => {
    const gz = zlibGzip(
      encodeIdx(
        'uint8',
        [4, 5],
        Array.from({ length: 20 }, (_, i) => i * 3),
      ),
    )
    for (let n = 0; n < gz.length; n++) {
      const error = catchIdx(() => parseIdx(gz.subarray(0, n), { fileName: 'f.gz' }))
      expect(['IDX_BAD_GZIP', 'IDX_TRUNCATED', 'IDX_BAD_MAGIC'], `cut at ${n}`).toContain(
        error.code,
      )
      if (n >= 2) expect(error.code, `cut at ${n}`).toBe('IDX_BAD_GZIP')
    }
  })

  it('rejects every single-bit flip in the header with the matching error', () => {
    const bytes = encodeIdx('int16', [2, 3], [1, 2, 3, 4, 5, 6])
    for (let byte = 0; byte < 12; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const flipped = bytes.slice()
        flipped[byte]! ^= 1 << bit
        const error = catchIdx(() => parseIdx(flipped))
        const expected =
          byte < 2
            ? ['IDX_BAD_MAGIC']
            : byte === 2
              ? ['IDX_UNKNOWN_DTYPE', 'IDX_SIZE_MISMATCH', 'IDX_TRUNCATED']
              : ['IDX_TRUNCATED', 'IDX_SIZE_MISMATCH']
        expect(expected, `byte ${byte} bit ${bit}`).toContain(error.code)
      }
    }
  })

  it('reports a wrong magic number with the bytes found', () => {
    const error = catchIdx(() => parseIdx(new TextEncoder().encode('<html>'), { fileName: 'p' }))
    expect(error.code).toBe('IDX_BAD_MAGIC')
    expect(error.details).toMatchObject({ magic: [0x3c, 0x68, 0x74, 0x6d] })
    expect(error.message).toContain('0x3c 0x68 0x74 0x6d')
  })

  it('reports an unknown data type with its code', () => {
    const error = catchIdx(() => parseIdx(new Uint8Array([0, 0, 0x0a, 1, 0, 0, 0, 0])))
    expect(error.code).toBe('IDX_UNKNOWN_DTYPE')
    expect(error.details).toMatchObject({ dtypeCode: 0x0a })
    expect(error.message).toContain('0x0a')
  })

  it('reports trailing bytes as a size mismatch with both byte counts', () => {
    const bytes = new Uint8Array([...encodeIdx('int32', [2], [1, 2]), 9, 9])
    const error = catchIdx(() => parseIdx(bytes))
    expect(error.code).toBe('IDX_SIZE_MISMATCH')
    expect(error.details).toMatchObject({
      shape: [2],
      dtype: 'int32',
      expectedBytes: 8,
      actualBytes: 10,
    })
  })

  it('stops inflating gzip input once it passes the size its header declares', () => {
    const plain = new Uint8Array([...encodeIdx('int32', [2], [1, 2]), 9, 9])
    const error = catchIdx(() => parseIdx(zlibGzip(plain), { fileName: 'x.gz' }))
    expect(error.code).toBe('IDX_GZIP_TOO_LARGE')
    expect(error.details).toEqual({
      file: 'x.gz',
      limit: 'header',
      limitBytes: 16,
      compressedBytes: zlibGzip(plain).length,
      declaredBytes: 16,
      shape: [2],
      dtype: 'int32',
    })
    expect(error.message).toContain(
      'inflates to more than the 16 bytes its IDX header declares (shape [2] of int32',
    )
    expect(error.hint).toMatch(/gzip bomb/)
  })

  it('reports gzip input that inflates to less than its header declares as IDX_TRUNCATED', () => {
    const plain = encodeIdx('int32', [3], [1, 2, 3]).subarray(0, 18)
    const error = catchIdx(() => parseIdx(zlibGzip(plain)))
    expect(error.code).toBe('IDX_TRUNCATED')
    expect(error.details).toMatchObject({ section: 'data', expectedBytes: 12, actualBytes: 10 })
  })

  it('rejects gzip input whose header declares more than maxInflatedBytes, naming both', () => {
    const plain = encodeIdx('uint8', [10, 10], new Uint8Array(100))
    const gz = zlibGzip(plain)
    const error = catchIdx(() => parseIdx(gz, { fileName: 'x.gz', maxInflatedBytes: 100 }))
    expect(error.code).toBe('IDX_GZIP_TOO_LARGE')
    expect(error.details).toMatchObject({
      limit: 'maxInflatedBytes',
      limitBytes: 100,
      declaredBytes: 112,
      shape: [10, 10],
    })
    expect(error.message).toContain('declares 112 bytes (shape [10, 10] of uint8 with its header)')
    expect(error.hint).toContain('{ maxInflatedBytes: 112 }')
    expect(parseIdx(gz, { maxInflatedBytes: 112 }).shape).toEqual([10, 10])
  })

  it('calls a header that declares more bytes than any file can hold corrupt', () => {
    const header = encodeIdx('float64', [2 ** 32 - 1, 2 ** 32 - 1], [])
    const error = catchIdx(() => parseIdx(zlibGzip(header)))
    expect(error.details).toMatchObject({ limit: 'maxInflatedBytes', limitBytes: 2 ** 30 })
    expect(error.hint).toMatch(/^No file is that large: it is corrupt or a gzip bomb/)
  })

  it('applies maxInflatedBytes before the header is complete', () => {
    const gz = zlibGzip(encodeIdx('uint8', [1, 1, 1], [7]))
    const error = catchIdx(() => parseIdx(gz, { maxInflatedBytes: 8 }))
    expect(error.details).toMatchObject({ limit: 'maxInflatedBytes', limitBytes: 8 })
    expect(error.details).not.toHaveProperty('declaredBytes')
    expect(error.message).toContain('inflates to more than maxInflatedBytes (8 bytes)')
  })

  it('leaves plain input alone whatever maxInflatedBytes says', () => {
    expect(parseIdx(encodeIdx('uint8', [3], [1, 2, 3]), { maxInflatedBytes: 1 }).shape).toEqual([3])
  })

  it('rejects a maxInflatedBytes that is not a positive whole number or Infinity', () => {
    for (const value of [0, -1, 1000.5, Number.NaN, '1000', null]) {
      const call = () => parseIdx(new Uint8Array(4), { maxInflatedBytes: value as number })
      expect(call).toThrow(OptionError)
      expect(call).toThrow(/maxInflatedBytes must be a positive whole number of bytes/)
    }
    const gz = zlibGzip(encodeIdx('uint8', [2], [1, 2]))
    expect(parseIdx(gz, { maxInflatedBytes: Number.POSITIVE_INFINITY }).shape).toEqual([2])
  })

  it('rejects absurd dimensions without allocating', () => {
    const bytes = new Uint8Array(4 + 12)
    bytes.set([0, 0, 0x0e, 3])
    bytes.fill(0xff, 4)
    const error = catchIdx(() => parseIdx(bytes))
    expect(error.code).toBe('IDX_SIZE_MISMATCH')
    expect(error.details).toMatchObject({ shape: [4294967295, 4294967295, 4294967295] })
  })
})

function catchIdx(fn: () => unknown): IdxError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(IdxError)
    return error as IdxError
  }
  throw new Error('expected an IdxError, but nothing was thrown')
}
