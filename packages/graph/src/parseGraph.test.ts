import { describe, expect, it } from 'vitest'
import { GraphValidationError } from './GraphValidationError.js'
import { inferShapes } from './inferShapes.js'
import { migrations } from './migrations.js'
import {
  CURRENT_VERSION,
  MAX_DEPTH,
  MAX_DOCUMENT_BYTES,
  MAX_NODES,
  parseGraph,
  safeParseGraph,
  serializeGraph,
} from './parseGraph.js'
import { templates } from './templates.js'
import type { GraphDocument } from './types.js'

/** A mutable plain-JSON copy of the lesson template. */
// biome-ignore lint/suspicious/noExplicitAny: tests edit the JSON copy freely at any depth
const lessonJson = (): Record<string, any> => JSON.parse(serializeGraph(templates.lesson))

const errorOf = (input: unknown): GraphValidationError => {
  const result = safeParseGraph(input)
  if (result.ok) throw new Error('expected the document to be rejected')
  return result.error
}

describe('parseGraph', () => {
  it('round-trips every template through JSON', () => {
    for (const doc of Object.values(templates)) {
      expect(parseGraph(serializeGraph(doc))).toEqual(doc)
      expect(parseGraph(doc)).toEqual(doc)
    }
  })

  it('returns a document that shares nothing with the input, and leaves the input alone', () => {
    const input = lessonJson()
    const before = JSON.stringify(input)
    const doc = parseGraph(input)
    expect(JSON.stringify(input)).toBe(before)
    expect(doc.nodes[2]!.params.mean).not.toBe(input.nodes[2].params.mean)
    ;(doc.nodes[2]!.params.mean as number[]).push(1)
    expect(input.nodes[2].params.mean).toEqual([0.1307])
  })

  it('fills defaults for params, positions, edge ids, name and training', () => {
    const doc = parseGraph({
      version: 1,
      nodes: [
        { id: 'a', type: 'MNIST' },
        { id: 'b', type: 'Linear', params: { outFeatures: 10 } },
      ],
      edges: [{ source: 'a', target: 'b' }],
    })
    expect(doc).toEqual({
      version: CURRENT_VERSION,
      name: 'Untitled',
      nodes: [
        { id: 'a', type: 'MNIST', params: { train: true }, position: { x: 0, y: 0 } },
        {
          id: 'b',
          type: 'Linear',
          params: { inFeatures: 784, outFeatures: 10, bias: true },
          position: { x: 220, y: 0 },
        },
      ],
      edges: [{ id: 'e-a-b', source: 'a', target: 'b' }],
      training: { optimizer: 'Adam', lr: 0.001, momentum: 0.9, epochs: 1, seed: 42 },
    })
  })

  it('keeps out-of-range numbers for inferShapes to report on the node', () => {
    const input = lessonJson()
    input.nodes[5].params.inFeatures = -3
    expect(parseGraph(input).nodes[5]!.params.inFeatures).toBe(-3)
  })

  it('throws GraphValidationError with code and path', () => {
    const input = lessonJson()
    input.nodes[5].params.inFeatures = '784'
    expect(() => parseGraph(input)).toThrowError(GraphValidationError)
    const error = errorOf(input)
    expect(error.code).toBe('INVALID_VALUE')
    expect(error.path).toBe('nodes[5].params.inFeatures')
    expect(error.message).toBe('nodes[5].params.inFeatures: expected a number, got string "784"')
  })
})

describe('bad input', () => {
  const cases: [string, () => unknown, string, string][] = [
    ['not JSON', () => '{"version": 1,', 'NOT_JSON', ''],
    ['a JSON array', () => '[1, 2]', 'INVALID_VALUE', ''],
    ['null', () => null, 'INVALID_VALUE', ''],
    ['undefined', () => undefined, 'NOT_JSON', ''],
    [
      'a cyclic object',
      () => {
        const a: Record<string, unknown> = { version: 1 }
        a.self = a
        return a
      },
      'NOT_JSON',
      '',
    ],
    ['a bigint', () => ({ version: 1n }), 'NOT_JSON', ''],
    [
      'a __proto__ key',
      () => '{"version":1,"nodes":[],"edges":[],"__proto__":{"polluted":1}}',
      'FORBIDDEN_KEY',
      '__proto__',
    ],
    [
      'a constructor key in params',
      () => {
        const d = lessonJson()
        d.nodes[1].params = JSON.parse('{"constructor": {"prototype": {}}}')
        return d
      },
      'FORBIDDEN_KEY',
      'nodes[1].params.constructor',
    ],
    ['no version', () => ({ nodes: [], edges: [] }), 'UNSUPPORTED_VERSION', 'version'],
    [
      'a future version',
      () => ({ ...lessonJson(), version: CURRENT_VERSION + 1 }),
      'UNSUPPORTED_VERSION',
      'version',
    ],
    [
      'a string version',
      () => ({ ...lessonJson(), version: '1' }),
      'UNSUPPORTED_VERSION',
      'version',
    ],
    [
      'a negative version',
      () => ({ ...lessonJson(), version: -1 }),
      'UNSUPPORTED_VERSION',
      'version',
    ],
    [
      'duplicate node ids',
      () => {
        const d = lessonJson()
        d.nodes[3].id = 'n1'
        return d
      },
      'DUPLICATE_ID',
      'nodes[3].id',
    ],
    [
      'duplicate edge ids',
      () => {
        const d = lessonJson()
        d.edges[2].id = 'e1'
        return d
      },
      'DUPLICATE_ID',
      'edges[2].id',
    ],
    [
      'an edge to a missing node',
      () => {
        const d = lessonJson()
        d.edges[7].target = 'n99'
        return d
      },
      'MISSING_NODE',
      'edges[7].target',
    ],
    [
      'an unknown node type',
      () => {
        const d = lessonJson()
        d.nodes[6].type = 'Mish'
        return d
      },
      'UNKNOWN_NODE_TYPE',
      'nodes[6].type',
    ],
    [
      'a snake_case param in version 1',
      () => {
        const d = lessonJson()
        d.nodes[5].params = { in_features: 784 }
        return d
      },
      'UNKNOWN_PARAM',
      'nodes[5].params.in_features',
    ],
    [
      'a bad enum value',
      () => {
        const d = lessonJson()
        d.nodes[8].params.reduction = 'avg'
        return d
      },
      'INVALID_VALUE',
      'nodes[8].params.reduction',
    ],
    [
      'a string position',
      () => {
        const d = lessonJson()
        d.nodes[0].position.x = '0'
        return d
      },
      'INVALID_VALUE',
      'nodes[0].position.x',
    ],
    [
      'an empty node id',
      () => {
        const d = lessonJson()
        d.nodes[0].id = ''
        return d
      },
      'INVALID_VALUE',
      'nodes[0].id',
    ],
    [
      'a negative learning rate',
      () => ({ ...lessonJson(), training: { lr: -1 } }),
      'INVALID_VALUE',
      'training.lr',
    ],
    [
      'an unknown optimizer',
      () => ({ ...lessonJson(), training: { optimizer: 'RMSprop' } }),
      'INVALID_VALUE',
      'training.optimizer',
    ],
    [
      'nesting deeper than allowed',
      () => {
        const d = lessonJson()
        d.nodes[2].params.mean = '@'
        const deep = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`
        return JSON.stringify(d).replace('"@"', deep)
      },
      'TOO_DEEP',
      `nodes[2].params.mean${'[0]'.repeat(MAX_DEPTH - 4)}`,
    ],
  ]

  it.each(cases)('rejects %s', (_name, make, code, path) => {
    const error = errorOf(make())
    expect(error).toBeInstanceOf(GraphValidationError)
    expect({ code: error.code, path: error.path }).toEqual({ code, path })
    expect(error.message.length).toBeGreaterThan(10)
    if (path) expect(error.message.startsWith(`${path}: `)).toBe(true)
  })

  it('names unknown parameters and lists the known ones', () => {
    const d = lessonJson()
    d.nodes[5].params = { in_features: 784 }
    expect(errorOf(d).message).toBe(
      'nodes[5].params.in_features: Linear has no parameter "in_features": expected inFeatures, outFeatures, bias',
    )
  })

  it('reports every problem, not just the first', () => {
    const d = lessonJson()
    d.nodes[5].params.inFeatures = '784'
    d.nodes[7].params.bias = 'yes'
    d.edges[0].source = 'zz'
    const error = errorOf(d)
    expect(error.problems.map((p) => p.path)).toEqual([
      'nodes[5].params.inFeatures',
      'nodes[7].params.bias',
      'edges[0].source',
    ])
    expect(error.message).toContain('(and 2 more)')
  })

  it('caps the document size', () => {
    const d = lessonJson()
    d.name = 'x'.repeat(MAX_DOCUMENT_BYTES)
    const error = errorOf(JSON.stringify(d))
    expect(error.code).toBe('DOCUMENT_TOO_LARGE')
    expect(error.message).toMatch(
      /^The document is 5,24[0-9],[0-9]{3} bytes, more than the 5,242,880-byte limit$/,
    )
    expect(errorOf(d).code).toBe('DOCUMENT_TOO_LARGE')
  })

  it('counts multi-byte characters as bytes', () => {
    const d = lessonJson()
    d.name = 'é'.repeat(MAX_DOCUMENT_BYTES / 2 + 10)
    expect(errorOf(JSON.stringify(d)).code).toBe('DOCUMENT_TOO_LARGE')
  })

  it('caps the node count', () => {
    const nodes = Array.from({ length: MAX_NODES + 1 }, (_, i) => ({ id: `n${i}`, type: 'ReLU' }))
    const error = errorOf({ version: 1, nodes, edges: [] })
    expect(error.code).toBe('TOO_MANY_NODES')
    expect(error.message).toBe(
      'nodes: The document has 5,001 nodes, more than the 5,000-node limit',
    )
    expect(safeParseGraph({ version: 1, nodes: nodes.slice(1), edges: [] }).ok).toBe(true)
  })

  it('does not pollute prototypes', () => {
    safeParseGraph('{"version":1,"nodes":[],"edges":[],"__proto__":{"polluted":true}}')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('migrations', () => {
  const v0 = () => {
    const d = lessonJson()
    d.version = 0
    for (const node of d.nodes) {
      node.params = Object.fromEntries(
        Object.entries(node.params).map(([k, v]) => [
          k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
          v,
        ]),
      )
    }
    return d
  }

  it('migrates a version 0 document (snake_case params) to the current version', () => {
    const old = v0()
    expect(old.nodes[5].params).toEqual({ in_features: 784, out_features: 128, bias: true })
    expect(old.nodes[3].params).toEqual({ batch_size: 64, shuffle: true })
    const doc: GraphDocument = parseGraph(old)
    expect(doc.version).toBe(CURRENT_VERSION)
    expect(doc).toEqual(templates.lesson)
  })

  it('has a step from every older version to the current one', () => {
    for (let v = 0; v < CURRENT_VERSION; v++) expect(typeof migrations[v]).toBe('function')
  })

  it('does not mutate the old document', () => {
    const old = v0()
    const copy = structuredClone(old)
    migrations[0]!(old)
    expect(old).toEqual(copy)
  })

  it('opens every version 1 document (a saved file, share link or autosave) unchanged', () => {
    for (const template of [templates.lesson, templates.deepMlp, templates.smallCnn]) {
      const v1 = JSON.parse(serializeGraph(template))
      v1.version = 1
      const doc = parseGraph(JSON.stringify(v1))
      expect(doc).toEqual({ ...structuredClone(template), version: 2 })
      expect(inferShapes(doc)).toEqual(inferShapes(template))
    }
  })

  it('still validates the migrated document, naming the path', () => {
    const old = v0()
    old.nodes[5].params.in_features = 'many'
    const error = errorOf(old)
    expect(error.path).toBe('nodes[5].params.inFeatures')
  })
})
