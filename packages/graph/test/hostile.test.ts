// Hostile and broken graph files: every one is rejected with a GraphValidationError (or loaded and
// then reported by inferShapes), within a bounded time, without mutating the input, and nothing a
// document says can reach the code of an exported program.
import { describe, expect, it } from 'vitest'
import { record, Tally } from '../../../scripts/reliability/meta.js'
import { applyFix } from '../src/applyFix.js'
import { toPyTorch } from '../src/codegen/toPyTorch.js'
import { toTypeScript } from '../src/codegen/toTypeScript.js'
import { errorMessages } from '../src/errors.js'
import { GraphExportError } from '../src/GraphExportError.js'
import { GraphValidationError } from '../src/GraphValidationError.js'
import { inferShapes } from '../src/inferShapes.js'
import {
  MAX_DEPTH,
  MAX_DOCUMENT_BYTES,
  MAX_EDGES,
  MAX_KEYS,
  MAX_NODES,
  parseGraph,
  safeParseGraph,
  serializeGraph,
} from '../src/parseGraph.js'
import { nodeSpecs } from '../src/specs.js'
import { templates } from '../src/templates.js'
import { trainingSpecs } from '../src/training.js'
import type { GraphDocument } from '../src/types.js'

// Safety guards, not speed targets: generous for shared CI machines, yet far below what a
// runaway loop takes. MAX_MS per ordinary document; BIG_MS for the 5,000-node and 20,000-edge
// graphs. Documents near the 5 MiB limit also pay for JSON.parse itself, which a loaded machine
// slows as much as our code, so a multiple of that comes on top.
const MAX_MS = 2000
const BIG_MS = 10_000
const PARSE_FACTOR = 4

// biome-ignore lint/suspicious/noExplicitAny: tests edit the JSON copy freely at any depth
type Json = Record<string, any>
const lessonJson = (): Json => JSON.parse(serializeGraph(templates.lesson))

const time = <T>(fn: () => T): { value: T; ms: number } => {
  const start = performance.now()
  const value = fn()
  return { value, ms: performance.now() - start }
}

const knownCodes = new Set(Object.keys(errorMessages))

/**
 * Loads `input` and checks the contract every hostile document must meet: safeParseGraph returns
 * (never throws), parseGraph throws only GraphValidationError, the error has a known code, a
 * path and a short message that starts with the path, and it took less than `maxMs`.
 * Returns the error code, or 'ok' with the document.
 */
function load(
  input: unknown,
  maxMs = MAX_MS,
): { code: string; error?: GraphValidationError; doc?: GraphDocument } {
  const { value: result, ms } = time(() => safeParseGraph(input))
  expect(ms).toBeLessThan(maxMs)
  if (result.ok) return { code: 'ok', doc: result.doc }
  const error = result.error
  expect(error).toBeInstanceOf(GraphValidationError)
  expect(knownCodes.has(error.code), error.code).toBe(true)
  expect(error.message.length).toBeGreaterThan(10)
  // A clear message is a short one, even for a 5 MB document.
  expect(error.message.length).toBeLessThan(600)
  if (error.path) expect(error.message.startsWith(`${error.path}: `)).toBe(true)
  return { code: error.code, error }
}

/** inferShapes and both exporters on unvalidated data: no throw but GraphExportError. */
function useRaw(input: unknown, maxMs = MAX_MS): void {
  const { value: result, ms } = time(() => inferShapes(input as GraphDocument))
  expect(ms).toBeLessThan(maxMs)
  expect(result.issues.filter((i) => i.code === 'INTERNAL_ERROR')).toEqual([])
  for (const generate of [toPyTorch, toTypeScript]) {
    try {
      generate(input as GraphDocument)
    } catch (e) {
      expect(e).toBeInstanceOf(GraphExportError)
    }
  }
}

const deepArrayText = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`
const deepObjectText = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`
const deepArray = (levels: number): unknown => {
  let v: unknown = 1
  for (let i = 0; i < levels; i++) v = [v]
  return v
}
const deepObject = (levels: number): unknown => {
  let v: unknown = 1
  for (let i = 0; i < levels; i++) v = { a: v }
  return v
}

describe('reliability: hostile graph files', () => {
  it('nesting 100,000 levels deep, as JSON text and as JavaScript objects', ({ task }) => {
    const lesson = JSON.stringify(lessonJson())
    const levels = 100_000
    const cases: [string, unknown, string][] = [
      ['a bare 100,000-deep array', deepArrayText(levels), 'INVALID_VALUE'],
      ['a bare 100,000-deep object', deepObjectText(levels), 'TOO_DEEP'],
      ['in a parameter', lesson.replace('[0.1307]', deepArrayText(levels)), 'TOO_DEEP'],
      ['as the name', lesson.replace('"MNIST lesson"', deepObjectText(levels)), 'TOO_DEEP'],
      ['in training', lesson.replace('"Adam"', deepArrayText(levels)), 'TOO_DEEP'],
      ['as an unknown key', lesson.replace('{', `{"x":${deepObjectText(levels)},`), 'TOO_DEEP'],
      ['one level too deep', lesson.replace('[0.1307]', deepArrayText(MAX_DEPTH)), 'TOO_DEEP'],
      ['a JS array chain', deepArray(levels), 'TOO_DEEP'],
      ['a JS object chain', deepObject(levels), 'TOO_DEEP'],
      ['a JS chain in a parameter', withParam(deepArray(levels)), 'TOO_DEEP'],
      ['a JS chain 1,000 deep', withParam(deepObject(1000)), 'TOO_DEEP'],
    ]
    const outcomes = new Tally()
    for (const [name, input, code] of cases) {
      const result = load(input)
      expect(result.code, name).toBe(code)
      if (typeof input !== 'string') useRaw(input)
      outcomes.add(result.code)
    }
    record(task, cases.length, `rejected: ${outcomes}`)
  })

  it('files of 10 MB and more, as text and as objects', ({ task }) => {
    const lesson = lessonJson()
    const ten = 10_000_000
    const cases: [string, unknown][] = [
      ['a 10 MB name', JSON.stringify({ ...lesson, name: 'x'.repeat(ten) })],
      ['10 MB of two-byte characters', JSON.stringify({ ...lesson, name: 'é'.repeat(ten / 2) })],
      ['10 MB of whitespace', `${' '.repeat(ten)}${JSON.stringify(lesson)}`],
      ['a 10 MB node id', JSON.stringify(lesson).replace('"n1"', `"${'n'.repeat(ten)}"`)],
      ['a 10 MB object', { ...lesson, name: 'x'.repeat(ten) }],
      ['one byte over the limit', `${' '.repeat(MAX_DOCUMENT_BYTES)}{}`],
    ]
    for (const [name, input] of cases) {
      const { code, error } = load(input)
      expect(code, name).toBe('DOCUMENT_TOO_LARGE')
      expect(error!.message).toMatch(/^The document is [\d,]+ bytes, more than the 5,242,880-byte/)
    }
    record(task, cases.length, `rejected: DOCUMENT_TOO_LARGE ×${cases.length}`)
  })

  it('files just under 5 MiB built to be slow to check', ({ task }) => {
    const keys = (n: number) => Array.from({ length: n }, (_, i) => `"k${i}":0`).join(',')
    const node = (i: number, rest: string) => `{"id":"n${i}","type":"Linear",${rest}}`
    const cases: [string, string, string][] = [
      [
        '2,600,000 numbers in a parameter list',
        `{"version":1,"edges":[],"nodes":[{"id":"a","type":"Normalize","params":{"mean":[${'0,'.repeat(2_600_000)}0]}}]}`,
        'INVALID_VALUE',
      ],
      [
        '1,700,000 empty arrays as the name',
        `{"version":1,"nodes":[],"edges":[],"name":[${'[],'.repeat(1_700_000)}0]}`,
        'INVALID_VALUE',
      ],
      [
        '300,000 training settings',
        `{"version":1,"nodes":[],"edges":[],"training":{${keys(300_000)}}}`,
        'TOO_MANY_KEYS',
      ],
      [
        '500 nodes with 999 unknown parameters each',
        `{"version":1,"edges":[],"nodes":[${Array.from({ length: 500 }, (_, i) => node(i, `"params":{${keys(MAX_KEYS - 1)}}`)).join(',')}]}`,
        'UNKNOWN_PARAM',
      ],
      [
        `${MAX_EDGES.toLocaleString('en-US')} edges to missing nodes`,
        `{"version":1,"nodes":[],"edges":[${Array.from({ length: MAX_EDGES }, (_, i) => `{"source":"a${i}","target":"b${i}"}`).join(',')}]}`,
        'MISSING_NODE',
      ],
      [
        '5,000 nodes of an unknown 500-character type',
        `{"version":1,"edges":[],"nodes":[${Array.from({ length: MAX_NODES }, (_, i) => `{"id":"n${i}","type":"${'X'.repeat(500)}"}`).join(',')}]}`,
        'UNKNOWN_NODE_TYPE',
      ],
    ]
    const outcomes = new Tally()
    let slowest = 0
    for (const [name, text, code] of cases) {
      expect(text.length, name).toBeLessThan(MAX_DOCUMENT_BYTES)
      const parseMs = time(() => JSON.parse(text)).ms
      const start = performance.now()
      expect(load(text, MAX_MS + PARSE_FACTOR * parseMs).code, name).toBe(code)
      slowest = Math.max(slowest, performance.now() - start - parseMs)
      outcomes.add(code)
    }
    record(task, cases.length, `rejected: ${outcomes}`)
  })

  it('10,000 nodes, 20,000 edges and a 5,000-layer network', ({ task }) => {
    const relus = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ id: `n${i}`, type: 'ReLU' as const }))
    const outcomes = new Tally()
    // Too many nodes or edges, as text and as objects.
    const tooMany: [unknown, string][] = [
      [{ version: 1, nodes: relus(10_000), edges: [] }, 'TOO_MANY_NODES'],
      [JSON.stringify({ version: 1, nodes: relus(10_000), edges: [] }), 'TOO_MANY_NODES'],
      [
        {
          version: 1,
          nodes: relus(2),
          edges: Array.from({ length: MAX_EDGES + 1 }, () => ({ source: 'n0', target: 'n1' })),
        },
        'TOO_MANY_EDGES',
      ],
    ]
    for (const [input, code] of tooMany) {
      expect(load(input, BIG_MS).code).toBe(code)
      outcomes.add(code)
    }
    // 10,000 unvalidated nodes straight into inferShapes and the exporters.
    useRaw({ version: 1, nodes: relus(10_000), edges: [] }, BIG_MS)
    outcomes.add('raw 10,000 nodes: reported')

    // 5,000 nodes with 20,000 random edges: loads, and inferShapes reports cycles and fan-in.
    const tangled = {
      version: 1,
      nodes: relus(MAX_NODES),
      edges: Array.from({ length: MAX_EDGES }, (_, i) => ({
        id: `e${i}`,
        source: `n${(i * 7919) % MAX_NODES}`,
        target: `n${(i * 104_729 + 1) % MAX_NODES}`,
      })),
    }
    const loaded = load(tangled, BIG_MS)
    expect(loaded.code).toBe('ok')
    const inference = time(() => inferShapes(loaded.doc!))
    expect(inference.ms).toBeLessThan(BIG_MS)
    const codes = new Set(inference.value.issues.map((i) => i.code))
    expect(codes).toContain('CYCLE')
    expect(codes).toContain('MULTIPLE_INPUTS')
    expect(() => toPyTorch(loaded.doc!)).toThrow(GraphExportError)
    outcomes.add('5,000 nodes × 20,000 edges: loaded, errors reported')

    // A valid network of 5,000 nodes: loads, has no errors, exports within the bound.
    const steps: [string, Json][] = [
      ['MNIST', {}],
      ['ToTensor', {}],
      ['Normalize', {}],
      ['DataLoader', {}],
      ['Flatten', {}],
      ['Linear', { inFeatures: 784, outFeatures: 16 }],
    ]
    while (steps.length < MAX_NODES - 2) {
      steps.push(['ReLU', {}], ['Linear', { inFeatures: 16, outFeatures: 16 }])
    }
    steps.push(['Linear', { inFeatures: 16, outFeatures: 10 }], ['CrossEntropyLoss', {}])
    const big = {
      version: 1,
      nodes: steps.map(([type, params], i) => ({ id: `n${i}`, type, params })),
      edges: steps.slice(1).map((_, i) => ({ source: `n${i}`, target: `n${i + 1}` })),
    }
    const bigDoc = load(big, BIG_MS)
    expect(bigDoc.code).toBe('ok')
    const checked = time(() => inferShapes(bigDoc.doc!))
    expect(checked.ms).toBeLessThan(BIG_MS)
    expect(checked.value.issues.filter((i) => i.severity === 'error')).toEqual([])
    const exported = time(() => toPyTorch(bigDoc.doc!))
    expect(exported.ms).toBeLessThan(BIG_MS)
    const hidden = steps.filter(([, p]) => p.inFeatures === 16 && p.outFeatures === 16).length
    expect(exported.value.match(/nn\.Linear\(16, 16\)/g)).toHaveLength(hidden)
    outcomes.add('5,000-node network: loaded, checked, exported')
    record(task, 6, outcomes.toString())
  })

  it('__proto__, constructor and prototype keys at every level, and prototype tricks', ({
    task,
  }) => {
    const places: [string, (d: Json) => Json, string][] = [
      ['the document', (d) => d, ''],
      ['a node', (d) => d.nodes[5], 'nodes[5].'],
      ['params', (d) => d.nodes[5].params, 'nodes[5].params.'],
      ['a position', (d) => d.nodes[0].position, 'nodes[0].position.'],
      ['an edge', (d) => d.edges[3], 'edges[3].'],
      ['training', (d) => d.training, 'training.'],
    ]
    const outcomes = new Tally()
    let cases = 0
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      for (const [name, at, prefix] of places) {
        // As text: JSON.parse makes `__proto__` an own key.
        const d = lessonJson()
        const text = JSON.stringify(d).replace(
          JSON.stringify(at(d)).slice(0, -1),
          `${JSON.stringify(at(d)).slice(0, -1)},"${key}":{"polluted":true}`,
        )
        const fromText = load(text)
        expect(fromText.code, `${key} in ${name}`).toBe('FORBIDDEN_KEY')
        expect(fromText.error!.path).toBe(`${prefix}${key}`)
        outcomes.add(fromText.code)
        // As an object: an own, enumerable key (defineProperty, so no prototype is set).
        const o = lessonJson()
        Object.defineProperty(at(o), key, {
          value: { polluted: true },
          enumerable: true,
          configurable: true,
          writable: true,
        })
        expect(load(o).code).toBe('FORBIDDEN_KEY')
        useRaw(o)
        applyFix(o as GraphDocument, 'n6', { kind: 'removeNode', label: 'Remove' })
        outcomes.add('FORBIDDEN_KEY')
        cases += 2
      }
    }
    // A prototype that carries a document: inherited properties are not the document's.
    const inherited = load(Object.create(lessonJson()))
    expect(inherited.code).toBe('UNSUPPORTED_VERSION')
    outcomes.add(inherited.code)
    // A document whose prototype is null, and one whose params have a null prototype: fine.
    const bare = Object.assign(Object.create(null), lessonJson())
    bare.nodes[5].params = Object.assign(Object.create(null), bare.nodes[5].params)
    expect(load(bare).code).toBe('ok')
    outcomes.add('ok')
    cases += 2
    expect(({} as Json).polluted).toBeUndefined()
    expect(Object.keys(Object.prototype)).toEqual([])
    record(task, cases, `${outcomes}; Object.prototype untouched`)
  })

  it('extreme numbers in every numeric field: 1e308, 1e309, -0, 5e-324, 2^53+1, NaN, ±Infinity', ({
    task,
  }) => {
    // Every numeric parameter of every node type, every position and every training setting.
    const slots: [string, (d: Json) => [Json, string]][] = []
    const base = (): Json => {
      const d = lessonJson()
      // One node of each type with numeric params, unconnected: inferShapes reports it anyway.
      for (const [type, spec] of Object.entries(nodeSpecs)) {
        if (spec.params.some((p) => p.kind !== 'bool' && p.kind !== 'enum'))
          d.nodes.push({ id: `x${type}`, type, params: {}, position: { x: 0, y: 0 } })
      }
      return d
    }
    for (const [type, spec] of Object.entries(nodeSpecs)) {
      for (const p of spec.params) {
        if (p.kind === 'bool' || p.kind === 'enum') continue
        slots.push([
          `${type}.${p.name}`,
          (d) => [d.nodes.find((n: Json) => n.id === `x${type}`).params, p.name],
        ])
      }
    }
    slots.push(['position.x', (d) => [d.nodes[0].position, 'x']])
    for (const s of trainingSpecs) {
      if (s.kind !== 'enum') slots.push([`training.${s.name}`, (d) => [d.training, s.name]])
    }
    const listSlot = (name: string) =>
      Object.values(nodeSpecs).some((spec) =>
        spec.params.some(
          (p) => (p.kind === 'floatList' || p.kind === 'intList') && name.endsWith(`.${p.name}`),
        ),
      )
    const values: [string, number | 'text:1e309'][] = [
      ['1e308', 1e308],
      ['-1e308', -1e308],
      ['1e309', 'text:1e309'],
      ['-0', -0],
      ['5e-324', 5e-324],
      ['2^53+1', 2 ** 53 + 1],
      ['NaN', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
      ['-Infinity', Number.NEGATIVE_INFINITY],
    ]
    const outcomes = new Tally()
    let cases = 0
    for (const [slot, at] of slots) {
      for (const [label, v] of values) {
        const d = base()
        const [holder, key] = at(d)
        const wrap = (x: unknown) => (listSlot(slot) ? [x] : x)
        let input: unknown
        if (v === 'text:1e309') {
          holder[key] = wrap('@@')
          input = JSON.stringify(d).replace('"@@"', '1e309')
        } else {
          holder[key] = wrap(v)
          input = d
        }
        const before = typeof input === 'string' ? input : structuredClone(input)
        const result = load(input)
        cases++
        if (typeof input !== 'string') {
          expect(input).toStrictEqual(before)
          useRaw(input)
        }
        if (result.code !== 'ok') {
          // JSON cannot hold NaN or Infinity: the message names the value the caller wrote.
          expect(result.code, `${slot} = ${label}`).toBe('INVALID_VALUE')
          if (!Number.isFinite(v)) {
            const shown = v === 'text:1e309' ? 'Infinity' : String(v)
            expect(result.error!.message).toContain(`got number ${shown}`)
          }
          outcomes.add('rejected on load')
          continue
        }
        expect(Number.isFinite(v), `${slot} = ${label} loaded`).toBe(true)
        const issues = inferShapes(result.doc!).issues.filter((i) => i.severity === 'error')
        const onSlot = issues.some((i) => i.values && Object.values(i.values).includes(v))
        outcomes.add(onSlot ? 'loaded, error on the node' : 'loaded, accepted')
        // Whatever loaded and checks clean exports finite numbers only.
        try {
          const script = toPyTorch(result.doc!)
          expect(script).not.toMatch(/\b(nan|inf|NaN|Infinity)\b/)
        } catch (e) {
          expect(e).toBeInstanceOf(GraphExportError)
        }
      }
    }
    record(task, cases, outcomes.toString())
  })

  it('text that is almost JSON', ({ task }) => {
    const lesson = JSON.stringify(lessonJson())
    const cases: [string, string, string][] = [
      ['empty', '', 'NOT_JSON'],
      ['whitespace only', ' \n\t ', 'NOT_JSON'],
      ['a byte order mark', `\uFEFF${lesson}`, 'ok'],
      ['a trailing comma', lesson.replace(/}$/, ',}'), 'NOT_JSON'],
      ['a comment', `// graph\n${lesson}`, 'NOT_JSON'],
      ['single quotes', lesson.replaceAll('"', "'"), 'NOT_JSON'],
      ['a NaN literal', lesson.replace('0.001', 'NaN'), 'NOT_JSON'],
      ['an Infinity literal', lesson.replace('0.001', 'Infinity'), 'NOT_JSON'],
      ['unquoted keys', lesson.replace('"version"', 'version'), 'NOT_JSON'],
      ['trailing garbage', `${lesson}x`, 'NOT_JSON'],
      ['two documents', `${lesson}${lesson}`, 'NOT_JSON'],
      ['a NUL byte', lesson.replace('"MNIST lesson"', '"MNIST\u0000lesson"'), 'NOT_JSON'],
      ['an escaped NUL', lesson.replace('MNIST lesson', 'MNIST\\u0000lesson'), 'ok'],
      ['a lone surrogate', lesson.replace('MNIST lesson', '\\ud800'), 'ok'],
      ['duplicate keys (the last wins)', lesson.replace('{', '{"version":7,'), 'ok'],
      ['a document encoded twice', JSON.stringify(lesson), 'INVALID_VALUE'],
      ['a number', '1e309', 'INVALID_VALUE'],
      ['null', 'null', 'INVALID_VALUE'],
      ['truncated in a string', lesson.slice(0, lesson.indexOf('lesson')), 'NOT_JSON'],
      ['an invalid escape', lesson.replace('MNIST lesson', '\\x41'), 'NOT_JSON'],
      ['UTF-16 read as Latin-1', `\u00ff\u00fe${lesson.split('').join('\u0000')}`, 'NOT_JSON'],
    ]
    const outcomes = new Tally()
    for (const [name, text, code] of cases) {
      expect(load(text).code, name).toBe(code)
      outcomes.add(code)
    }
    record(task, cases.length, outcomes.toString())
  })

  it('hostile JavaScript values: cycles, getters that throw, proxies, bigints, symbols, frozen objects', ({
    task,
  }) => {
    const cyclic = lessonJson()
    cyclic.nodes[0].params.self = cyclic
    const getter = lessonJson()
    Object.defineProperty(getter.nodes[5], 'params', {
      enumerable: true,
      get() {
        throw new Error('getter exploded')
      },
    })
    const trap = () => {
      throw new Error('trap exploded')
    }
    const proxy = new Proxy(lessonJson(), {
      ownKeys: trap,
      get: trap,
      getOwnPropertyDescriptor: trap,
    })
    const badToJson = { toJSON: () => ({ version: 1, nodes: 'no', edges: [] }) }
    const throwingToJson = {
      toJSON() {
        throw new Error('toJSON exploded')
      },
    }
    const symbols = { ...lessonJson(), [Symbol('x')]: 1 }
    const frozen = deepFreeze(lessonJson())
    const cases: [string, unknown, string[]][] = [
      ['a cycle', cyclic, ['NOT_JSON']],
      ['a getter that throws', getter, ['NOT_JSON']],
      ['a proxy whose traps throw', proxy, ['NOT_JSON']],
      ['a bigint', { ...lessonJson(), version: 1n }, ['NOT_JSON']],
      ['a toJSON returning junk', badToJson, ['INVALID_VALUE']],
      ['a toJSON that throws', throwingToJson, ['NOT_JSON']],
      ['a symbol key (ignored)', symbols, ['ok']],
      ['a symbol', Symbol('doc'), ['NOT_JSON']],
      ['a function', () => lessonJson(), ['NOT_JSON']],
      ['undefined', undefined, ['NOT_JSON']],
      ['a Map', new Map(Object.entries(lessonJson())), ['UNSUPPORTED_VERSION']],
      ['a Date', new Date(0), ['INVALID_VALUE']],
      ['a typed array', new Float64Array(8), ['UNSUPPORTED_VERSION']],
      ['a class instance', Object.assign(new (class Doc {})(), lessonJson()), ['ok']],
      ['a deep-frozen document', frozen, ['ok']],
      ['an array of documents', [lessonJson()], ['INVALID_VALUE']],
    ]
    const outcomes = new Tally()
    for (const [name, input, codes] of cases) {
      const result = load(input)
      expect(codes, name).toContain(result.code)
      if (typeof input === 'object' && input !== null && input !== proxy && input !== getter) {
        useRaw(input)
      }
      outcomes.add(result.code)
    }
    expect(() => parseGraph(proxy)).toThrow(GraphValidationError)
    expect(load(frozen).doc).toEqual(templates.lesson)
    record(task, cases.length, outcomes.toString())
  })

  it('names and ids that try to escape into exported code', ({ task }) => {
    const hostile = [
      'x\nimport os; os.system("echo PWNED")\n#',
      'x\r\nprint("PWNED")',
      'x\rprint("PWNED")',
      'x\u2028alert("PWNED")\u2029',
      'x\u0085print("PWNED")',
      'x\u000bprint("PWNED")\u000c',
      'x */ process.exit(1) /*',
      '"""; print("PWNED"); """',
      "'); print('PWNED') #",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal injection attempt
      '${process.exit(1)}`',
      '\\\nprint("PWNED")',
      'coding: latin-1',
      '-*- coding=utf-7 -*- +AAo-print("PWNED")',
      '\u0000\u001b[2J\u007f\u009b',
      '\ud800x\udfff',
    ]
    // Dangerous line breaks for Python or JavaScript source, and a few more to be safe.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: these control characters are the point
    const lines = (text: string) => text.split(/\r\n|[\n\r\u2028\u2029\u0085\v\f\u001c-\u001e]/)
    const code = (text: string, comment: string) =>
      lines(text).filter((line) => !line.trimStart().startsWith(comment))
    const codingCookie = /^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+/

    // A document with warnings (no shuffle, no Normalize), so node ids reach the comments.
    const build = (name: string, idOf: (i: number) => string): GraphDocument => {
      const d = lessonJson()
      d.nodes[3].params.shuffle = false
      d.name = name
      const ids = new Map<string, string>()
      d.nodes.forEach((n: Json, i: number) => {
        ids.set(n.id, idOf(i))
        n.id = idOf(i)
      })
      for (const e of d.edges) {
        e.source = ids.get(e.source)
        e.target = ids.get(e.target)
        e.targetPort = name.slice(0, 100)
      }
      return parseGraph(d)
    }
    const benign = build('x', (i) => `n${i}`)
    let cases = 0
    for (const text of hostile) {
      const doc = build(text, (i) => `${text}${i}`)
      expect(inferShapes(doc).issues.some((i) => i.code === 'SHUFFLE_DISABLED')).toBe(true)
      for (const [generate, comment] of [
        [toPyTorch, '#'],
        [toTypeScript, '//'],
      ] as const) {
        const safe = generate(benign)
        const out = generate(doc)
        // The hostile text changed comments only: same lines, same code.
        expect(lines(out).length, JSON.stringify(text)).toBe(lines(safe).length)
        expect(code(out, comment)).toEqual(code(safe, comment))
        if (comment === '#') {
          for (const line of lines(out).slice(0, 2)) expect(line).not.toMatch(codingCookie)
        } else {
          expect(out).not.toContain('*/')
        }
        cases++
      }
    }
    record(task, cases, `${cases} exports: hostile text stayed inside comments`)
  })

  it('never mutates its input: deep-frozen templates and variants through every entry point', ({
    task,
  }) => {
    let cases = 0
    for (const template of Object.values(templates)) {
      const variants: Json[] = [JSON.parse(serializeGraph(template))]
      const broken = JSON.parse(serializeGraph(template))
      broken.nodes.splice(4, 1)
      variants.push(broken)
      const nan = JSON.parse(serializeGraph(template))
      if (nan.nodes[5]) nan.nodes[5].params = { inFeatures: Number.NaN }
      variants.push(nan)
      for (const variant of variants) {
        const before = structuredClone(variant)
        const input = deepFreeze(variant)
        load(input)
        const result = inferShapes(input as GraphDocument)
        const fixable = result.issues.find((i) => i.fix)
        if (fixable) applyFix(input as GraphDocument, fixable.nodeId, fixable.fix!)
        useRaw(input)
        expect(input).toStrictEqual(before)
        cases++
      }
    }
    record(task, cases, `${cases} frozen documents through parse, inferShapes, applyFix, export`)
  })
})

describe('reliability: hostile branching networks', () => {
  const pipeline = (): Json[] => lessonJson().nodes.slice(0, 5) // MNIST, ToTensor, Normalize, DataLoader, Flatten
  const chainEdges = (ids: string[]): Json[] =>
    ids.slice(1).map((id, i) => ({ id: `c${i}`, source: ids[i], target: id }))
  const docOf = (nodes: Json[], edges: Json[]): Json => ({ ...lessonJson(), nodes, edges })
  const linear = (id: string, inFeatures = 784, outFeatures = 784) => ({
    id,
    type: 'Linear',
    params: { inFeatures, outFeatures, bias: true },
  })

  it('5,000 merges, fan-in of 4,000 into one Concat, fan-out of 4,000, a 5,000-deep DAG, cycles through merges, 10,000 raw merges', ({
    task,
  }) => {
    const outcomes = new Tally()
    const base = pipeline()
    const ids = base.map((n) => n.id as string)

    // 4,990 Add blocks in a ladder, each adding the previous sum to Flatten's output.
    const ladder: Json[] = [...base]
    const ladderEdges: Json[] = chainEdges(ids)
    let prev = 'n5'
    for (let i = 0; i < 4990; i++) {
      ladder.push({ id: `add${i}`, type: 'Add', params: {} })
      ladderEdges.push({ id: `la${i}`, source: prev, target: `add${i}`, targetPort: 'a' })
      ladderEdges.push({ id: `lb${i}`, source: 'n5', target: `add${i}`, targetPort: 'b' })
      prev = `add${i}`
    }
    ladder.push(linear('head', 784, 10), { id: 'loss', type: 'CrossEntropyLoss', params: {} })
    ladderEdges.push(
      { id: 'h', source: prev, target: 'head' },
      { id: 'l', source: 'head', target: 'loss' },
    )
    const deep = load(docOf(ladder, ladderEdges), BIG_MS)
    expect(deep.code).toBe('ok')
    const inference = time(() => inferShapes(deep.doc!))
    expect(inference.ms).toBeLessThan(BIG_MS)
    expect(inference.value.issues).toEqual([])
    expect(time(() => toPyTorch(deep.doc!)).ms).toBeLessThan(BIG_MS)
    outcomes.add('4,990-merge ladder: valid, exported')

    // One Concat with 4,000 inputs from 4,000 branches off Flatten (fan-out and fan-in at once).
    const fan: Json[] = [...base]
    const fanEdges: Json[] = chainEdges(ids)
    fan.push({ id: 'cat', type: 'Concat', params: { dim: 1 } })
    for (let i = 0; i < 4000; i++) {
      fan.push({ id: `r${i}`, type: 'ReLU', params: {} })
      fanEdges.push({ id: `f${i}`, source: 'n5', target: `r${i}` })
      fanEdges.push({ id: `g${i}`, source: `r${i}`, target: 'cat', targetPort: String(i) })
    }
    fan.push(linear('head', 784 * 4000, 10), { id: 'loss', type: 'CrossEntropyLoss', params: {} })
    fanEdges.push(
      { id: 'h', source: 'cat', target: 'head' },
      { id: 'l', source: 'head', target: 'loss' },
    )
    const wide = load(docOf(fan, fanEdges), BIG_MS)
    expect(wide.code).toBe('ok')
    const fanIn = time(() => inferShapes(wide.doc!))
    expect(fanIn.ms).toBeLessThan(BIG_MS)
    expect(fanIn.value.nodes.cat?.outputShape).toEqual([64, 784 * 4000])
    // in_features 3,136,000 is over the limit: reported, not built.
    expect(fanIn.value.issues.map((i) => i.code)).toContain('INVALID_PARAM')
    outcomes.add('Concat of 4,000 branches: reported')

    // Every port taken twice, unknown ports, a cycle through an Add.
    const tangled = docOf(
      [...base, { id: 'add', type: 'Add', params: {} }, linear('fc')],
      [
        ...chainEdges(ids),
        { id: 'x1', source: 'n5', target: 'add', targetPort: 'a' },
        { id: 'x2', source: 'n4', target: 'add', targetPort: 'a' },
        { id: 'x3', source: 'fc', target: 'add', targetPort: 'b' },
        { id: 'x4', source: 'add', target: 'fc' },
        { id: 'x5', source: 'n5', target: 'add', targetPort: '__proto__' },
      ],
    )
    const cyc = load(tangled)
    expect(cyc.code).toBe('ok')
    const codes = new Set(inferShapes(cyc.doc!).issues.map((i) => i.code))
    for (const code of ['CYCLE', 'PORT_TAKEN', 'UNKNOWN_PORT']) expect(codes).toContain(code)
    expect(() => toPyTorch(cyc.doc!)).toThrow(GraphExportError)
    outcomes.add('cycle through a merge, taken and unknown ports: reported')

    // The same shapes as raw, unvalidated objects, and a ladder of 10,000 merges (over the limit
    // of a document, so only inferShapes and the exporters see it).
    useRaw(docOf(ladder, ladderEdges), BIG_MS)
    const huge = [...base]
    const hugeEdges = chainEdges(ids)
    for (let i = 0; i < 10_000; i++) {
      huge.push({ id: `m${i}`, type: i % 2 ? 'Mul' : 'Add', params: {} })
      hugeEdges.push({
        id: `ha${i}`,
        source: i ? `m${i - 1}` : 'n5',
        target: `m${i}`,
        targetPort: 'a',
      })
      hugeEdges.push({ id: `hb${i}`, source: 'n5', target: `m${i}`, targetPort: 'b' })
    }
    useRaw(docOf(huge, hugeEdges), BIG_MS)
    useRaw(docOf(fan, fanEdges), BIG_MS)
    outcomes.add('raw: reported')
    record(task, 5, outcomes.toString())
  })
})

function withParam(value: unknown): Json {
  const d = lessonJson()
  d.nodes[2].params.mean = value
  return d
}

function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const v = stack.pop()
    if (typeof v !== 'object' || v === null || Object.isFrozen(v)) continue
    Object.freeze(v)
    for (const key of Object.keys(v)) stack.push((v as Json)[key])
  }
  return value
}
