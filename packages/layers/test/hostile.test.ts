// Hostile state dicts and safetensors files: every one is refused with a typed error, quickly,
// and a refused load leaves the model exactly as it was (all-or-nothing), usable and leak-free.
import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { record, Tally } from '../../../scripts/reliability/meta.js'
import { BatchNorm1d } from '../src/BatchNorm1d'
import { LayersError } from '../src/errors'
import { Linear } from '../src/Linear'
import { MAX_SAFETENSORS_HEADER_BYTES, MAX_SAFETENSORS_TENSORS } from '../src/limits'
import { ReLU } from '../src/ReLU'
import { Sequential } from '../src/Sequential'
import {
  decodeSafetensors,
  encodeSafetensors,
  loadSafetensors,
  parseSafetensorsHeader,
} from '../src/safetensors'
import { StateDictError } from '../src/stateDict'
import { liveTensors } from './helpers'

// A guard against a runaway loop, not a speed target.
const MAX_MS = 2000

const model = () =>
  new Sequential(
    new Linear(3, 4, { seed: 1 }),
    new ReLU(),
    new BatchNorm1d(4),
    new Linear(4, 2, { seed: 2 }),
  )

/** Every value of the model's state, to compare bit for bit. */
const snapshot = (m: Sequential) =>
  Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, Array.from(t.dataSync())]))

function headerBytes(header: unknown, data: Uint8Array = new Uint8Array()): Uint8Array {
  const json = new TextEncoder().encode(
    typeof header === 'string' ? header : JSON.stringify(header),
  )
  const out = new Uint8Array(8 + json.length + data.length)
  new DataView(out.buffer).setUint32(0, json.length, true)
  out.set(json, 8)
  out.set(data, 8 + json.length)
  return out
}

/** `fn`'s LayersError, checked for a code, a message and a hint, thrown within MAX_MS. */
function layersError(fn: () => unknown): LayersError {
  const start = performance.now()
  try {
    fn()
  } catch (error) {
    expect(performance.now() - start).toBeLessThan(MAX_MS)
    expect(error).toBeInstanceOf(LayersError)
    const e = error as LayersError
    expect(e.message.length).toBeGreaterThan(10)
    expect(e.hint?.length).toBeGreaterThan(10)
    return e
  }
  throw new Error('expected a LayersError')
}

describe('reliability: hostile state dicts and safetensors files', () => {
  it('a bad value at every key of the state dict: StateDictError, the model untouched and usable', ({
    task,
  }) => {
    const m = model()
    const before = snapshot(m)
    const x = tf.tensor2d([[1, 2, 3]])
    const y0 = m.eval().call(x)
    const expected = Array.from(y0.dataSync())
    y0.dispose()
    const keys = Object.keys(m.stateDict())
    const bad: [string, (shape: number[]) => unknown][] = [
      [
        'a disposed tensor',
        (shape) => {
          const t = tf.fill(shape, 7)
          t.dispose()
          return t
        },
      ],
      ['a wrong shape', (shape) => tf.fill([...shape, 2], 7)],
      ['a string tensor', (shape) => tf.fill(shape, 'x')],
      ['a number', () => 7],
      ['null', () => null],
      ['an array', (shape) => Array(shape[0] ?? 1).fill(7)],
    ]
    const outcomes = new Tally()
    let cases = 0
    for (const [name, make] of bad) {
      for (const at of keys) {
        const live = liveTensors()
        const dict: Record<string, unknown> = {}
        for (const [k, t] of Object.entries(m.stateDict())) {
          // Good values everywhere else (7s, so a partial copy would show), the bad one at `at`.
          dict[k] = k === at ? make([...t.shape]) : tf.fill(t.shape, 7, t.dtype)
        }
        const error = layersError(() => m.loadStateDict(dict as Record<string, tf.Tensor>))
        expect(error, `${name} at ${at}`).toBeInstanceOf(StateDictError)
        expect(snapshot(m), `${name} at ${at}`).toEqual(before)
        const y = m.call(x)
        expect(Array.from(y.dataSync())).toEqual(expected)
        y.dispose()
        tf.dispose(Object.values(dict).filter((v): v is tf.Tensor => v instanceof tf.Tensor))
        expect(liveTensors(), `${name} at ${at}: nothing leaked`).toBe(live)
        outcomes.add(error.code)
        cases++
      }
    }
    x.dispose()
    m.dispose()
    record(task, cases, `${outcomes}; weights bit-identical and forward unchanged after each`)
  })

  it('not a state dict at all (null, undefined, a number, a tensor, an array): INVALID_ARGUMENT', ({
    task,
  }) => {
    const m = model()
    const before = snapshot(m)
    const t = tf.zeros([2])
    const values: unknown[] = [null, undefined, 42, 'weights', [], [t], t, true]
    for (const value of values) {
      const error = layersError(() => m.loadStateDict(value as never))
      expect(error.code).toBe('INVALID_ARGUMENT')
      expect(error.message).toMatch(/^Sequential\.loadStateDict expects an object of tensors/)
    }
    const options = layersError(() => m.loadStateDict(m.stateDict(), null as never))
    expect(options.code).toBe('INVALID_ARGUMENT')
    expect(snapshot(m)).toEqual(before)
    t.dispose()
    m.dispose()
    record(task, values.length + 1, `INVALID_ARGUMENT ×${values.length + 1}, the model untouched`)
  })

  it('loading into a disposed model: StateDictError, not a crash', ({ task }) => {
    const source = model()
    const m = model()
    m.dispose()
    const error = layersError(() => m.loadStateDict(source.stateDict()))
    expect(error).toBeInstanceOf(StateDictError)
    expect(error.message).toContain('has been disposed')
    source.dispose()
    record(task, 1, 'StateDictError naming the disposed tensors')
  })

  it('a "__proto__" tensor name or metadata key: SAFETENSORS_INVALID, no prototype replaced', ({
    task,
  }) => {
    const entry = { dtype: 'F32', shape: [1], data_offsets: [0, 4] }
    const files = [
      headerBytes(`{"__proto__":${JSON.stringify(entry)}}`, new Uint8Array(4)),
      headerBytes(
        `{"a":${JSON.stringify(entry)},"__proto__":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}`,
        new Uint8Array(4),
      ),
      headerBytes(
        `{"__metadata__":{"__proto__":"x"},"a":${JSON.stringify(entry)}}`,
        new Uint8Array(4),
      ),
    ]
    for (const bytes of files) {
      for (const read of [parseSafetensorsHeader, decodeSafetensors]) {
        const error = layersError(() => read(bytes))
        expect(error.code).toBe('SAFETENSORS_INVALID')
        expect(error.message).toContain('__proto__')
      }
    }
    expect(Object.getPrototypeOf({})).toBe(Object.prototype)
    record(task, files.length * 2, `SAFETENSORS_INVALID ×${files.length * 2}`)
  })

  it('F64 values beyond float32 range: SAFETENSORS_UNSUPPORTED_DTYPE, not a silent Infinity', ({
    task,
  }) => {
    const f64 = (values: number[]) => {
      const data = new Uint8Array(values.length * 8)
      const view = new DataView(data.buffer)
      for (const [i, v] of values.entries()) view.setFloat64(i * 8, v, true)
      return headerBytes(
        { w: { dtype: 'F64', shape: [values.length], data_offsets: [0, data.length] } },
        data,
      )
    }
    const tooLarge = [1e39, -1e39, 3.5e38, Number.MAX_VALUE, -Number.MAX_VALUE]
    for (const v of tooLarge) {
      const error = layersError(() => decodeSafetensors(f64([0, 1, v])))
      expect(error.code).toBe('SAFETENSORS_UNSUPPORTED_DTYPE')
      expect(error.message).toContain('at index 2, which does not fit in float32')
      const m = new Linear(3, 1, { bias: false })
      const before = Array.from(m.weight.dataSync())
      layersError(() => loadSafetensors(m, f64([0, 1, v])))
      expect(Array.from(m.weight.dataSync())).toEqual(before)
      m.dispose()
    }
    // What float32 holds (its largest value, infinities and NaN as written) still loads.
    const { tensors } = decodeSafetensors(
      f64([3.4028234663852886e38, Infinity, -Infinity, Number.NaN, 1e-50]),
    )
    expect(Array.from(tensors.w!.dataSync())).toEqual([
      3.4028234663852886e38,
      Infinity,
      -Infinity,
      Number.NaN,
      0,
    ])
    tf.dispose(Object.values(tensors))
    record(
      task,
      tooLarge.length * 2 + 1,
      `SAFETENSORS_UNSUPPORTED_DTYPE ×${tooLarge.length * 2}; in-range F64 loads`,
    )
  })

  it('a million-entry header, one over the tensor limit, one over the byte limit: refused fast', ({
    task,
  }) => {
    const entries = (n: number) => {
      const parts: string[] = []
      for (let i = 0; i < n; i++)
        parts.push(`"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`)
      return `{${parts.join(',')}}`
    }
    const cases: [string, Uint8Array, RegExp][] = [
      ['a million entries', headerBytes(entries(1_000_000)), /exceeds the limit of 16777216 bytes/],
      [
        `${MAX_SAFETENSORS_TENSORS + 1} entries`,
        headerBytes(entries(MAX_SAFETENSORS_TENSORS + 1)),
        /more than the limit of 65536 tensors/,
      ],
      [
        'a header one byte over the limit',
        headerBytes(`{${' '.repeat(MAX_SAFETENSORS_HEADER_BYTES - 1)}}`),
        /exceeds the limit/,
      ],
    ]
    for (const [name, bytes, message] of cases) {
      const m = new Linear(2, 2)
      for (const read of [
        () => parseSafetensorsHeader(bytes),
        () => decodeSafetensors(bytes),
        () => loadSafetensors(m, bytes),
      ]) {
        const error = layersError(read)
        expect(error.code, name).toBe('SAFETENSORS_INVALID')
        expect(error.message, name).toMatch(message)
      }
      m.dispose()
    }
    // At the limit, a file still reads.
    const atLimit = headerBytes(entries(MAX_SAFETENSORS_TENSORS))
    expect(Object.keys(parseSafetensorsHeader(atLimit).tensors)).toHaveLength(
      MAX_SAFETENSORS_TENSORS,
    )
    record(
      task,
      cases.length * 3 + 1,
      `SAFETENSORS_INVALID ×${cases.length * 3} in under ${MAX_MS} ms; ${MAX_SAFETENSORS_TENSORS} entries still read`,
    )
  })

  it('a safetensors file with a bad value loads nothing (loadSafetensors is all-or-nothing)', ({
    task,
  }) => {
    const m = model()
    const before = snapshot(m)
    const good = encodeSafetensors(
      Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, t])),
    )
    const keys = Object.keys(parseSafetensorsHeader(good).tensors)
    let cases = 0
    for (const drop of keys) {
      const tensors = decodeSafetensors(good).tensors
      const wrong = tf.zeros([5])
      tensors[drop]!.dispose()
      tensors[drop] = wrong
      const bytes = encodeSafetensors(tensors)
      tf.dispose(Object.values(tensors))
      const error = layersError(() => loadSafetensors(m, bytes))
      expect(error.code).toBe('STATE_DICT_MISMATCH')
      expect(snapshot(m)).toEqual(before)
      cases++
    }
    m.dispose()
    record(task, cases, `STATE_DICT_MISMATCH ×${cases}, the model untouched`)
  })
})
