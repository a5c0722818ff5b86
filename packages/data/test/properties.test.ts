// Property-based tests (fast-check) of the parsers and decoders of IDX and gzip input: arbitrary
// bytes, valid files and valid files mutated, shrunk to the smallest failing input when a property
// fails. Each input gives a valid result or a typed error, within a time bound, never a raw one.
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { record, Tally } from '../../../scripts/reliability/meta.js'
import { DataError, IdxError } from '../src/errors.js'
import { gunzip } from '../src/gunzip.js'
import { parseIdx } from '../src/parseIdx.js'
import { encodeIdx, type TestDtype } from './helpers.js'

const RUNS = 300
// Per input: a guard against a runaway loop or allocation, not a speed target.
const MAX_MS = 250
const MAX_INFLATED = 2 ** 20

const dtypes: TestDtype[] = ['uint8', 'int8', 'int16', 'int32', 'float32', 'float64']

/** A valid IDX file of a small random shape and matching values. */
const idxFile = fc
  .record({
    dtype: fc.constantFrom(...dtypes),
    shape: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 0, maxLength: 4 }),
  })
  .chain(({ dtype, shape }) => {
    const count = shape.reduce((a, b) => a * b, 1)
    const value =
      dtype === 'uint8'
        ? fc.integer({ min: 0, max: 255 })
        : dtype === 'int8'
          ? fc.integer({ min: -128, max: 127 })
          : dtype === 'int16'
            ? fc.integer({ min: -32768, max: 32767 })
            : dtype === 'int32'
              ? fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
              : fc.float({ noNaN: true, noDefaultInfinity: true })
    return fc
      .array(value, { minLength: count, maxLength: count })
      .map((values) => ({ dtype, shape, values, bytes: encodeIdx(dtype, shape, values) }))
  })

/** Mutations of a byte string: flipped bytes, a cut, inserted bytes. */
const mutated = (bytes: fc.Arbitrary<Uint8Array>) =>
  fc
    .tuple(
      bytes,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      fc.option(fc.nat()),
      fc.option(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 }))),
    )
    .map(([original, flips, cut, insert]) => {
      let out = original.slice()
      for (const [at, value] of flips) if (out.length > 0) out[at % out.length] = value
      if (cut !== null && out.length > 0) out = out.slice(0, cut % out.length)
      if (insert !== null) {
        const at = insert[0] % (out.length + 1)
        out = Uint8Array.from([...out.subarray(0, at), ...insert[1], ...out.subarray(at)])
      }
      return out
    })

const time = <T>(fn: () => T): T => {
  const start = performance.now()
  try {
    return fn()
  } finally {
    expect(performance.now() - start).toBeLessThan(MAX_MS)
  }
}

/** parseIdx's contract: a consistent array, or an IdxError with a message and hint. */
function parseChecked(bytes: Uint8Array, outcomes: Tally): void {
  try {
    const parsed = time(() => parseIdx(bytes, { maxInflatedBytes: MAX_INFLATED }))
    expect(parsed.data.length).toBe(parsed.shape.reduce((a, b) => a * b, 1))
    outcomes.add('parsed')
  } catch (error) {
    if (!(error instanceof IdxError)) throw error
    expect(error.message.length).toBeGreaterThan(10)
    expect(error.hint.length).toBeGreaterThan(10)
    outcomes.add(error.code)
  }
}

describe('reliability: property-based tests of parsers and decoders', () => {
  it('parseIdx: valid IDX files of every dtype and small shapes read back exactly', ({ task }) => {
    fc.assert(
      fc.property(idxFile, ({ dtype, shape, values, bytes }) => {
        const parsed = parseIdx(bytes)
        expect(parsed.dtype).toBe(dtype)
        expect(parsed.shape).toEqual(shape)
        const expected = dtype === 'float32' ? Float32Array.from(values) : values
        expect(Array.from(parsed.data)).toEqual(Array.from(expected))
        // The same file gzip-compressed, and cut into two gzip members.
        const gz = new Uint8Array(gzipSync(bytes))
        expect(Array.from(parseIdx(gz).data)).toEqual(Array.from(parsed.data))
        const half = bytes.length >> 1
        const two = Uint8Array.from([
          ...gzipSync(bytes.subarray(0, half)),
          ...gzipSync(bytes.subarray(half)),
        ])
        expect(Array.from(parseIdx(two).data)).toEqual(Array.from(parsed.data))
      }),
      { numRuns: RUNS },
    )
    record(task, RUNS, 'read back exactly, plain, gzip and two-member gzip')
  })

  it('parseIdx: arbitrary bytes, and valid files mutated (plain and gzip): an array or an IdxError', ({
    task,
  }) => {
    const outcomes = new Tally()
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      mutated(idxFile.map((f) => f.bytes)),
      mutated(idxFile.map((f) => new Uint8Array(gzipSync(f.bytes)))),
      idxFile.map((f) => new Uint8Array(gzipSync(f.bytes))).chain((gz) => mutated(fc.constant(gz))),
    )
    fc.assert(
      fc.property(inputs, (bytes) => parseChecked(bytes, outcomes)),
      { numRuns: 4 * RUNS },
    )
    record(task, 4 * RUNS, `typed: ${outcomes}`)
  })

  it('gunzip: arbitrary bytes after the gzip magic, and mutated gzip files: data or IDX_BAD_GZIP', ({
    task,
  }) => {
    const outcomes = new Tally()
    const payload = fc.uint8Array({ maxLength: 3000 })
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((b) => Uint8Array.from([0x1f, 0x8b, 8, ...b])),
      mutated(payload.map((p) => new Uint8Array(gzipSync(p)))),
      mutated(
        fc
          .array(payload, { minLength: 2, maxLength: 4 })
          .map((parts) => Uint8Array.from(parts.flatMap((p) => [...gzipSync(p)]))),
      ),
    )
    fc.assert(
      fc.property(inputs, (bytes) => {
        try {
          const out = time(() => gunzip(bytes, 'x.gz', { maxBytes: MAX_INFLATED }))
          expect(out.data.length).toBeLessThanOrEqual(MAX_INFLATED)
          outcomes.add(out.stopped ? `stopped (${out.stopped})` : 'inflated')
        } catch (error) {
          expect(error).toBeInstanceOf(DataError)
          expect((error as DataError).code).toBe('IDX_BAD_GZIP')
          outcomes.add('IDX_BAD_GZIP')
        }
      }),
      { numRuns: 4 * RUNS },
    )
    record(task, 4 * RUNS, `typed: ${outcomes}`)
  })

  it('gunzip: any payload cut into any number of gzip members inflates to the payload', ({
    task,
  }) => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 5000 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.integer({ min: 0, max: 9 }),
        (payload, cuts, level) => {
          const at = [...new Set(cuts.map((c) => c % (payload.length + 1)))].sort((a, b) => a - b)
          const bounds = [0, ...at, payload.length]
          const members = bounds
            .slice(1)
            .map((end, i) => gzipSync(payload.subarray(bounds[i], end), { level }))
          const gz = Uint8Array.from(members.flatMap((m) => [...m]))
          expect(gunzip(gz).data).toEqual(payload)
        },
      ),
      { numRuns: RUNS },
    )
    record(task, RUNS, 'inflated exactly')
  })
})
