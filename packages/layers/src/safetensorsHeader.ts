import { layersError } from './errors'
import { MAX_SAFETENSORS_HEADER_BYTES, MAX_SAFETENSORS_TENSORS } from './limits'

/** Element types of the safetensors format that this package reads. */
export type SafetensorsDtype =
  | 'F64'
  | 'F32'
  | 'F16'
  | 'BF16'
  | 'I64'
  | 'I32'
  | 'I16'
  | 'I8'
  | 'U64'
  | 'U32'
  | 'U16'
  | 'U8'
  | 'BOOL'

/** One tensor's entry in a safetensors header. */
export interface SafetensorsEntry {
  dtype: SafetensorsDtype
  shape: number[]
  /** Byte range `[begin, end)` within the data section (after the header). */
  data_offsets: [number, number]
}

/** A parsed safetensors header: tensor entries by name and the optional `__metadata__`. */
export interface SafetensorsHeader {
  tensors: Record<string, SafetensorsEntry>
  metadata: Record<string, string> | null
  /** Byte offset in the file where the data section starts (8 + header length). */
  dataStart: number
}

/** Bytes per element of each dtype. */
export const BYTES: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
}

function invalid(reason: string, values: Record<string, unknown> = {}) {
  return layersError('SAFETENSORS_INVALID', { reason, values })
}

function isDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.hasOwn(BYTES, value)
}

function isShape(value: unknown): value is number[] {
  return (
    Array.isArray(value) &&
    value.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)
  )
}

/** Number of elements of a tensor of `shape`. */
export function numel(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1)
}

/**
 * Reads and validates the header of a safetensors file without decoding any tensor. Bounded: a
 * header larger than `MAX_SAFETENSORS_HEADER_BYTES` or with more than `MAX_SAFETENSORS_TENSORS`
 * entries is refused before its entries are looked at, and a `__proto__` name (which would replace
 * the prototype of the parsed object) is an error.
 */
export function parseSafetensorsHeader(bytes: Uint8Array): SafetensorsHeader {
  if (!(bytes instanceof Uint8Array)) {
    throw invalid(`expected a Uint8Array, got ${typeof bytes}`)
  }
  if (bytes.byteLength < 8)
    throw invalid(`${bytes.byteLength} bytes is too short for a header size`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const low = view.getUint32(0, true)
  const high = view.getUint32(4, true)
  const headerLength = high * 2 ** 32 + low
  if (headerLength > MAX_SAFETENSORS_HEADER_BYTES && headerLength <= bytes.byteLength - 8) {
    throw invalid(
      `header size ${headerLength} exceeds the limit of ${MAX_SAFETENSORS_HEADER_BYTES} bytes`,
      { headerLength, limit: MAX_SAFETENSORS_HEADER_BYTES },
    )
  }
  if (headerLength > bytes.byteLength - 8) {
    throw invalid(`header size ${headerLength} exceeds the file size ${bytes.byteLength}`, {
      headerLength,
      fileSize: bytes.byteLength,
    })
  }
  let json: unknown
  try {
    json = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)),
    )
  } catch (e) {
    throw invalid(`header is not UTF-8 JSON (${(e as Error).message})`)
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw invalid('header is not a JSON object')
  }
  const names = Object.keys(json)
  const count = names.length - (Object.hasOwn(json, '__metadata__') ? 1 : 0)
  if (count > MAX_SAFETENSORS_TENSORS) {
    throw invalid(
      `the header has ${count} tensors, more than the limit of ${MAX_SAFETENSORS_TENSORS} tensors`,
      { tensors: count, limit: MAX_SAFETENSORS_TENSORS },
    )
  }
  const dataStart = 8 + headerLength
  const dataLength = bytes.byteLength - dataStart
  const tensors: Record<string, SafetensorsEntry> = {}
  let metadata: Record<string, string> | null = null
  for (const name of names) {
    const raw = (json as Record<string, unknown>)[name]
    if (name === '__proto__') throw invalid('a tensor may not be named "__proto__"', { name })
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
        throw invalid('__metadata__ must be an object of strings')
      }
      metadata = {}
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') throw invalid(`__metadata__.${k} must be a string`, { key: k })
        if (k === '__proto__')
          throw invalid('__metadata__ may not have a key "__proto__"', { key: k })
        metadata[k] = v
      }
      continue
    }
    const entry = raw as Partial<SafetensorsEntry> | null
    if (entry === null || typeof entry !== 'object')
      throw invalid(`entry "${name}" is not an object`)
    if (!isDtype(entry.dtype)) {
      throw layersError('SAFETENSORS_DTYPE', {
        name,
        dtype: entry.dtype,
        supported: Object.keys(BYTES),
      })
    }
    if (!isShape(entry.shape)) throw invalid(`tensor "${name}" has an invalid shape`, { name })
    const offsets = entry.data_offsets
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offsets[0] > offsets[1] ||
      offsets[1] > dataLength
    ) {
      throw invalid(`tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)}`, {
        name,
      })
    }
    const expected = numel(entry.shape) * BYTES[entry.dtype]
    if (offsets[1] - offsets[0] !== expected) {
      throw invalid(
        `tensor "${name}" (${entry.dtype} ${JSON.stringify(entry.shape)}) needs ${expected} bytes but data_offsets span ${offsets[1] - offsets[0]}`,
        { name },
      )
    }
    tensors[name] = {
      dtype: entry.dtype,
      shape: [...entry.shape],
      data_offsets: [offsets[0], offsets[1]],
    }
  }
  const ranges = Object.values(tensors)
    .map((e) => e.data_offsets)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
  let end = 0
  for (const [begin, stop] of ranges) {
    if (begin !== end) throw invalid(`data has a gap or overlap at byte ${Math.min(begin, end)}`)
    end = stop
  }
  if (end !== dataLength) {
    throw invalid(`tensors cover ${end} bytes of data but the file has ${dataLength}`)
  }
  return { tensors, metadata, dataStart }
}
