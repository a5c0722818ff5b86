import { type IdxDtype, IdxError } from './errors.js'

/** The dtype and element size of each IDX type byte. */
const DTYPES: Readonly<Record<number, { dtype: IdxDtype; size: number }>> = {
  8: { dtype: 'uint8', size: 1 },
  9: { dtype: 'int8', size: 1 },
  11: { dtype: 'int16', size: 2 },
  12: { dtype: 'int32', size: 4 },
  13: { dtype: 'float32', size: 4 },
  14: { dtype: 'float64', size: 8 },
}

/** What the header of an IDX file declares. */
export interface IdxHeader {
  readonly dtype: IdxDtype
  readonly shape: number[]
  /** Number of elements (the product of `shape`). */
  readonly count: number
  /** Size of the header: magic number and dimensions. */
  readonly headerBytes: number
  /** Size of the data the header promises (`count` × element size; may exceed 2^53). */
  readonly dataBytes: number
}

/**
 * Reads the IDX header at the start of `input` (the data after it is not looked at).
 * @throws {IdxError} `IDX_TRUNCATED` (header or dimensions), `IDX_BAD_MAGIC`, `IDX_UNKNOWN_DTYPE`.
 */
export function readIdxHeader(input: Uint8Array, file: string): IdxHeader {
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
  return { dtype: type.dtype, shape, count, headerBytes, dataBytes: count * type.size }
}

/**
 * {@link readIdxHeader} for the first bytes of a stream: the header, `'more'` when the bytes end
 * before it does, or `'bad'` when they cannot start an IDX file.
 */
export function peekIdxHeader(head: Uint8Array): IdxHeader | 'more' | 'bad' {
  try {
    return readIdxHeader(head, '')
  } catch (error) {
    return (error as IdxError).code === 'IDX_TRUNCATED' ? 'more' : 'bad'
  }
}
