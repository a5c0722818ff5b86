import * as tf from '@tensorflow/tfjs-core'
import { LayersError, layersError, layersMessage, torchSize } from './errors'
import type { Module } from './Module'
import {
  describe,
  isTensor,
  isVariable,
  ownBuffers,
  ownModules,
  ownParameters,
  type Slot,
  sameShape,
} from './moduleSlots'

/**
 * A module's state dict, saved and loaded like PyTorch's `state_dict()` and `load_state_dict()`,
 * and loaded all-or-nothing: every key, value, shape and dtype is checked and every copy made
 * before the first weight changes, so a dictionary that fails leaves the module as it was.
 */

/** Result of {@link Module.loadStateDict}, like PyTorch's `_IncompatibleKeys`. */
export interface LoadStateDictResult {
  /** Keys the module expects that the dictionary lacks (only reported, not thrown, when `strict` is false). */
  missingKeys: string[]
  /** Keys of the dictionary the module does not have. */
  unexpectedKeys: string[]
}

/** Options of {@link Module.loadStateDict}. */
export interface LoadStateDictOptions {
  /** Require the keys to match exactly (default true, like PyTorch). Shape mismatches always throw. */
  strict?: boolean
}

/** Thrown by {@link Module.loadStateDict}; the message is PyTorch's, word for word. */
export class StateDictError extends LayersError {
  /** Keys the module expects that the dictionary lacks. */
  readonly missingKeys: string[]
  /** Keys of the dictionary the module does not have. */
  readonly unexpectedKeys: string[]
  /** One line per other problem (shape mismatches, values that are not tensors). */
  readonly errors: string[]

  constructor(message: string, missingKeys: string[], unexpectedKeys: string[], errors: string[]) {
    const { hint, values } = layersMessage('STATE_DICT_MISMATCH', {
      module: '',
      missingKeys,
      unexpectedKeys,
      errors,
    })
    super('STATE_DICT_MISMATCH', message, { values, hint })
    this.name = 'StateDictError'
    this.missingKeys = missingKeys
    this.unexpectedKeys = unexpectedKeys
    this.errors = errors
  }
}

/** Parameters and persistent buffers of `root` and its descendants by PyTorch key. */
export function collectStateDict(root: Module): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {}
  const visit = (module: Module, prefix: string) => {
    for (const { key, value } of ownParameters(module)) out[prefix + key] = value
    for (const { key, value } of ownBuffers(module, true)) out[prefix + key] = value
    for (const [name, child] of ownModules(module)) visit(child, `${prefix}${name}.`)
  }
  visit(root, '')
  return out
}

/** Dtypes a state-dict value may have (tfjs' string and complex tensors cannot be copied in). */
const LOADABLE_DTYPES = new Set(['float32', 'int32', 'bool'])

/** A checked copy waiting to be made: into `slot` of `module`, the value `make()` returns. */
interface PendingCopy {
  module: Module
  slot: Slot<tf.Tensor>
  make: () => tf.Tensor
}

/** A copy made and not yet put in place. */
interface MadeCopy {
  module: Module
  slot: Slot<tf.Tensor>
  value: tf.Tensor
}

/**
 * Loads `stateDict` into `root` (see {@link Module.loadStateDict}): checks everything, makes
 * every copy, and only then puts them in place. `defaultFor(module, key)` gives a value for an own
 * key the dictionary lacks (BatchNorm's `num_batches_tracked`), or undefined.
 */
export function loadStateDictInto(
  root: Module,
  name: string,
  stateDict: unknown,
  options: unknown,
  defaultFor: (module: Module, key: string) => (() => tf.Tensor) | undefined,
): LoadStateDictResult {
  if (
    stateDict === null ||
    typeof stateDict !== 'object' ||
    Array.isArray(stateDict) ||
    isTensor(stateDict)
  ) {
    throw layersError('STATE_DICT_NOT_OBJECT', { module: name, got: describe(stateDict) })
  }
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw layersError('STATE_DICT_OPTIONS', { module: name, got: describe(options) })
  }
  const dict = stateDict as Record<string, unknown>
  const strict = (options as LoadStateDictOptions | undefined)?.strict ?? true
  const missingKeys: string[] = []
  const unexpectedKeys: string[] = []
  const errors: string[] = []
  const pending: PendingCopy[] = []
  const keys = Object.keys(dict)

  const visit = (module: Module, prefix: string) => {
    const local = new Set<string>()
    const slots = [...ownParameters(module), ...ownBuffers(module, true)]
    for (const slot of slots) {
      local.add(slot.key)
      const key = prefix + slot.key
      if (!Object.hasOwn(dict, key)) {
        const makeDefault = defaultFor(module, slot.key)
        if (makeDefault === undefined) missingKeys.push(key)
        else pending.push({ module, slot, make: makeDefault })
        continue
      }
      const problem = checkValue(key, dict[key], slot.value)
      if (problem) {
        errors.push(problem)
        continue
      }
      const input = dict[key] as tf.Tensor
      pending.push({ module, slot, make: () => copyOf(input, slot.value) })
    }
    const childNames = new Set<string>()
    for (const [childName] of ownModules(module)) childNames.add(childName)
    for (const key of keys) {
      if (!key.startsWith(prefix)) continue
      const first = key.slice(prefix.length).split('.', 1)[0] ?? ''
      if (!childNames.has(first) && !local.has(first)) unexpectedKeys.push(key)
    }
    for (const [childName, child] of ownModules(module)) visit(child, `${prefix}${childName}.`)
  }
  visit(root, '')

  if (strict) {
    if (unexpectedKeys.length > 0) {
      errors.unshift(
        `Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}. `,
      )
    }
    if (missingKeys.length > 0) {
      errors.unshift(
        `Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}. `,
      )
    }
  }
  if (errors.length > 0) {
    const { message } = layersMessage('STATE_DICT_MISMATCH', {
      module: name,
      missingKeys,
      unexpectedKeys,
      errors,
    })
    throw new StateDictError(message, missingKeys, unexpectedKeys, errors)
  }
  // Every copy is made before any is put in place: if one fails, the module is untouched.
  const made: MadeCopy[] = []
  try {
    for (const { module, slot, make } of pending) made.push({ module, slot, value: make() })
  } catch (error) {
    tf.dispose(made.map((m) => m.value))
    throw error
  }
  for (const copy of made) place(copy)
  return { missingKeys, unexpectedKeys }
}

/** What is wrong with `input` as the value of `key` (PyTorch's wording where it has one). */
function checkValue(key: string, input: unknown, target: tf.Tensor): string | null {
  if (!isTensor(input)) {
    return `While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received ${describe(input)}`
  }
  if (target.isDisposed) {
    return `While copying the parameter named "${key}", the module's own tensor has been disposed (module.dispose() was called)`
  }
  if (input.isDisposed) {
    return `While copying the parameter named "${key}", the tensor from checkpoint has been disposed`
  }
  if (!LOADABLE_DTYPES.has(input.dtype)) {
    return `While copying the parameter named "${key}", the tensor from checkpoint has dtype ${input.dtype}, which cannot be copied into ${target.dtype}`
  }
  if (!sameShape(input.shape, target.shape)) {
    return `size mismatch for ${key}: copying a param with shape ${torchSize(input.shape)} from checkpoint, the shape in current model is ${torchSize(target.shape)}.`
  }
  return null
}

/** A new tensor holding `input`'s values in `target`'s dtype (like `copy_`, which casts). */
function copyOf(input: tf.Tensor, target: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    input.dtype === target.dtype ? input.clone() : tf.cast(input, target.dtype),
  )
}

/** Puts a made copy in place: assigned into a variable, or replacing a plain tensor buffer. */
function place({ module, slot, value }: MadeCopy): void {
  const target = slot.value
  if (isVariable(target)) {
    target.assign(value)
    value.dispose()
    return
  }
  ;(module as unknown as Record<string, unknown>)[slot.prop] = value
  target.dispose()
}
