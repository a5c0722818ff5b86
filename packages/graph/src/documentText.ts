import { type ErrorCode, type ErrorValues, errorMessages } from './errors.js'
import { GraphValidationError, type ValidationProblem } from './GraphValidationError.js'
import { MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_KEYS } from './limits.js'
import type { JsonObject } from './migrations.js'

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

/** A path into a document: keys and indices. */
export type Path = readonly (string | number)[]

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

/** A validation problem at `path`, worded from the message map. */
export const problem = <C extends ErrorCode>(
  code: C,
  path: Path,
  values: ErrorValues<C>,
): ValidationProblem => ({
  code,
  path: formatPath(path),
  message: (errorMessages[code] as (v: ErrorValues<C>) => string)(values),
})

/** A failed parse with these problems. */
export const fail = (...problems: [ValidationProblem, ...ValidationProblem[]]) =>
  ({ ok: false, error: new GraphValidationError(problems) }) as const

/**
 * JSON has no NaN or Infinity: `JSON.stringify` would turn them into `null`, and the message would
 * then blame a `null` the caller never wrote. Values given as objects mark them instead.
 */
export const NON_FINITE = '\u0000nonFinite'

/** The text of a NaN or Infinity given in an object, else undefined. */
export const nonFinite = (value: unknown): string | undefined => {
  if (typeof value !== 'object' || value === null) return undefined
  const marked = (value as Record<string, unknown>)[NON_FINITE]
  return typeof marked === 'string' ? marked : undefined
}

/** How a value reads in a message: `string "784"`, `number NaN`, `an array`. */
export const describe = (value: unknown): string => {
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
export function scan(root: unknown): ValidationProblem | null {
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

/** True for objects that are not arrays. */
export const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** A copy of arrays (shallow per level), the value itself otherwise. */
export const copy = <T>(value: T): T => (Array.isArray(value) ? (value.map(copy) as T) : value)

/** Reads JSON text or a JSON-like value into plain data that we own (so the input is never touched). */
export function toPlainData(
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
