import { z } from 'zod'
import { type ErrorCode, type ErrorValues, errorMessages } from './errors.js'
import { GraphValidationError, type ValidationProblem } from './GraphValidationError.js'
import { type JsonObject, migrations, OLDEST_VERSION } from './migrations.js'
import { expectedValue, isNodeType, isValidValue, nodeSpecs, nodeTypes } from './specs.js'
import { defaultTraining, trainingSpecs } from './training.js'
import type { GraphDocument, GraphEdge, GraphNode, ParamSpec, TrainingSettings } from './types.js'

/** The document version this Tensorloom writes. */
export const CURRENT_VERSION = 2
/** Largest document `parseGraph` reads, in bytes of JSON (5 MiB). */
export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
/** Most nodes a document may hold. */
export const MAX_NODES = 5000
/** Most edges a document may hold. */
export const MAX_EDGES = 20_000
/** Deepest nesting of objects and arrays a document may have. */
export const MAX_DEPTH = 32
/** Most keys one object in a document may have (a valid one has at most a dozen). */
export const MAX_KEYS = 1000
/** Horizontal distance between nodes laid out left to right. */
export const NODE_SPACING = 220

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])
const MAX_PROBLEMS = 20

type Path = readonly (string | number)[]

/** Formats a path like `nodes[3].params.inFeatures`. */
export function formatPath(path: Path): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out ? `.${part}` : part
    else out += `[${JSON.stringify(part)}]`
  }
  return out
}

const problem = <C extends ErrorCode>(
  code: C,
  path: Path,
  values: ErrorValues<C>,
): ValidationProblem => ({
  code,
  path: formatPath(path),
  message: (errorMessages[code] as (v: ErrorValues<C>) => string)(values),
})

const fail = (...problems: [ValidationProblem, ...ValidationProblem[]]) =>
  ({ ok: false, error: new GraphValidationError(problems) }) as const

/**
 * JSON has no NaN or Infinity: `JSON.stringify` would turn them into `null`, and the message would
 * then blame a `null` the caller never wrote. Values given as objects mark them instead.
 */
const NON_FINITE = '\u0000nonFinite'

const nonFinite = (value: unknown): string | undefined => {
  if (typeof value !== 'object' || value === null) return undefined
  const marked = (value as Record<string, unknown>)[NON_FINITE]
  return typeof marked === 'string' ? marked : undefined
}

const describe = (value: unknown): string => {
  if (value === null) return 'null'
  const marked = nonFinite(value)
  if (marked !== undefined) return `number ${marked}`
  if (Array.isArray(value)) return 'an array'
  switch (typeof value) {
    case 'string':
      return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`
    case 'undefined':
      return 'nothing'
    default:
      return 'an object'
  }
}

const byteLength = (text: string): number => {
  // Most documents are ASCII; only count exactly when it could matter.
  if (text.length * 3 <= MAX_DOCUMENT_BYTES) return text.length
  return new TextEncoder().encode(text).length
}

/**
 * Checks keys and depth without recursion, so hostile nesting cannot overflow the stack. Walks
 * depth first keeping only the current path (at most `MAX_DEPTH` frames), so a document of
 * millions of values costs no allocation per value.
 */
function scan(root: unknown): ValidationProblem | null {
  type Frame = { value: object; keys: string[] | null; next: number; key: string | number }
  const frames: Frame[] = []
  const pathTo = (last?: string | number): (string | number)[] => {
    const path = frames.slice(1).map((f) => f.key)
    if (last !== undefined) path.push(last)
    return path
  }
  const enter = (value: object, key: string | number): ValidationProblem | null => {
    const keys = Array.isArray(value) ? null : Object.keys(value)
    frames.push({ value, keys, next: 0, key })
    if (frames.length - 1 >= MAX_DEPTH) return problem('TOO_DEEP', pathTo(), { max: MAX_DEPTH })
    if (keys && keys.length > MAX_KEYS) {
      return problem('TOO_MANY_KEYS', pathTo(), { count: keys.length, max: MAX_KEYS })
    }
    for (const k of keys ?? []) {
      if (FORBIDDEN_KEYS.has(k)) return problem('FORBIDDEN_KEY', pathTo(k), { key: k })
    }
    return null
  }
  if (typeof root !== 'object' || root === null) return null
  const first = enter(root, '')
  if (first) return first
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]!
    const size = frame.keys ? frame.keys.length : (frame.value as unknown[]).length
    if (frame.next >= size) {
      frames.pop()
      continue
    }
    const key = frame.keys ? frame.keys[frame.next]! : frame.next
    frame.next++
    const child = (frame.value as Record<string | number, unknown>)[key]
    if (typeof child === 'object' && child !== null) {
      const found = enter(child, key)
      if (found) return found
    }
  }
  return null
}

const idSchema = z.string().min(1).max(200)
const positionSchema = z.object({ x: z.number(), y: z.number() })
const nodeSchema = z.object({
  id: idSchema,
  type: z.string(),
  params: z.record(z.string(), z.unknown()).optional(),
  position: positionSchema.optional(),
})
const edgeSchema = z.object({
  id: idSchema.optional(),
  source: idSchema,
  target: idSchema,
  targetPort: z.string().max(100).optional(),
})
const documentSchema = z.object({
  version: z.literal(CURRENT_VERSION),
  name: z.string().max(200).optional(),
  nodes: z.array(nodeSchema).max(MAX_NODES),
  edges: z.array(edgeSchema).max(MAX_EDGES),
  training: z.record(z.string(), z.unknown()).optional(),
})

const paramSchema = (spec: ParamSpec): z.ZodType => {
  switch (spec.kind) {
    case 'int':
    case 'float':
      return z.number()
    case 'intOrNull':
      return z.number().nullable()
    case 'bool':
      return z.boolean()
    case 'enum':
      return z.enum((spec.options ?? []) as [string, ...string[]])
    case 'floatList':
    case 'intList':
      return z.array(z.number()).max(spec.maxLength ?? 16)
  }
}

/** Strict per-type parameter schemas: types are checked here, ranges by `inferShapes`. */
const paramSchemas = new Map(
  nodeTypes.map((type) => [
    type,
    z.strictObject(
      Object.fromEntries(nodeSpecs[type].params.map((s) => [s.name, paramSchema(s).optional()])),
    ),
  ]),
)

const expectedOf = (issue: z.core.$ZodIssue): string => {
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

const describeReceived = (value: unknown, issue: z.core.$ZodIssue): string => {
  if (issue.code === 'too_big' && Array.isArray(value)) return `${value.length} items`
  if (issue.code === 'too_big' && typeof value === 'string') return `${value.length} characters`
  return describe(value)
}

function zodProblems(
  issues: readonly z.core.$ZodIssue[],
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

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const copy = <T>(value: T): T => (Array.isArray(value) ? (value.map(copy) as T) : value)

/** Reads JSON text or a JSON-like value into plain data that we own (so the input is never touched). */
function toPlainData(
  input: unknown,
): { ok: true; data: unknown } | { ok: false; error: GraphValidationError } {
  let text: string
  if (typeof input === 'string') {
    // Editors on Windows may save a byte order mark, which JSON.parse rejects as an invisible token.
    text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input
  } else {
    try {
      const s = JSON.stringify(input, (_key, value: unknown) =>
        typeof value === 'number' && !Number.isFinite(value)
          ? { [NON_FINITE]: String(value) }
          : value,
      )
      if (s === undefined) return fail(problem('NOT_JSON', [], { reason: `got ${typeof input}` }))
      text = s
    } catch (e) {
      // Objects nested thousands of levels deep overflow JSON.stringify's recursion.
      if (e instanceof RangeError && /call stack/i.test(e.message)) {
        return fail(problem('TOO_DEEP', [], { max: MAX_DEPTH }))
      }
      return fail(problem('NOT_JSON', [], { reason: e instanceof Error ? e.message : String(e) }))
    }
  }
  const bytes = byteLength(text)
  if (bytes > MAX_DOCUMENT_BYTES) {
    return fail(problem('DOCUMENT_TOO_LARGE', [], { bytes, max: MAX_DOCUMENT_BYTES }))
  }
  try {
    return { ok: true, data: JSON.parse(text) as unknown }
  } catch (e) {
    return fail(problem('NOT_JSON', [], { reason: e instanceof Error ? e.message : String(e) }))
  }
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

  const parsed = documentSchema.safeParse(raw)
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
        const result = paramSchemas.get(node.type)!.safeParse(given)
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
