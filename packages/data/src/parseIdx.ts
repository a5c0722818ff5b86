import { type IdxDtype, IdxError, OptionError } from './errors.js'
import { isGzip } from './gunzip.js'
import { readIdxHeader } from './idxHeader.js'
import { DEFAULT_MAX_INFLATED_BYTES, inflateIdx } from './inflateIdx.js'

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
  /**
   * The most bytes gzip input may inflate to (default {@link DEFAULT_MAX_INFLATED_BYTES}, 1 GiB).
   * The IDX header's declared size caps it further: inflating stops as soon as the output passes
   * either, with `IDX_GZIP_TOO_LARGE`, so a gzip bomb cannot exhaust memory.
   */
  maxInflatedBytes?: number
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
 * input (as downloaded, `*.gz`) is recognised by its magic bytes and inflated first, never past the
 * size its IDX header declares nor `options.maxInflatedBytes`.
 *
 * For 1-byte types, `data` is a view into the (inflated) input, not a copy.
 *
 * @throws {IdxError} `IDX_TRUNCATED`, `IDX_BAD_MAGIC`, `IDX_UNKNOWN_DTYPE`, `IDX_SIZE_MISMATCH`,
 *   `IDX_BAD_GZIP` or `IDX_GZIP_TOO_LARGE`, naming `options.fileName` and the sizes involved.
 * @throws {OptionError} `INVALID_OPTION` for a `maxInflatedBytes` that is not a positive whole
 *   number (or Infinity).
 *
 * @example
 * const labels = parseIdx(await readFile('train-labels-idx1-ubyte'))
 * labels.shape // [60000]
 */
export function parseIdx(bytes: Uint8Array | ArrayBuffer, options: ParseIdxOptions = {}): IdxArray {
  const file = options.fileName ?? '<bytes>'
  const maxInflatedBytes = checkMaxInflatedBytes('parseIdx', options.maxInflatedBytes)
  let input = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)
  if (isGzip(input)) input = inflateIdx(input, file, maxInflatedBytes)

  const { dtype, shape, count, headerBytes, dataBytes: expectedBytes } = readIdxHeader(input, file)
  const actualBytes = input.length - headerBytes
  if (expectedBytes !== actualBytes) {
    const details = { file, shape, dtype, expectedBytes, actualBytes }
    if (actualBytes < expectedBytes && Number.isSafeInteger(expectedBytes)) {
      throw new IdxError('IDX_TRUNCATED', { ...details, section: 'data' })
    }
    throw new IdxError('IDX_SIZE_MISMATCH', details)
  }
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength)
  return { dtype, shape, data: decode(dtype, view, headerBytes, count) }
}

/**
 * `maxInflatedBytes` as given, or its default; throws {@link OptionError} `INVALID_OPTION` for
 * anything but a positive whole number or Infinity.
 */
export function checkMaxInflatedBytes(owner: string, value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_INFLATED_BYTES
  const whole = typeof value === 'number' && Number.isSafeInteger(value) && value > 0
  if (!whole && value !== Number.POSITIVE_INFINITY) {
    throw new OptionError('INVALID_OPTION', {
      owner,
      option: 'maxInflatedBytes',
      value,
      expected: 'a positive whole number of bytes (default 1 GiB, 2 ** 30) or Infinity',
    })
  }
  return value as number
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
