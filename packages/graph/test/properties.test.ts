// Property-based tests (fast-check) of the document reader and what runs on what it accepts:
// arbitrary JSON values and text, and real documents with values replaced at arbitrary paths,
// shrunk to the smallest failing input when a property fails. safeParseGraph never throws; what it
// accepts infers shapes without an internal error and exports or throws a GraphExportError.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { record, Tally } from '../../../scripts/reliability/meta.js'
import { toPyTorch } from '../src/codegen/toPyTorch.js'
import { toTypeScript } from '../src/codegen/toTypeScript.js'
import { errorMessages } from '../src/errors.js'
import { GraphExportError } from '../src/GraphExportError.js'
import { GraphValidationError } from '../src/GraphValidationError.js'
import { inferShapes } from '../src/inferShapes.js'
import { parseGraph, safeParseGraph, serializeGraph } from '../src/parseGraph.js'
import { templates } from '../src/templates.js'
import type { GraphDocument } from '../src/types.js'

const RUNS = 500
// Per input: a guard against a runaway loop, not a speed target.
const MAX_MS = 500
const known = new Set(Object.keys(errorMessages))

/** The reader's contract, then inferShapes' and the exporters' on what it accepted. */
function check(input: unknown, outcomes: Tally): void {
  const start = performance.now()
  const result = safeParseGraph(input)
  expect(performance.now() - start).toBeLessThan(MAX_MS)
  if (!result.ok) {
    expect(result.error).toBeInstanceOf(GraphValidationError)
    expect(known.has(result.error.code), result.error.code).toBe(true)
    expect(result.error.message.length).toBeLessThan(600)
    outcomes.add(result.error.code)
    return
  }
  const doc = result.doc
  const inferred = inferShapes(doc)
  expect(inferred.issues.filter((i) => i.code === 'INTERNAL_ERROR')).toEqual([])
  for (const generate of [toPyTorch, toTypeScript]) {
    try {
      generate(doc)
    } catch (error) {
      expect(error).toBeInstanceOf(GraphExportError)
    }
  }
  // What was accepted saves and reads back to the same document.
  expect(parseGraph(serializeGraph(doc))).toEqual(doc)
  outcomes.add('accepted')
}

type Json = unknown
/** `doc` with the value at `path` (indices into keys and items, wrapped) set to `value`. */
function replaceAt(doc: Json, path: readonly number[], value: Json, remove: boolean): Json {
  if (path.length === 0 || doc === null || typeof doc !== 'object') return value
  const [head, ...rest] = path as [number, ...number[]]
  if (Array.isArray(doc)) {
    if (doc.length === 0) return value
    const i = head % doc.length
    const copy = [...doc]
    if (remove && rest.length === 0) copy.splice(i, 1)
    else copy[i] = replaceAt(doc[i], rest, value, remove)
    return copy
  }
  const keys = Object.keys(doc)
  if (keys.length === 0) return value
  const key = keys[head % keys.length]!
  const copy: Record<string, Json> = { ...(doc as Record<string, Json>) }
  if (remove && rest.length === 0) delete copy[key]
  else copy[key] = replaceAt((doc as Record<string, Json>)[key], rest, value, remove)
  return copy
}

const documents = fc.constantFrom(
  ...(Object.values(templates) as GraphDocument[]).map(
    (t) => JSON.parse(serializeGraph(t)) as Json,
  ),
)
const weird = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    0,
    -1,
    1.5,
    1e308,
    -0,
    2 ** 53 + 2,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '',
    '__proto__',
    'n1',
    'Linear',
    '784',
    null,
    [],
    {},
  ),
)
const mutated = fc
  .tuple(
    documents,
    fc.array(fc.tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), weird, fc.boolean()), {
      minLength: 1,
      maxLength: 3,
    }),
  )
  .map(([doc, edits]) =>
    edits.reduce((d, [path, value, remove]) => replaceAt(d, path, value, remove), doc),
  )

describe('reliability: property-based tests of parsers and decoders', () => {
  it('graph documents: arbitrary JSON values and text are read or refused with a known code', ({
    task,
  }) => {
    const outcomes = new Tally()
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue({ maxDepth: 5 }),
          fc.string({ maxLength: 300 }),
          fc.json({ maxDepth: 5 }),
        ),
        (input) => check(input, outcomes),
      ),
      { numRuns: RUNS },
    )
    record(task, RUNS, `never threw: ${outcomes}`)
  })

  it('graph documents: the templates with values replaced or removed at arbitrary paths, as objects and as text', ({
    task,
  }) => {
    const outcomes = new Tally()
    fc.assert(
      fc.property(mutated, fc.boolean(), (doc, asText) => {
        // JSON text cannot hold NaN or Infinity: as text they become null, as objects they stay.
        check(asText ? JSON.stringify(doc) : doc, outcomes)
      }),
      { numRuns: 4 * RUNS },
    )
    record(task, 4 * RUNS, `never threw, accepted ones exported or typed: ${outcomes}`)
  })
})
