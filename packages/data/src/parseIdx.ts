import { type IdxDtype, IdxError } from './errors.js'
import { gunzip, isGzip } from './gunzip.js'

export type { IdxDtype }

/** The typed array each {@link IdxDtype} decodes to. */
export interface IdxTypedArrays {
  uint8: Uint8Array
  int8: Int8Array
  int16: Int16Array
  int32: Int32Array
  float32: Float32Array
  float64: Float64Array
}

/** A decoded IDX file: an n-dimensional array in row-major (C) order. */
export interface IdxArray<D extends IdxDtype = IdxDtype> {
  /** Element type, from the third byte of the magic number. */
  readonly dtype: D
  /** Size of each dimension, from the header (rank = `shape.length`). */
  readonly shape: readonly number[]
  /** The elements, in native byte order. */
  readonly data: IdxTypedArrays[D]
}

/** Options of {@link parseIdx}. */
export interface ParseIdxOptions {
  /** Name used in error messages (a path or file name). Defaults to `<bytes>`. */
  fileName?: string
}

const DTYPES: Readonly<Record<number, { dtype: IdxDtype; size: number }>> = {
  8: { dtype: 'uint8', size: 1 },
  9: { dtype: 'int8', size: 1 },
  11: { dtype: 'int16', size: 2 },
  12: { dtype: 'int32', size: 4 },
  13: { dtype: 'float32', size: 4 },
  14: { dtype: 'float64', size: 8 },
}

/** The IDX type byte of each dtype (0x08 ubyte ... 0x0E double). */
export const IDX_DTYPE_CODES: Readonly<Record<IdxDtype, number>> = {
  uint8: 0x08,
  int8: 0x09,
  int16: 0x0b,
  int32: 0x0c,
  float32: 0x0d,
  float64: 0x0e,
}

/**
 * Parses an IDX file (the format of MNIST and its relatives): a magic number `00 00 <type> <rank>`,
 * `rank` big-endian uint32 sizes, then the elements, big-endian. Every IDX type is supported: 0x08
 * ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double, at any rank. Gzip-compressed
 * input (as downloaded, `*.gz`) is recognised by its magic bytes and inflated first.
 *
 * For 1-byte types, `data` is a view into the (inflated) input, not a copy.
 *
 * @throws {IdxError} `IDX_TRUNCATED`, `IDX_BAD_MAGIC`, `IDX_UNKNOWN_DTYPE`, `IDX_SIZE_MISMATCH` or
 *   `IDX_BAD_GZIP`, naming `options.fileName` and the sizes involved.
 *
 * @example
 * const labels = parseIdx(await readFile('train-labels-idx1-ubyte'))
 * labels.shape // [60000]
 */
export function parseIdx(bytes: Uint8Array | ArrayBuffer, options: ParseIdxOptions = {}): IdxArray {
  const file = options.fileName ?? '<bytes>'
  let input = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)
  if (isGzip(input)) input = gunzip(input, file)

  if (input.length < 4) {
    throw new IdxError('IDX_TRUNCATED', {
      file,
      section: 'header',
      expectedBytes: 4,
      actualBytes: input.length,
    })
  }
  if (input[0] !== 0 || input[1] !== 0) {
    throw new IdxError('IDX_BAD_MAGIC', { file, magic: Array.from(input.subarray(0, 4)) })
  }
  const dtypeCode = input[2]!
  const type = DTYPES[dtypeCode]
  if (!type) throw new IdxError('IDX_UNKNOWN_DTYPE', { file, dtypeCode })
  const rank = input[3]!
  const headerBytes = 4 + 4 * rank
  if (input.length < headerBytes) {
    throw new IdxError('IDX_TRUNCATED', {
      file,
      section: 'dimensions',
      expectedBytes: headerBytes,
      actualBytes: input.length,
    })
  }

  const view = new DataView(input.buffer, input.byteOffset, input.byteLength)
  const shape: number[] = []
  let count = 1
  for (let d = 0; d < rank; d++) {
    const size = view.getUint32(4 + 4 * d, false)
    shape.push(size)
    count *= size
  }
  const expectedBytes = count * type.size
  const actualBytes = input.length - headerBytes
  if (expectedBytes !== actualBytes) {
    const details = { file, shape, dtype: type.dtype, expectedBytes, actualBytes }
    if (actualBytes < expectedBytes && Number.isSafeInteger(expectedBytes)) {
      throw new IdxError('IDX_TRUNCATED', { ...details, section: 'data' })
    }
    throw new IdxError('IDX_SIZE_MISMATCH', details)
  }

  return { dtype: type.dtype, shape, data: decode(type.dtype, view, headerBytes, count) }
}

function decode(
  dtype: IdxDtype,
  view: DataView,
  offset: number,
  count: number,
): IdxTypedArrays[IdxDtype] {
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(view.buffer, view.byteOffset + offset, count)
    case 'int8':
      return new Int8Array(view.buffer, view.byteOffset + offset, count)
    case 'int16': {
      const out = new Int16Array(count)
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false)
      return out
    }
    case 'int32': {
      const out = new Int32Array(count)
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false)
      return out
    }
    case 'float32': {
      const out = new Float32Array(count)
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false)
      return out
    }
    case 'float64': {
      const out = new Float64Array(count)
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false)
      return out
    }
  }
}
