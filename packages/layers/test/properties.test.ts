// Property-based tests (fast-check) of the safetensors reader: arbitrary bytes, arbitrary JSON
// headers, and valid files written by encodeSafetensors then mutated, each shrunk to the smallest
// failing input when a property fails. Each gives a valid result or a LayersError, in bounded time.
import * as tf from '@tensorflow/tfjs-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { record, Tally } from '../../../scripts/reliability/meta.js'
import { LayersError } from '../src/errors'
import { decodeSafetensors, encodeSafetensors, parseSafetensorsHeader } from '../src/safetensors'
import { liveTensors } from './helpers'

const RUNS = 300
const MAX_MS = 250

/** A few named float32/int32/bool tensors of small shapes. */
const tensorSpecs = fc.dictionary(
  fc
    .string({ minLength: 1, maxLength: 12 })
    .filter((k) => k !== '__metadata__' && k !== '__proto__'),
  fc
    .record({
      dtype: fc.constantFrom('float32' as const, 'int32' as const, 'bool' as const),
      shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
    })
    .chain(({ dtype, shape }) => {
      const n = shape.reduce((a, b) => a * b, 1)
      const value =
        dtype === 'float32'
          ? fc.float({ noNaN: true })
          : dtype === 'int32'
            ? fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
            : fc.integer({ min: 0, max: 1 })
      return fc
        .array(value, { minLength: n, maxLength: n })
        .map((values) => ({ dtype, shape, values }))
    }),
  { maxKeys: 5 },
)

const encode = (
  specs: Record<string, { dtype: 'float32' | 'int32' | 'bool'; shape: number[]; values: number[] }>,
) => {
  const tensors = Object.fromEntries(
    Object.entries(specs).map(([k, s]) => [k, tf.tensor(s.values, s.shape, s.dtype)]),
  )
  try {
    return encodeSafetensors(tensors)
  } finally {
    tf.dispose(Object.values(tensors))
  }
}

function decodeChecked(bytes: Uint8Array, outcomes: Tally): void {
  const live = liveTensors()
  const start = performance.now()
  try {
    const { tensors } = decodeSafetensors(bytes)
    const header = parseSafetensorsHeader(bytes)
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(header.tensors).sort())
    tf.dispose(Object.values(tensors))
    outcomes.add('decoded')
  } catch (error) {
    if (!(error instanceof LayersError)) throw error
    expect(error.hint?.length).toBeGreaterThan(10)
    outcomes.add(error.code)
  }
  expect(performance.now() - start).toBeLessThan(MAX_MS)
  expect(liveTensors()).toBe(live)
}

describe('reliability: property-based tests of parsers and decoders', () => {
  it('safetensors: any tensors written by encodeSafetensors decode to the same values', ({
    task,
  }) => {
    fc.assert(
      fc.property(tensorSpecs, (specs) => {
        const { tensors } = decodeSafetensors(encode(specs))
        for (const [k, s] of Object.entries(specs)) {
          expect(tensors[k]!.shape).toEqual(s.shape)
          const expected =
            s.dtype === 'float32' ? Array.from(Float32Array.from(s.values)) : s.values
          expect(Array.from(tensors[k]!.dataSync())).toEqual(expected)
        }
        tf.dispose(Object.values(tensors))
      }),
      { numRuns: RUNS },
    )
    record(task, RUNS, 'decoded to the values written')
  })

  it('safetensors: arbitrary bytes, arbitrary JSON headers and mutated valid files give tensors or a LayersError', ({
    task,
  }) => {
    const outcomes = new Tally()
    const withHeader = (json: string, data: Uint8Array) => {
      const text = new TextEncoder().encode(json)
      const out = new Uint8Array(8 + text.length + data.length)
      new DataView(out.buffer).setUint32(0, text.length, true)
      out.set(text, 8)
      out.set(data, 8 + text.length)
      return out
    }
    const mutate = fc
      .tuple(
        tensorSpecs.map(encode),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.option(fc.nat()),
      )
      .map(([bytes, flips, cut]) => {
        let out = bytes.slice()
        for (const [at, value] of flips) out[at % out.length] = value
        if (cut !== null) out = out.slice(0, cut % out.length)
        return out
      })
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc
        .tuple(fc.json({ maxDepth: 4 }), fc.uint8Array({ maxLength: 32 }))
        .map(([j, d]) => withHeader(j, d)),
      fc
        .tuple(
          fc.dictionary(
            fc.oneof(fc.string(), fc.constantFrom('__proto__', '__metadata__', 'constructor')),
            fc.record(
              {
                dtype: fc.oneof(
                  fc.constantFrom('F32', 'F64', 'I64', 'BOOL', 'U8', 'F16', 'BF16'),
                  fc.string(),
                ),
                shape: fc.array(fc.oneof(fc.nat(8), fc.integer(), fc.double()), { maxLength: 3 }),
                data_offsets: fc.array(fc.oneof(fc.nat(64), fc.integer(), fc.double()), {
                  maxLength: 3,
                }),
              },
              { requiredKeys: [] },
            ),
            { maxKeys: 4 },
          ),
          fc.uint8Array({ maxLength: 64 }),
        )
        .map(([header, data]) => withHeader(JSON.stringify(header), data)),
      mutate,
    )
    fc.assert(
      fc.property(inputs, (bytes) => decodeChecked(bytes, outcomes)),
      { numRuns: 4 * RUNS },
    )
    record(task, 4 * RUNS, `typed: ${outcomes}`)
  })
})
