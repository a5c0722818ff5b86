import * as tf from '@tensorflow/tfjs-core'
import { trainError } from './errors'

/** A tensor copied to the CPU: plain data, structured-cloneable (postMessage, IndexedDB). */
export interface SerializedTensor {
  dtype: 'float32' | 'int32'
  shape: number[]
  data: Float32Array | Int32Array
}

/** One finished epoch in a {@link Trainer}'s history. */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number
  /** Mean training loss per sample over the epoch. */
  trainLoss: number
  /** Training accuracy over the epoch (null when not classifying). */
  trainAccuracy: number | null
  /** Mean test loss per sample after the epoch (null without a test loader). */
  testLoss: number | null
  /** Test accuracy after the epoch (null without a test loader or when not classifying). */
  testAccuracy: number | null
  /** Seconds spent training the epoch (without evaluation and pauses). */
  seconds: number
  /** Training samples per second over the epoch. */
  samplesPerSecond: number
}

/** The optimizer part of a {@link Checkpoint}: `stateDict()` with tensors serialized. */
export interface SerializedOptimizerState {
  /** Optimizer class name, e.g. `'Adam'`. */
  name: string
  state: Record<number, Record<string, SerializedTensor | number>>
  paramGroups: Array<Record<string, unknown> & { params: number[] }>
}

/**
 * Everything needed to continue training exactly where it stopped: model weights and buffers,
 * optimizer state, position (epoch and step), the random state of the data shuffling and of the
 * model's own generators (Dropout), the partial epoch's running metrics, and the history.
 * Plain data: keep it in memory, `postMessage` it, or turn it into bytes with
 * {@link encodeCheckpoint}.
 */
export interface Checkpoint {
  format: 'tensorloom-checkpoint'
  version: 1
  /** 1-based epoch in progress (or about to start when `step` is 0). */
  epoch: number
  /** Batches of `epoch` already trained. */
  step: number
  /** Batches trained in total. */
  globalStep: number
  /** Batches per epoch of the loader it was saved with. */
  stepsPerEpoch: number
  /** The model's `stateDict()` (PyTorch key names). */
  model: Record<string, SerializedTensor>
  optimizer: SerializedOptimizerState
  rng: {
    /** State of the training loader's shuffle generator at the start of `epoch`. */
    loader: unknown
    /** State of `@tensorloom/layers`' default generator. */
    layers: unknown
    /** States of generators owned by modules (e.g. seeded Dropout), by module name. */
    modules: Record<string, unknown>
  }
  /** Running sums of the partial epoch, so its metrics come out as in an uninterrupted run. */
  progress: {
    lossSum: number
    correct: number
    samples: number
    seconds: number
    smoothedLoss: number | null
    smoothingSteps: number
  }
  history: EpochRecord[]
}

/** Reads a tensor back to the CPU. */
export async function serializeTensor(t: tf.Tensor): Promise<SerializedTensor> {
  const dtype = t.dtype === 'int32' ? 'int32' : 'float32'
  const data = await (t.dtype === dtype ? t : tf.cast(t, dtype)).data()
  return {
    dtype,
    shape: t.shape.slice(),
    data: dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data),
  }
}

/** Creates a tensor from a {@link SerializedTensor} (yours to dispose). */
export function deserializeTensor(s: SerializedTensor): tf.Tensor {
  return tf.tensor(s.data, s.shape, s.dtype)
}

const MAGIC = 'tensorloom-checkpoint'

interface HeaderEntry {
  dtype: 'F32' | 'I32'
  shape: number[]
  data_offsets: [number, number]
}

function isSerialized(value: unknown): value is SerializedTensor {
  return (
    typeof value === 'object' &&
    value !== null &&
    ((value as SerializedTensor).data instanceof Float32Array ||
      (value as SerializedTensor).data instanceof Int32Array)
  )
}

/**
 * Encodes a checkpoint as a safetensors file: every tensor (`model.layers.0.weight`,
 * `optimizer.0.expAvg`, …) in safetensors' layout, the rest as JSON in the `__metadata__`
 * entry `tensorloom`. Python's `safetensors.torch.load_file` can read the tensors.
 */
export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  const tensors: Array<[string, SerializedTensor]> = []
  const optimizerState: Record<string, Record<string, number | string>> = {}
  for (const [key, t] of Object.entries(checkpoint.model)) tensors.push([`model.${key}`, t])
  for (const [index, entry] of Object.entries(checkpoint.optimizer.state)) {
    optimizerState[index] = {}
    for (const [name, value] of Object.entries(entry)) {
      if (isSerialized(value)) {
        const key = `optimizer.${index}.${name}`
        tensors.push([key, value])
        optimizerState[index]![name] = `tensor:${key}`
      } else {
        optimizerState[index]![name] = value
      }
    }
  }
  const { model: _model, optimizer, ...rest } = checkpoint
  const meta = { ...rest, optimizer: { ...optimizer, state: optimizerState } }
  const header: Record<string, HeaderEntry | Record<string, string>> = {
    __metadata__: { format: MAGIC, tensorloom: JSON.stringify(meta) },
  }
  let offset = 0
  for (const [key, t] of tensors) {
    const bytes = t.data.length * 4
    header[key] = {
      dtype: t.dtype === 'int32' ? 'I32' : 'F32',
      shape: t.shape,
      data_offsets: [offset, offset + bytes],
    }
    offset += bytes
  }
  let json = JSON.stringify(header)
  while ((8 + new TextEncoder().encode(json).length) % 8 !== 0) json += ' '
  const headerBytes = new TextEncoder().encode(json)
  const out = new Uint8Array(8 + headerBytes.length + offset)
  const view = new DataView(out.buffer)
  view.setBigUint64(0, BigInt(headerBytes.length), true)
  out.set(headerBytes, 8)
  let position = 8 + headerBytes.length
  for (const [, t] of tensors) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.length * 4)
    // Typed arrays are little-endian on every platform tfjs runs on.
    out.set(bytes, position)
    position += bytes.length
  }
  return out
}

function bad(reason: string): never {
  throw trainError('CHECKPOINT_BYTES', { reason })
}

/** Decodes bytes written by {@link encodeCheckpoint}. */
export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  if (bytes.length < 8) bad('file too short')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const headerLength = Number(view.getBigUint64(0, true))
  if (8 + headerLength > bytes.length) bad('header length exceeds the file')
  let header: Record<string, unknown>
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)))
  } catch {
    return bad('the header is not JSON')
  }
  const metadata = header.__metadata__ as Record<string, string> | undefined
  if (metadata?.format !== MAGIC || typeof metadata.tensorloom !== 'string') {
    bad('no tensorloom metadata (is this a plain weights file?)')
  }
  const meta = JSON.parse(metadata.tensorloom) as Omit<Checkpoint, 'model'> & {
    optimizer: { state: Record<string, Record<string, number | string>> }
  }
  const base = 8 + headerLength
  const read = (key: string): SerializedTensor => {
    const entry = header[key] as HeaderEntry | undefined
    if (!entry) return bad(`tensor ${key} is missing`)
    const [start, end] = entry.data_offsets
    const copy = bytes.slice(base + start, base + end)
    const data =
      entry.dtype === 'I32'
        ? new Int32Array(copy.buffer, copy.byteOffset, (end - start) / 4)
        : new Float32Array(copy.buffer, copy.byteOffset, (end - start) / 4)
    return { dtype: entry.dtype === 'I32' ? 'int32' : 'float32', shape: entry.shape, data }
  }
  const model: Record<string, SerializedTensor> = {}
  for (const key of Object.keys(header)) {
    if (key.startsWith('model.')) model[key.slice('model.'.length)] = read(key)
  }
  const state: Record<number, Record<string, SerializedTensor | number>> = {}
  for (const [index, entry] of Object.entries(meta.optimizer.state)) {
    state[Number(index)] = Object.fromEntries(
      Object.entries(entry).map(([name, value]) => [
        name,
        typeof value === 'string' && value.startsWith('tensor:')
          ? read(value.slice(7))
          : (value as number),
      ]),
    )
  }
  return { ...meta, model, optimizer: { ...meta.optimizer, state } } as Checkpoint
}
