import * as z from 'zod/mini'
import type { $ZodIssue } from 'zod/v4/core'
import {
  copy,
  describe,
  fail,
  formatPath,
  isObject,
  type Path,
  problem,
  scan,
  toPlainData,
} from './documentText.js'
import type { GraphValidationError, ValidationProblem } from './GraphValidationError.js'
import { CURRENT_VERSION, MAX_EDGES, MAX_NODES, NODE_SPACING } from './limits.js'

import { type JsonObject, migrations, OLDEST_VERSION } from './migrations.js'
import { expectedValue, isNodeType, isValidValue, nodeSpecs, nodeTypes } from './specs.js'
import { defaultTraining, trainingSpecs } from './training.js'
import type { GraphDocument, GraphEdge, GraphNode, ParamSpec, TrainingSettings } from './types.js'

const MAX_PROBLEMS = 20

// The schemas are built on first use, not when the module loads: a bundle that imports
// `inferShapes` or the templates but never validates a document leaves zod out (the package is
// `sideEffects: false`, and module-level calls would otherwise keep it). `zod/mini` is zod's
// tree-shakable form: validating costs about 7 kB gzipped instead of 90.
function buildSchemas() {
  const id = z.string().check(z.minLength(1), z.maxLength(200))
  const position = z.object({ x: z.number(), y: z.number() })
  const node = z.object({
    id,
    type: z.string(),
    params: z.optional(z.record(z.string(), z.unknown())),
    position: z.optional(position),
  })
  const edge = z.object({
    id: z.optional(id),
    source: id,
    target: id,
    targetPort: z.optional(z.string().check(z.maxLength(100))),
  })
  const document = z.object({
    version: z.literal(CURRENT_VERSION),
    name: z.optional(z.string().check(z.maxLength(200))),
    nodes: z.array(node).check(z.maxLength(MAX_NODES)),
    edges: z.array(edge).check(z.maxLength(MAX_EDGES)),
    training: z.optional(z.record(z.string(), z.unknown())),
  })
  /** Strict per-type parameter schemas: types are checked here, ranges by `inferShapes`. */
  const params = new Map(
    nodeTypes.map((type) => [
      type,
      z.strictObject(
        Object.fromEntries(
          nodeSpecs[type].params.map((spec) => [spec.name, z.optional(paramSchema(spec))]),
        ),
      ),
    ]),
  )
  return { document, params }
}

function paramSchema(spec: ParamSpec): z.ZodMiniType {
  switch (spec.kind) {
    case 'int':
    case 'float':
      return z.number()
    case 'intOrNull':
      return z.nullable(z.number())
    case 'bool':
      return z.boolean()
    case 'enum':
      return z.enum((spec.options ?? []) as [string, ...string[]])
    case 'floatList':
    case 'intList':
      return z.array(z.number()).check(z.maxLength(spec.maxLength ?? 16))
    case 'text':
      return z.string().check(z.maxLength(spec.maxLength ?? 200))
    case 'textList':
      return z.array(z.string().check(z.maxLength(200))).check(z.maxLength(spec.maxLength ?? 1000))
  }
}

let schemas: ReturnType<typeof buildSchemas> | undefined
const getSchemas = () => (schemas ??= buildSchemas())

const expectedOf = (issue: $ZodIssue): string => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'int'
        ? 'an integer'
        : issue.expected === 'object' || issue.expected === 'record'
          ? 'an object'
          : issue.expected === 'array'
            ? 'an array'
            : `a ${issue.expected}`
    case 'invalid_value':
      return issue.values.length === 1
        ? JSON.stringify(issue.values[0])
        : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
    case 'too_big':
      return issue.origin === 'array'
        ? `at most ${issue.maximum} items`
        : issue.origin === 'string'
          ? `at most ${issue.maximum} characters`
          : `at most ${issue.maximum}`
    case 'too_small':
      return issue.origin === 'string' ? 'a non-empty string' : `at least ${issue.minimum}`
    default:
      return issue.message
  }
}

const valueAt = (root: unknown, path: readonly PropertyKey[]): unknown => {
  let v = root
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined
    v = (v as Record<PropertyKey, unknown>)[key]
  }
  return v
}

const describeReceived = (value: unknown, issue: $ZodIssue): string => {
  if (issue.code === 'too_big' && Array.isArray(value)) return `${value.length} items`
  if (issue.code === 'too_big' && typeof value === 'string') return `${value.length} characters`
  return describe(value)
}

function zodProblems(
  issues: readonly $ZodIssue[],
  root: unknown,
  prefix: Path,
): ValidationProblem[] {
  const out: ValidationProblem[] = []
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as (string | number)[])]
    if (issue.code === 'unrecognized_keys') {
      // Only parameter objects are strict; the caller rewrites these as UNKNOWN_PARAM.
      for (const key of issue.keys)
        out.push({ code: 'UNKNOWN_PARAM', path: formatPath([...path, key]), message: key })
      continue
    }
    if (issue.path[0] === 'version' && prefix.length === 0) {
      out.push(
        problem('UNSUPPORTED_VERSION', ['version'], {
          version: valueAt(root, ['version']),
          current: CURRENT_VERSION,
        }),
      )
      continue
    }
    const value = valueAt(root, issue.path)
    out.push(
      problem('INVALID_VALUE', path, {
        expected: expectedOf(issue),
        received: describeReceived(value, issue),
      }),
    )
  }
  return out
}

function migrate(
  data: JsonObject,
): { ok: true; data: JsonObject } | { ok: false; error: GraphValidationError } {
  let doc = data
  const version = doc.version
  if (version === CURRENT_VERSION) return { ok: true, data: doc }
  if (
    typeof version !== 'number' ||
    !Number.isInteger(version) ||
    version < OLDEST_VERSION ||
    version > CURRENT_VERSION
  ) {
    return fail(problem('UNSUPPORTED_VERSION', ['version'], { version, current: CURRENT_VERSION }))
  }
  for (let v = version; v < CURRENT_VERSION; v++) {
    const step = migrations[v]
    if (!step) {
      return fail(
        problem('UNSUPPORTED_VERSION', ['version'], { version, current: CURRENT_VERSION }),
      )
    }
    doc = step(doc)
  }
  return { ok: true, data: doc }
}

function checkTraining(
  raw: JsonObject | undefined,
  problems: ValidationProblem[],
): TrainingSettings {
  const training: Record<string, unknown> = { ...defaultTraining }
  if (!raw) return training as unknown as TrainingSettings
  for (const key of Object.keys(raw)) {
    const spec = trainingSpecs.find((s) => s.name === key)
    const value = raw[key]
    if (!spec) {
      problems.push({
        code: 'UNKNOWN_PARAM',
        path: formatPath(['training', key]),
        message: `Unknown training setting "${key}": expected ${trainingSpecs.map((s) => s.name).join(', ')}`,
      })
    } else if (!isValidValue(spec, value)) {
      problems.push(
        problem('INVALID_VALUE', ['training', key], {
          expected: expectedValue(spec),
          received: describe(value),
        }),
      )
    } else {
      training[key] = value
    }
  }
  return training as unknown as TrainingSettings
}

/**
 * Validates a graph document (JSON text or an already-parsed value) without throwing. Older
 * versions are migrated forward; missing parameters, positions, edge ids, name and training
 * settings get defaults. The input is never mutated: the result shares nothing with it.
 */
export function safeParseGraph(
  input: string | unknown,
): { ok: true; doc: GraphDocument } | { ok: false; error: GraphValidationError } {
  try {
    return parseUnsafe(input)
  } catch (e) {
    // A defect in a migration or schema must still surface as the typed error.
    return fail(
      problem('UNREADABLE_DOCUMENT', [], { reason: e instanceof Error ? e.message : String(e) }),
    )
  }
}

function parseUnsafe(
  input: unknown,
): { ok: true; doc: GraphDocument } | { ok: false; error: GraphValidationError } {
  const plain = toPlainData(input)
  if (!plain.ok) return plain
  const data = plain.data
  if (!isObject(data)) {
    return fail(problem('INVALID_VALUE', [], { expected: 'an object', received: describe(data) }))
  }
  const scanned = scan(data)
  if (scanned) return fail(scanned)

  if (Array.isArray(data.nodes) && data.nodes.length > MAX_NODES) {
    return fail(problem('TOO_MANY_NODES', ['nodes'], { count: data.nodes.length, max: MAX_NODES }))
  }
  if (Array.isArray(data.edges) && data.edges.length > MAX_EDGES) {
    return fail(problem('TOO_MANY_EDGES', ['edges'], { count: data.edges.length, max: MAX_EDGES }))
  }
  const migrated = migrate(data)
  if (!migrated.ok) return migrated
  const raw = migrated.data

  const parsed = getSchemas().document.safeParse(raw)
  if (!parsed.success) {
    const problems = zodProblems(parsed.error.issues, raw, [])
    return fail(...(problems.slice(0, MAX_PROBLEMS) as [ValidationProblem, ...ValidationProblem[]]))
  }
  const problems: ValidationProblem[] = []
  const seenNodes = new Set<string>()
  const nodes: GraphNode[] = parsed.data.nodes.map((node, i) => {
    if (seenNodes.has(node.id)) {
      problems.push(problem('DUPLICATE_ID', ['nodes', i, 'id'], { kind: 'node', id: node.id }))
    }
    seenNodes.add(node.id)
    let params: Record<string, unknown> = {}
    if (!isNodeType(node.type)) {
      problems.push(
        problem('UNKNOWN_NODE_TYPE', ['nodes', i, 'type'], { type: node.type, known: nodeTypes }),
      )
    } else {
      const given = node.params ?? {}
      // Only the first MAX_PROBLEMS problems are reported: past them, skip the costly check.
      if (problems.length < MAX_PROBLEMS) {
        const result = getSchemas().params.get(node.type)!.safeParse(given)
        if (!result.success) {
          for (const p of zodProblems(result.error.issues, given, ['nodes', i, 'params'])) {
            problems.push(
              p.code === 'UNKNOWN_PARAM'
                ? problem('UNKNOWN_PARAM', [...['nodes', i, 'params'], p.message], {
                    type: node.type,
                    param: p.message,
                    known: nodeSpecs[node.type].params.map((s) => s.name),
                  })
                : p,
            )
          }
        }
      }
      const defaults = nodeSpecs[node.type].defaults
      params = {}
      for (const spec of nodeSpecs[node.type].params) {
        params[spec.name] = copy(
          Object.hasOwn(given, spec.name) ? given[spec.name] : defaults[spec.name],
        )
      }
    }
    return {
      id: node.id,
      type: node.type as GraphNode['type'],
      params,
      position: node.position
        ? { x: node.position.x, y: node.position.y }
        : { x: i * NODE_SPACING, y: 0 },
    }
  })

  const seenEdges = new Set<string>()
  const edges: GraphEdge[] = parsed.data.edges.map((edge, i) => {
    const id = edge.id ?? `e-${edge.source}-${edge.target}`
    if (seenEdges.has(id)) {
      problems.push(
        problem('DUPLICATE_ID', ['edges', i, edge.id ? 'id' : 'target'], { kind: 'edge', id }),
      )
    }
    seenEdges.add(id)
    if (!seenNodes.has(edge.source)) {
      problems.push(problem('MISSING_NODE', ['edges', i, 'source'], { id: edge.source }))
    }
    if (!seenNodes.has(edge.target)) {
      problems.push(problem('MISSING_NODE', ['edges', i, 'target'], { id: edge.target }))
    }
    const out: GraphEdge = { id, source: edge.source, target: edge.target }
    if (edge.targetPort !== undefined) out.targetPort = edge.targetPort
    return out
  })

  const training = checkTraining(parsed.data.training, problems)
  if (problems.length > 0) {
    return fail(...(problems.slice(0, MAX_PROBLEMS) as [ValidationProblem, ...ValidationProblem[]]))
  }
  return {
    ok: true,
    doc: {
      version: CURRENT_VERSION,
      name: parsed.data.name ?? 'Untitled',
      nodes,
      edges,
      training,
    },
  }
}

/**
 * Validates a graph document (JSON text or a parsed value) and returns a new, complete document.
 * Throws a `GraphValidationError` naming the path of the problem, e.g.
 * `nodes[3].params.inFeatures: expected a number, got string "784"`. Never mutates the input.
 */
export function parseGraph(input: string | unknown): GraphDocument {
  const result = safeParseGraph(input)
  if (!result.ok) throw result.error
  return result.doc
}

/** Serializes a document as pretty JSON, the format `parseGraph` reads back. */
export function serializeGraph(doc: GraphDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`
}

export { formatPath } from './documentText.js'
export {
  CURRENT_VERSION,
  MAX_DEPTH,
  MAX_DOCUMENT_BYTES,
  MAX_EDGES,
  MAX_KEYS,
  MAX_NODES,
  NODE_SPACING,
} from './limits.js'
