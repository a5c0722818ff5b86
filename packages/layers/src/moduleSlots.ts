import * as tf from '@tensorflow/tfjs-core'
import { layersError } from './errors'
import type { ForwardHook, Module } from './Module'

/**
 * How a {@link Module} finds its children, parameters and buffers: by scanning its own enumerable
 * properties (there is no `__setattr__` in JavaScript), with a hidden registry for what a property
 * alone cannot say (which tensors are buffers, state-dict keys that differ from property names,
 * forward hooks). Shared by `Module.ts` and `stateDict.ts`.
 */

/** What a module registers besides its properties. */
export interface Registry {
  /** Property name -> whether the buffer is saved in the state dict. */
  buffers: Map<string, boolean>
  /** Property name -> state-dict key, where they differ (`runningMean` -> `running_mean`). */
  keys: Map<string, string>
  hooks: Map<number, ForwardHook>
  nextHookId: number
}

/** The hidden property holding a module's {@link Registry}. */
export const REGISTRY: unique symbol = Symbol('tensorloom.module')

/** A parameter or buffer of one module: state-dict key, property name and value. */
export interface Slot<T> {
  key: string
  prop: string
  value: T
}

/** A module, checked without importing the Module class (which imports this file). */
export function isModule(value: unknown): value is Module {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, REGISTRY)
}

export function isVariable(value: unknown): value is tf.Variable {
  return value instanceof tf.Variable
}

export function isTensor(value: unknown): value is tf.Tensor {
  return value instanceof tf.Tensor
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i])
}

/** How a value reads in a message: `null`, `number`, `Array`, `Tensor`. */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value !== 'object') return typeof value
  return value.constructor?.name ?? 'object'
}

/** The module's child modules, in property order. */
export function ownModules(module: Module): Array<[string, Module]> {
  const out: Array<[string, Module]> = []
  for (const prop of Object.keys(module)) {
    const value: unknown = (module as unknown as Record<string, unknown>)[prop]
    if (isModule(value)) out.push([prop, value])
  }
  return out
}

/** The module's own parameters (its `tf.Variable` properties that are not buffers). */
export function ownParameters(module: Module): Array<Slot<tf.Variable>> {
  const { buffers, keys } = module[REGISTRY]
  const out: Array<Slot<tf.Variable>> = []
  for (const prop of Object.keys(module)) {
    if (buffers.has(prop)) continue
    const value: unknown = (module as unknown as Record<string, unknown>)[prop]
    if (isVariable(value)) out.push({ key: keys.get(prop) ?? prop, prop, value })
  }
  return out
}

/** The module's own buffers (only those saved in the state dict when `persistentOnly`). */
export function ownBuffers(module: Module, persistentOnly = false): Array<Slot<tf.Tensor>> {
  const { buffers, keys } = module[REGISTRY]
  const out: Array<Slot<tf.Tensor>> = []
  for (const [prop, persistent] of buffers) {
    if (persistentOnly && !persistent) continue
    const value: unknown = (module as unknown as Record<string, unknown>)[prop]
    if (isTensor(value)) out.push({ key: keys.get(prop) ?? prop, prop, value })
  }
  return out
}

/**
 * Throws `INVALID_MODULE_NAME` unless `name` can name a new `kind` slot of `module` (called
 * `moduleName` in messages): a non-empty string without dots, not already an attribute of another
 * kind, PyTorch's rules for `add_module`, `register_parameter` and `register_buffer`.
 */
export function checkSlotName(
  module: Module,
  moduleName: string,
  kind: 'module' | 'parameter' | 'buffer',
  name: string,
): void {
  if (typeof name !== 'string') throw layersError('NAME_NOT_STRING', { kind, name })
  if (name === '') throw layersError('NAME_EMPTY', { kind, name })
  if (name.includes('.')) throw layersError('NAME_HAS_DOT', { kind, name })
  const existing: unknown = (module as unknown as Record<string, unknown>)[name]
  const clash =
    name in module &&
    existing !== undefined &&
    existing !== null &&
    !(kind === 'module' && isModule(existing)) &&
    !(kind === 'parameter' && isVariable(existing)) &&
    !(kind === 'buffer' && isTensor(existing))
  if (clash || (kind !== 'buffer' && module[REGISTRY].buffers.has(name))) {
    throw layersError('NAME_EXISTS', { name, module: moduleName })
  }
}
