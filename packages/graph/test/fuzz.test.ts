import { describe, expect, it } from 'vitest'
import { record, Tally } from '../../../scripts/reliability/meta.js'
import { applyFix } from '../src/applyFix.js'
import { toPyTorch } from '../src/codegen/toPyTorch.js'
import { toTypeScript } from '../src/codegen/toTypeScript.js'
import { GraphExportError } from '../src/GraphExportError.js'
import { GraphValidationError } from '../src/GraphValidationError.js'
import { inferShapes } from '../src/inferShapes.js'
import { safeParseGraph, serializeGraph } from '../src/parseGraph.js'
import { nodeTypes } from '../src/specs.js'
import { templates } from '../src/templates.js'
import type { GraphDocument } from '../src/types.js'

/** mulberry32: a small deterministic generator, so every run throws the same documents. */
function random(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!
  return { next, int, pick }
}

type Rng = ReturnType<typeof random>

const WEIRD_NUMBERS = [
  0,
  -0,
  -1,
  1,
  0.5,
  5e-324,
  -0.5,
  1e308,
  -1e308,
  2 ** 53,
  2 ** 53 + 2,
  784,
  10,
  3,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
]
const WEIRD_STRINGS = [
  '',
  'n1',
  'n2',
  '__proto__',
  'constructor',
  'prototype',
  'Linear',
  'ReLU',
  '784',
  'é'.repeat(50),
  '\uFEFF',
  '\ud800',
  'x\nprint(1)\n#',
  '\u2028',
  '*/',
  "');",
]

function value(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 3 ? 4 : 7)) {
    case 0:
      return rng.pick(WEIRD_NUMBERS)
    case 1:
      return rng.pick(WEIRD_STRINGS)
    case 2:
      return rng.pick([true, false, null, undefined])
    case 3:
      return rng.int(2000) - 1000
    case 4:
      return Array.from({ length: rng.int(4) }, () => value(rng, depth + 1))
    default: {
      const obj: Record<string, unknown> = {}
      for (let i = rng.int(4); i > 0; i--)
        obj[rng.pick([...WEIRD_STRINGS, 'id', 'type', 'params', 'version', 'nodes', 'edges'])] =
          value(rng, depth + 1)
      return obj
    }
  }
}

/** Walks to a random object or array inside `root`. */
function randomContainer(rng: Rng, root: unknown): Record<string, unknown> | unknown[] | null {
  let current: unknown = root
  for (let depth = rng.int(5); depth > 0; depth--) {
    if (typeof current !== 'object' || current === null) break
    const keys = Object.keys(current)
    if (keys.length === 0) break
    const next = (current as Record<string, unknown>)[rng.pick(keys)]
    if (typeof next !== 'object' || next === null) break
    current = next
  }
  return typeof current === 'object' && current !== null
    ? (current as Record<string, unknown>)
    : null
}

/** Flips, deletes or inserts a few characters of JSON text, as a damaged file would. */
function corrupt(rng: Rng, text: string): string {
  let out = text
  for (let n = 1 + rng.int(3); n > 0; n--) {
    const at = rng.int(out.length + 1)
    const ch = rng.pick([
      '{',
      '}',
      '[',
      ']',
      '"',
      ',',
      ':',
      '0',
      '-',
      'e',
      '\\',
      '\u0000',
      ' ',
      'é',
    ])
    switch (rng.int(3)) {
      case 0:
        out = out.slice(0, at) + ch + out.slice(at + 1)
        break
      case 1:
        out = out.slice(0, at) + out.slice(at + 1)
        break
      default:
        out = out.slice(0, at) + ch + out.slice(at)
    }
  }
  return out
}

function mutate(rng: Rng, doc: Record<string, unknown>): unknown {
  for (let n = 1 + rng.int(4); n > 0; n--) {
    const target = randomContainer(rng, doc)
    if (!target) continue
    const keys = Object.keys(target)
    const key = keys.length > 0 && rng.next() < 0.8 ? rng.pick(keys) : rng.pick(WEIRD_STRINGS)
    switch (rng.int(8)) {
      case 0:
        delete (target as Record<string, unknown>)[key]
        break
      case 1:
        ;(target as Record<string, unknown>)[key] = value(rng)
        break
      case 2:
        ;(target as Record<string, unknown>)[key] = rng.pick(WEIRD_NUMBERS)
        break
      case 3:
        if (Array.isArray(target) && target.length > 0)
          target.push(structuredClone(rng.pick(target)))
        break
      case 4: {
        const nodes = doc.nodes as { type: string; id: string }[] | undefined
        if (Array.isArray(nodes) && nodes.length > 0) {
          const node = rng.pick(nodes)
          if (node && typeof node === 'object') node.type = rng.pick(nodeTypes)
        }
        break
      }
      case 5: {
        const nodes = doc.nodes as { id: string }[] | undefined
        const edges = doc.edges as unknown[] | undefined
        if (Array.isArray(nodes) && Array.isArray(edges) && nodes.length > 0) {
          const a = rng.pick(nodes)
          const b = rng.pick(nodes)
          edges.push({ id: `x${rng.int(1000)}`, source: a?.id, target: b?.id })
        }
        break
      }
      case 6: {
        const edges = doc.edges as unknown[] | undefined
        if (Array.isArray(edges) && edges.length > 0) edges.splice(rng.int(edges.length), 1)
        break
      }
      default: {
        const nodes = doc.nodes as { params?: Record<string, unknown> }[] | undefined
        if (Array.isArray(nodes) && nodes.length > 0) {
          const node = rng.pick(nodes)
          if (node && typeof node === 'object' && node.params && typeof node.params === 'object') {
            const pk = Object.keys(node.params)
            if (pk.length > 0) node.params[rng.pick(pk)] = rng.pick(WEIRD_NUMBERS)
          }
        }
      }
    }
  }
  return doc
}

const DOCS = 3000
// Generous: the machines are shared, and a GC pause must not fail the test. A quadratic or
// runaway loop on a small document would still blow through it.
const MAX_MS_PER_DOC = 2000

/** Exports an unvalidated document: a string, or a `GraphExportError` and nothing else. */
function exportRaw(doc: unknown, outcomes: Tally): void {
  for (const generate of [toPyTorch, toTypeScript]) {
    try {
      expect(typeof generate(doc as GraphDocument)).toBe('string')
      outcomes.add('raw export: written')
    } catch (e) {
      expect(e).toBeInstanceOf(GraphExportError)
      outcomes.add('raw export: GraphExportError')
    }
  }
}

describe('reliability: graph document fuzz', () => {
  it(`random, mutated, truncated and corrupted documents (${DOCS}): parse, inferShapes, applyFix and export throw only their typed errors and never mutate the input`, ({
    task,
  }) => {
    const rng = random(0x7e45)
    const bases = Object.values(templates).map((t) => JSON.parse(serializeGraph(t)))
    const stats = { parsed: 0, rejected: 0, fixes: 0, exported: 0, slowest: 0 }
    const outcomes = new Tally()
    for (let i = 0; i < DOCS; i++) {
      let input: unknown
      const kind = rng.int(11)
      if (kind === 0) input = value(rng)
      else {
        const mutated = mutate(rng, structuredClone(rng.pick(bases)))
        if (kind === 1) {
          const text = JSON.stringify(mutated) ?? ''
          input = text.slice(0, rng.int(text.length + 1))
        } else if (kind === 2) {
          input = JSON.stringify(mutated)
        } else if (kind === 3) {
          input = corrupt(rng, JSON.stringify(mutated) ?? '')
        } else input = mutated
      }
      const before = structuredClone(input)
      const start = performance.now()
      const parsed = safeParseGraph(input)
      // inferShapes also receives unvalidated data (as from untyped callers): it must not throw.
      const raw = inferShapes(input as GraphDocument)
      // INTERNAL_ERROR would mean inferShapes caught a defect of its own: none may happen.
      expect(raw.issues.filter((x) => x.code === 'INTERNAL_ERROR')).toEqual([])
      if (typeof input === 'object' && input !== null) exportRaw(input, outcomes)
      if (parsed.ok) {
        stats.parsed++
        const result = inferShapes(parsed.doc)
        expect(result.issues.filter((x) => x.code === 'INTERNAL_ERROR')).toEqual([])
        const issue = result.issues.find((x) => x.fix)
        if (issue) {
          stats.fixes++
          inferShapes(applyFix(parsed.doc, issue.nodeId, issue.fix!))
        }
        if (!result.issues.some((x) => x.severity === 'error')) {
          stats.exported++
          expect(toPyTorch(parsed.doc)).toContain('class SimpleNN(nn.Module):')
        }
      } else {
        stats.rejected++
        expect(parsed.error).toBeInstanceOf(GraphValidationError)
        expect(typeof parsed.error.code).toBe('string')
        expect(typeof parsed.error.path).toBe('string')
        expect(parsed.error.message.length).toBeGreaterThan(0)
      }
      outcomes.add(parsed.ok ? 'parsed' : `rejected`)
      const took = performance.now() - start
      stats.slowest = Math.max(stats.slowest, took)
      // toEqual, not toStrictEqual: a mutation may have set a prototype (`x.__proto__ = […]`), which
      // structuredClone does not copy.
      expect(input).toEqual(before)
    }
    expect(stats.slowest).toBeLessThan(MAX_MS_PER_DOC)
    // The generator must exercise both outcomes, and fixes, and exports.
    expect(stats.parsed).toBeGreaterThan(DOCS / 10)
    expect(stats.rejected).toBeGreaterThan(DOCS / 10)
    expect(stats.fixes).toBeGreaterThan(50)
    expect(stats.exported).toBeGreaterThan(50)
    record(
      task,
      DOCS,
      `${outcomes}; ${stats.fixes} fixes applied, ${stats.exported} exported; all typed, none mutated`,
    )
  })
})
