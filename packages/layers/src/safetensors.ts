import * as tf from '@tensorflow/tfjs-core'
import { layersError } from './errors'
import type { Module } from './Module'
import {
  BYTES,
  numel,
  parseSafetensorsHeader,
  type SafetensorsDtype,
  type SafetensorsEntry,
} from './safetensorsHeader'
import type { LoadStateDictResult } from './stateDict'

export {
  parseSafetensorsHeader,
  type SafetensorsDtype,
  type SafetensorsEntry,
  type SafetensorsHeader,
} from './safetensorsHeader'

/** Options for writing safetensors. */
export interface SafetensorsWriteOptions {
  /** String metadata stored in `__metadata__` (default `{ format: 'pt' }`, merged with this). */
  metadata?: Record<string, string>
  /**
   * How int32 tensors are stored: `'I64'` (default, PyTorch's integer type, so `num_batches_tracked`
   * loads into PyTorch as `torch.long`) or `'I32'`.
   */
  intDtype?: 'I64' | 'I32'
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1
  const exp = (h >> 10) & 0x1f
  const frac = h & 0x3ff
  if (exp === 0) return sign * frac * 2 ** -24
  if (exp === 31) return frac === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN
  return sign * (1 + frac / 1024) * 2 ** (exp - 15)
}

function decodeValues(
  view: DataView,
  entry: SafetensorsEntry,
  name: string,
): { values: Float32Array | Int32Array | Uint8Array; dtype: 'float32' | 'int32' | 'bool' } {
  const n = numel(entry.shape)
  const size = BYTES[entry.dtype]
  const at = (i: number) => entry.data_offsets[0] + i * size
  const ints = (read: (offset: number) => number) => {
    const out = new Int32Array(n)
    for (let i = 0; i < n; i++) {
      const v = read(at(i))
      if (v < -(2 ** 31) || v > 2 ** 31 - 1) {
        throw layersError('SAFETENSORS_INT_RANGE', { name, value: v })
      }
      out[i] = v
    }
    return { values: out, dtype: 'int32' as const }
  }
  const floats = (read: (offset: number) => number) => {
    const out = new Float32Array(n)
    for (let i = 0; i < n; i++) out[i] = read(at(i))
    return { values: out, dtype: 'float32' as const }
  }
  switch (entry.dtype) {
    case 'F32':
      return floats((o) => view.getFloat32(o, true))
    case 'F64':
      // A finite double beyond float32's range would silently become ±Infinity.
      return floats((o) => {
        const v = view.getFloat64(o, true)
        if (Number.isFinite(v) && !Number.isFinite(Math.fround(v))) {
          const index = (o - entry.data_offsets[0]) / size
          throw layersError('SAFETENSORS_FLOAT_RANGE', { name, value: v, index })
        }
        return v
      })
    case 'F16':
      return floats((o) => halfToFloat(view.getUint16(o, true)))
    case 'BF16': {
      const scratch = new DataView(new ArrayBuffer(4))
      return floats((o) => {
        scratch.setUint32(0, view.getUint16(o, true) << 16)
        return scratch.getFloat32(0)
      })
    }
    case 'I64':
      return ints((o) => Number(view.getBigInt64(o, true)))
    case 'U64':
      return ints((o) => Number(view.getBigUint64(o, true)))
    case 'I32':
      return ints((o) => view.getInt32(o, true))
    case 'U32':
      return ints((o) => view.getUint32(o, true))
    case 'I16':
      return ints((o) => view.getInt16(o, true))
    case 'U16':
      return ints((o) => view.getUint16(o, true))
    case 'I8':
      return ints((o) => view.getInt8(o))
    case 'U8':
      return ints((o) => view.getUint8(o))
    case 'BOOL': {
      const out = new Uint8Array(n)
      for (let i = 0; i < n; i++) out[i] = view.getUint8(at(i)) === 0 ? 0 : 1
      return { values: out, dtype: 'bool' }
    }
  }
}

/**
 * Decodes a safetensors file into tfjs tensors (owned by the caller: dispose them). Floating types
 * (F32, F64, F16, BF16) become float32, integer types int32 (values must fit), BOOL bool.
 */
export function decodeSafetensors(bytes: Uint8Array): {
  tensors: Record<string, tf.Tensor>
  metadata: Record<string, string> | null
} {
  const header = parseSafetensorsHeader(bytes)
  const view = new DataView(
    bytes.buffer,
    bytes.byteOffset + header.dataStart,
    bytes.byteLength - header.dataStart,
  )
  const tensors: Record<string, tf.Tensor> = {}
  try {
    for (const [name, entry] of Object.entries(header.tensors)) {
      const { values, dtype } = decodeValues(view, entry, name)
      tensors[name] = tf.tensor(values, entry.shape, dtype)
    }
  } catch (e) {
    tf.dispose(Object.values(tensors))
    throw e
  }
  return { tensors, metadata: header.metadata }
}

interface Encoded {
  name: string
  dtype: SafetensorsDtype
  shape: number[]
  bytes: Uint8Array
}

function encodeValues(
  name: string,
  tensor: tf.Tensor,
  data: ArrayLike<number>,
  intDtype: 'I64' | 'I32',
): Encoded {
  const n = data.length
  const shape = [...tensor.shape]
  if (tensor.dtype === 'float32') {
    const out = new Uint8Array(n * 4)
    const view = new DataView(out.buffer)
    for (let i = 0; i < n; i++) view.setFloat32(i * 4, data[i]!, true)
    return { name, dtype: 'F32', shape, bytes: out }
  }
  if (tensor.dtype === 'int32') {
    const width = intDtype === 'I64' ? 8 : 4
    const out = new Uint8Array(n * width)
    const view = new DataView(out.buffer)
    for (let i = 0; i < n; i++) {
      const v = data[i]!
      view.setInt32(i * width, v, true)
      if (width === 8) view.setInt32(i * width + 4, v < 0 ? -1 : 0, true)
    }
    return { name, dtype: intDtype, shape, bytes: out }
  }
  if (tensor.dtype === 'bool') {
    return { name, dtype: 'BOOL', shape, bytes: Uint8Array.from(data, (v) => (v ? 1 : 0)) }
  }
  throw layersError('SAFETENSORS_EXPORT_DTYPE', { name, dtype: tensor.dtype })
}

function assemble(encoded: Encoded[], options: SafetensorsWriteOptions): Uint8Array {
  const metadata: Record<string, string> = { format: 'pt', ...options.metadata }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') {
      throw layersError('SAFETENSORS_METADATA', { key: k, type: typeof v })
    }
  }
  // Widest element types first, so every tensor starts aligned to its element size.
  const layout = [...encoded].sort((a, b) => BYTES[b.dtype] - BYTES[a.dtype])
  const offsets = new Map<Encoded, [number, number]>()
  let offset = 0
  for (const e of layout) {
    offsets.set(e, [offset, offset + e.bytes.byteLength])
    offset += e.bytes.byteLength
  }
  const header: Record<string, unknown> = { __metadata__: metadata }
  for (const e of encoded)
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: offsets.get(e) }
  let json = new TextEncoder().encode(JSON.stringify(header))
  const padded = Math.ceil(json.byteLength / 8) * 8
  if (padded !== json.byteLength) {
    const withSpaces = new Uint8Array(padded).fill(0x20)
    withSpaces.set(json)
    json = withSpaces
  }
  const out = new Uint8Array(8 + json.byteLength + offset)
  const view = new DataView(out.buffer)
  view.setUint32(0, json.byteLength, true)
  view.setUint32(4, 0, true)
  out.set(json, 8)
  for (const e of layout) out.set(e.bytes, 8 + json.byteLength + offsets.get(e)![0])
  return out
}

/**
 * Encodes named tensors as a safetensors file (row-major little-endian data, float32 as F32, int32
 * as I64 unless `intDtype: 'I32'`, bool as BOOL). Reads tensor data synchronously.
 */
export function encodeSafetensors(
  tensors: Record<string, tf.Tensor>,
  options: SafetensorsWriteOptions = {},
): Uint8Array {
  const intDtype = options.intDtype ?? 'I64'
  const encoded = Object.entries(tensors).map(([name, t]) =>
    encodeValues(name, t, t.dataSync(), intDtype),
  )
  return assemble(encoded, options)
}

/** Like {@link encodeSafetensors}, but reads tensor data asynchronously (no GPU stall). */
export async function encodeSafetensorsAsync(
  tensors: Record<string, tf.Tensor>,
  options: SafetensorsWriteOptions = {},
): Promise<Uint8Array> {
  const intDtype = options.intDtype ?? 'I64'
  const entries = Object.entries(tensors)
  const data = await Promise.all(entries.map(([, t]) => t.data()))
  const encoded = entries.map(([name, t], i) =>
    encodeValues(name, t, data[i] as ArrayLike<number>, intDtype),
  )
  return assemble(encoded, options)
}

/**
 * Saves a module's state dict as safetensors bytes with PyTorch's key names and layouts
 * (`Linear.weight` is `[out, in]`), so PyTorch loads it with `load_state_dict`:
 *
 * ```py
 * from safetensors.torch import load_file
 * model.load_state_dict(load_file('model.safetensors'))
 * ```
 */
export function saveSafetensors(module: Module, options: SafetensorsWriteOptions = {}): Uint8Array {
  return encodeSafetensors(module.stateDict(), options)
}

/** Like {@link saveSafetensors}, but reads tensor data asynchronously (for the WebGL backend). */
export function saveSafetensorsAsync(
  module: Module,
  options: SafetensorsWriteOptions = {},
): Promise<Uint8Array> {
  return encodeSafetensorsAsync(module.stateDict(), options)
}

/**
 * Loads safetensors bytes (from {@link saveSafetensors} or PyTorch's `save_file(model.state_dict())`)
 * into a module through {@link Module.loadStateDict}: same strictness and PyTorch-worded errors,
 * dtypes converted (F64/F16/BF16 to float32, I64 to int32, ...). Leaves no tensor behind.
 */
export function loadSafetensors(
  module: Module,
  bytes: Uint8Array,
  options: { strict?: boolean } = {},
): LoadStateDictResult {
  const { tensors } = decodeSafetensors(bytes)
  try {
    return module.loadStateDict(tensors, options)
  } finally {
    tf.dispose(Object.values(tensors))
  }
}
