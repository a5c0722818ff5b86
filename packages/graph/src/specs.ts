import type { ParamInput } from './blocks/block.js'
import { blocks } from './blocks/index.js'
import { makeIssue } from './errors.js'
import type { ShapeIssue } from './issue.js'
import type { LayerParams, LayerType } from './layerTypes.js'
import { formatPython } from './python.js'
import type { DataLossParams, NodeSpec, NodeType, ParamSpec } from './types.js'

export { formatPython, pythonNumber } from './python.js'

const types = Object.keys(blocks) as NodeType[]

const specOf = <T extends NodeType>(type: T): NodeSpec<T> => {
  const block = blocks[type]
  const params = Object.entries(block.params as Record<string, ParamInput>).map(
    ([name, spec]): ParamSpec => ({ name, ...spec }),
  )
  const { category, description, defaults } = block
  return { type, category, description, params, defaults: defaults as Record<string, unknown> }
}

/** Every node type with its category, description, parameter specs and PyTorch defaults. */
export const nodeSpecs: { [T in NodeType]: NodeSpec<T> } = Object.fromEntries(
  types.map((type) => [type, specOf(type)]),
) as { [T in NodeType]: NodeSpec<T> }

/** Every node type, in palette order (data, layers, activations, losses). */
export const nodeTypes: readonly NodeType[] = types

const defaultsOf = (kinds: readonly string[]) =>
  Object.fromEntries(
    types.filter((t) => kinds.includes(blocks[t].kind)).map((t) => [t, blocks[t].defaults]),
  )

/**
 * Default parameters of each layer type: PyTorch's defaults where PyTorch has one (`bias: true`,
 * `stride: 1`, `eps: 1e-5`, …; `MaxPool2d` `stride: null` = kernel size), and the lesson's sizes
 * where PyTorch requires a value (`Linear(784, 128)`, `Conv2d(1, 32, 3)`, `Softmax(dim=1)`).
 */
export const layerDefaults = defaultsOf(['layer']) as { [T in LayerType]: LayerParams[T] }

/** Defaults of the data and loss node types (MNIST's mean and std for Normalize). */
export const dataLossDefaults = defaultsOf(['dataset', 'split', 'transform', 'loader', 'loss']) as {
  [T in keyof DataLossParams]: DataLossParams[T]
}

/** True when `type` is one of the node types Tensorloom knows. */
export function isNodeType(type: unknown): type is NodeType {
  return typeof type === 'string' && Object.hasOwn(blocks, type)
}

const describeRange = (spec: ParamSpec): string => {
  const { min, max } = spec
  const noun = spec.kind === 'float' || spec.kind === 'floatList' ? 'a number' : 'an integer'
  if (min !== undefined && max !== undefined) {
    return spec.minExclusive
      ? `${noun} greater than ${min} and at most ${max}`
      : `${noun} from ${min} to ${max}`
  }
  return noun
}

const inRange = (spec: ParamSpec, value: number): boolean =>
  (spec.min === undefined || (spec.minExclusive ? value > spec.min : value >= spec.min)) &&
  (spec.max === undefined || value <= spec.max)

/** What a valid value looks like, for messages: 'an integer from 1 to 100000'. */
export function expectedValue(spec: ParamSpec): string {
  switch (spec.kind) {
    case 'bool':
      return 'true or false'
    case 'enum':
      return `one of ${(spec.options ?? []).map((o) => `'${o}'`).join(', ')}`
    case 'floatList':
      return `a list of 1 to ${spec.maxLength ?? 16} numbers, each ${describeRange(spec).replace(/^a number /, '')}`
    case 'intList':
      return `a list of 1 to ${spec.maxLength ?? 16} integers, each ${describeRange(spec).replace(/^an integer /, '')}`
    case 'intOrNull':
      return `empty or ${describeRange(spec)}`
    case 'text':
      return `a text of 1 to ${spec.maxLength ?? 200} characters`
    case 'textList':
      return `a list of up to ${spec.maxLength ?? 1000} names of 1 to 200 characters`
    default:
      return describeRange(spec)
  }
}

/** True when `value` is a valid value for `spec`. */
export function isValidValue(spec: ParamSpec, value: unknown): boolean {
  switch (spec.kind) {
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) && inRange(spec, value)
    case 'intOrNull':
      return (
        value === null ||
        (typeof value === 'number' && Number.isInteger(value) && inRange(spec, value))
      )
    case 'float':
      return typeof value === 'number' && Number.isFinite(value) && inRange(spec, value)
    case 'bool':
      return typeof value === 'boolean'
    case 'enum':
      return typeof value === 'string' && (spec.options ?? []).includes(value)
    case 'floatList':
      return (
        Array.isArray(value) &&
        value.length >= 1 &&
        value.length <= (spec.maxLength ?? 16) &&
        value.every((v) => typeof v === 'number' && Number.isFinite(v) && inRange(spec, v))
      )
    case 'intList':
      return (
        Array.isArray(value) &&
        value.length >= 1 &&
        value.length <= (spec.maxLength ?? 16) &&
        value.every((v) => typeof v === 'number' && Number.isInteger(v) && inRange(spec, v))
      )
    case 'text':
      return (
        typeof value === 'string' && value.length >= 1 && value.length <= (spec.maxLength ?? 200)
      )
    case 'textList':
      return (
        Array.isArray(value) &&
        value.length <= (spec.maxLength ?? 1000) &&
        value.every((v) => typeof v === 'string' && v.length >= 1 && v.length <= 200)
      )
  }
}

/** Finds the spec of a parameter, or undefined. */
export function paramSpec(type: NodeType, name: string): ParamSpec | undefined {
  return nodeSpecs[type]?.params.find((p) => p.name === name)
}

/**
 * Checks one parameter value; returns an issue with PyTorch's wording where PyTorch has one, and a
 * fix that restores the default. Null when the value is fine.
 */
export function paramIssue(type: NodeType, name: string, value: unknown): ShapeIssue | null {
  if (!isNodeType(type)) {
    return makeIssue('UNKNOWN_NODE_TYPE', { type, known: nodeTypes })
  }
  const spec = paramSpec(type, name)
  if (!spec) {
    return makeIssue('UNKNOWN_PARAM', {
      type,
      param: name,
      known: nodeSpecs[type].params.map((p) => p.name),
    })
  }
  if (isValidValue(spec, value)) return null
  const fallback = nodeSpecs[type].defaults[name]
  const fix =
    fallback === undefined
      ? undefined
      : ({
          kind: 'setParam',
          param: name,
          value: fallback,
          label: `Set ${spec.label} = ${formatPython(fallback)}`,
        } as const)
  const block = blocks[type] as {
    invalidParam?: (n: string, v: unknown, f: typeof fix) => ShapeIssue | null
  }
  const own = block.invalidParam?.(name, value, fix)
  if (own) return own
  return makeIssue(
    'INVALID_PARAM',
    { type, param: name, label: spec.label, value, expected: expectedValue(spec) },
    fix,
  )
}

/**
 * Checks one parameter value for the inspector: null when it is valid, else a message saying what
 * is expected, e.g. `Linear: in_features must be an integer from 1 to 100000, but got -1`.
 */
export function validateParam(type: NodeType, name: string, value: unknown): string | null {
  return paramIssue(type, name, value)?.message ?? null
}

/** Checks all parameters of a node; returns the first problem or null. */
export function firstParamIssue(
  type: NodeType,
  params: Readonly<Record<string, unknown>>,
): ShapeIssue | null {
  const specs = nodeSpecs[type].params
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!
    const value = params[spec.name]
    if (!isValidValue(spec, value)) return paramIssue(type, spec.name, value)
  }
  return null
}
