import * as tf from '@tensorflow/tfjs-core'
import { LayersError, torchSize } from './errors'
import { addIndent } from './pyRepr'

/**
 * Called after a module's `forward` inside {@link Module.call}, like PyTorch's forward hooks. The
 * tensors live only until the surrounding `call` returns (they are inside its `tf.tidy`): read them
 * with `dataSync()` or keep a copy with `tf.keep(output.clone())`. Returning a tensor replaces the
 * output.
 */
export type ForwardHook = (
  module: Module,
  input: tf.Tensor,
  output: tf.Tensor,
) => tf.Tensor | undefined

/** Returned by {@link Module.registerForwardHook}; `remove()` unregisters the hook. */
export interface RemovableHandle {
  remove(): void
}

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
    super('STATE_DICT_MISMATCH', message, {
      values: { missingKeys, unexpectedKeys, errors },
      hint:
        'Load a state dict saved from the same architecture, or pass { strict: false } to skip ' +
        'missing and unexpected keys (shapes must still match).',
    })
    this.name = 'StateDictError'
    this.missingKeys = missingKeys
    this.unexpectedKeys = unexpectedKeys
    this.errors = errors
  }
}

interface Registry {
  /** Property name -> whether the buffer is saved in the state dict. */
  buffers: Map<string, boolean>
  /** Property name -> state-dict key, where they differ (`runningMean` -> `running_mean`). */
  keys: Map<string, string>
  hooks: Map<number, ForwardHook>
  nextHookId: number
}

const REGISTRY: unique symbol = Symbol('tensorloom.module')

/** A parameter or buffer of one module: state-dict key, property name and value. */
interface Slot<T> {
  key: string
  prop: string
  value: T
}

function isModule(value: unknown): value is Module {
  return value instanceof Module
}

function isVariable(value: unknown): value is tf.Variable {
  return value instanceof tf.Variable
}

function isTensor(value: unknown): value is tf.Tensor {
  return value instanceof tf.Tensor
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i])
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value !== 'object') return typeof value
  return value.constructor?.name ?? 'object'
}

/**
 * Base class for all neural network modules, like `torch.nn.Module`.
 *
 * Subclasses implement {@link Module.forward} and assign their layers, parameters (`tf.Variable`s)
 * and buffers as ordinary properties or class fields:
 *
 * ```ts
 * class SimpleNN extends Module {
 *   flatten = new Flatten()
 *   layers = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10))
 *   forward(x: tf.Tensor) {
 *     return this.layers.call(this.flatten.call(x))
 *   }
 * }
 * ```
 *
 * **Registration.** There is no `__setattr__` in JavaScript, so a module discovers its children by
 * scanning its own enumerable properties every time it is asked (in property order, which is
 * assignment order, like PyTorch's registration order): a property holding a `Module` is a child, a
 * `tf.Variable` is a parameter, and a property registered with {@link Module.registerBuffer} is a
 * buffer. Class fields, constructor assignments and later reassignments all work; arrays and plain
 * objects of modules are not scanned (PyTorch needs `nn.ModuleList` there too), and plain
 * `tf.Tensor` properties are ignored (like plain tensor attributes in PyTorch).
 *
 * **Naming.** `toString()` prints the class name; minifiers rename classes, so set
 * `static displayName = 'SimpleNN'` on classes whose printed name matters in minified builds.
 */
export abstract class Module {
  /** Whether the module is in training mode; change it with {@link Module.train}/{@link Module.eval}. */
  training = true
  declare private readonly [REGISTRY]: Registry

  constructor() {
    Object.defineProperty(this, REGISTRY, {
      value: { buffers: new Map(), keys: new Map(), hooks: new Map(), nextHookId: 0 },
      enumerable: false,
    })
  }

  /**
   * The computation of the module; override it. Call modules through {@link Module.call}, which
   * wraps `forward` in `tf.tidy` and runs hooks, rather than calling `forward` directly.
   */
  abstract forward(input: tf.Tensor): tf.Tensor

  /**
   * Runs the module, like `module(x)` in PyTorch: `forward` inside `tf.tidy` (intermediate tensors
   * are freed, the returned one is yours to dispose), then any forward hooks.
   */
  call(input: tf.Tensor): tf.Tensor {
    if (!isTensor(input)) {
      throw new LayersError(
        'INVALID_ARGUMENT',
        `${this.getName()}.call expects a tf.Tensor, got ${describe(input)}`,
        {
          values: { input },
          hint: 'Wrap the data in a tensor first, e.g. tf.tensor(data, shape).',
        },
      )
    }
    const hooks = this[REGISTRY].hooks
    return tf.tidy(() => {
      let output = this.forward(input)
      for (const hook of hooks.values()) {
        const replaced = hook(this, input, output)
        if (replaced !== undefined) output = replaced
      }
      return output
    })
  }

  /**
   * The output shape for an input of shape `inputShape` (batch first), without touching weights.
   * Built-in layers answer with `@tensorloom/graph`'s shape rules (throwing its `ShapeError`),
   * `Sequential` chains its children; other modules run `forward` on zeros in eval mode, which
   * changes no state (no dropout draws, no running-stat updates). Override it to do better.
   */
  outputShape(inputShape: readonly number[]): number[] {
    const modes = this.modules().map((m) => [m, m.training] as const)
    this.eval()
    try {
      return tf.tidy(() => this.call(tf.zeros([...inputShape])).shape.slice())
    } finally {
      for (const [m, mode] of modes) m.training = mode
    }
  }

  /** Sets training mode on this module and all descendants (affects `Dropout`, `BatchNorm1d`). */
  train(mode = true): this {
    this.training = mode
    for (const child of this.children()) child.train(mode)
    return this
  }

  /** Sets evaluation mode, same as `train(false)`. */
  eval(): this {
    return this.train(false)
  }

  /**
   * Registers a child module under `name`, like PyTorch's `add_module`: the same as assigning the
   * property, but with a name that need not be an identifier (`Sequential` uses `'0'`, `'1'`, ...).
   */
  registerModule(name: string, module: Module | null): this {
    this.checkName('module', name)
    if (module !== null && !isModule(module)) {
      throw new LayersError('INVALID_ARGUMENT', `${describe(module)} is not a Module subclass`, {
        values: { name },
        hint: 'Pass an instance of a class that extends Module.',
      })
    }
    this.defineSlot(name, module)
    return this
  }

  /** Registers a parameter, like PyTorch's `register_parameter` (same as assigning a `tf.Variable`). */
  registerParameter(name: string, parameter: tf.Variable | null): this {
    this.checkName('parameter', name)
    if (parameter !== null && !isVariable(parameter)) {
      throw new LayersError(
        'INVALID_ARGUMENT',
        `cannot assign '${describe(parameter)}' object to parameter '${name}' (tf.Variable or null required)`,
        { values: { name }, hint: 'Wrap the tensor with tf.variable(tensor).' },
      )
    }
    this.defineSlot(name, parameter)
    return this
  }

  /**
   * Registers a buffer: state that is not a parameter but belongs in the state dict (like
   * BatchNorm's running statistics), as PyTorch's `register_buffer`. Store it as a non-trainable
   * `tf.Variable` to update it in place with `assign`. `options.stateKey` sets the key used in the
   * state dict when it differs from the property name (`runningMean` is saved as `running_mean`).
   */
  registerBuffer(
    name: string,
    tensor: tf.Tensor | null,
    options: { persistent?: boolean; stateKey?: string } = {},
  ): this {
    this.checkName('buffer', name)
    if (tensor !== null && !isTensor(tensor)) {
      throw new LayersError(
        'INVALID_ARGUMENT',
        `cannot assign '${describe(tensor)}' object to buffer '${name}' (tf.Tensor or null required)`,
        { values: { name }, hint: 'Pass a tf.Tensor (or a tf.Variable to update it in place).' },
      )
    }
    const registry = this[REGISTRY]
    registry.buffers.set(name, options.persistent ?? true)
    if (options.stateKey !== undefined && options.stateKey !== name) {
      registry.keys.set(name, options.stateKey)
    }
    this.defineSlot(name, tensor)
    return this
  }

  /**
   * Adds a hook run after every {@link Module.call} of this module (see {@link ForwardHook}); returns
   * a handle whose `remove()` unregisters it.
   */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    const registry = this[REGISTRY]
    const id = registry.nextHookId++
    registry.hooks.set(id, hook)
    return { remove: () => void registry.hooks.delete(id) }
  }

  /** Direct children with their names, in registration order. */
  namedChildren(): Array<[string, Module]> {
    const seen = new Set<Module>()
    const out: Array<[string, Module]> = []
    for (const [name, child] of this.ownModules()) {
      if (seen.has(child)) continue
      seen.add(child)
      out.push([name, child])
    }
    return out
  }

  /** Direct children, in registration order. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m)
  }

  /**
   * This module and all descendants, depth first, with dotted names (`''` for this one, then
   * `'layers'`, `'layers.0'`, ...). Each module appears once even if it is registered twice.
   */
  namedModules(prefix = ''): Array<[string, Module]> {
    const out: Array<[string, Module]> = []
    const seen = new Set<Module>()
    const visit = (module: Module, name: string) => {
      if (seen.has(module)) return
      seen.add(module)
      out.push([name, module])
      for (const [childName, child] of module.ownModules()) {
        visit(child, name === '' ? childName : `${name}.${childName}`)
      }
    }
    visit(this, prefix)
    return out
  }

  /** This module and all descendants, depth first. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m)
  }

  /**
   * Parameters with PyTorch's dotted names (`'layers.0.weight'`), each module's own first and then
   * its children's, like `named_parameters()`. A shared parameter is listed once.
   * @param options.recurse include descendants' parameters (default true)
   */
  namedParameters(options: { recurse?: boolean } = {}): Array<[string, tf.Variable]> {
    return this.collect((m) => m.ownParameters(), options.recurse ?? true)
  }

  /** All parameters (the variables an optimizer updates), in {@link Module.namedParameters} order. */
  parameters(options: { recurse?: boolean } = {}): tf.Variable[] {
    return this.namedParameters(options).map(([, p]) => p)
  }

  /** Buffers with their dotted state-dict names (`'1.running_mean'`), like `named_buffers()`. */
  namedBuffers(options: { recurse?: boolean } = {}): Array<[string, tf.Tensor]> {
    return this.collect((m) => m.ownBuffers(), options.recurse ?? true)
  }

  /** All buffers, in {@link Module.namedBuffers} order. */
  buffers(options: { recurse?: boolean } = {}): tf.Tensor[] {
    return this.namedBuffers(options).map(([, b]) => b)
  }

  /**
   * Parameters and persistent buffers by PyTorch key (`'layers.0.weight'`), in PyTorch's order.
   * The tensors are the module's own (like PyTorch, no copy): don't dispose them, and read or clone
   * them before the module changes if you need a snapshot.
   */
  stateDict(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {}
    const visit = (module: Module, prefix: string) => {
      for (const { key, value } of module.ownParameters()) out[prefix + key] = value
      for (const { key, value } of module.ownBuffers(true)) out[prefix + key] = value
      for (const [name, child] of module.ownModules()) visit(child, `${prefix}${name}.`)
    }
    visit(this, '')
    return out
  }

  /**
   * Copies values from `stateDict` into the parameters and buffers, like PyTorch's
   * `load_state_dict` (casting dtypes like `copy_`). Throws a {@link StateDictError} with PyTorch's
   * message (`Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict:
   * "0.weight". `) on missing or unexpected keys when `strict` (the default) and on any shape
   * mismatch. Unlike PyTorch it is all-or-nothing: when it throws, nothing was copied. The given
   * tensors stay owned by the caller.
   */
  loadStateDict(
    stateDict: Record<string, tf.Tensor>,
    options: LoadStateDictOptions = {},
  ): LoadStateDictResult {
    const strict = options.strict ?? true
    const missingKeys: string[] = []
    const unexpectedKeys: string[] = []
    const errors: string[] = []
    const copies: Array<() => void> = []
    const keys = Object.keys(stateDict)

    const visit = (module: Module, prefix: string) => {
      const local = new Set<string>()
      const slots = [...module.ownParameters(), ...module.ownBuffers(true)]
      for (const slot of slots) {
        local.add(slot.key)
        const key = prefix + slot.key
        if (!Object.hasOwn(stateDict, key)) {
          const makeDefault = module.missingStateDefault(slot.key)
          if (makeDefault === undefined) missingKeys.push(key)
          else
            copies.push(() => {
              const value = makeDefault()
              module.copyInto(slot, value)
              value.dispose()
            })
          continue
        }
        const input: unknown = stateDict[key]
        if (!isTensor(input)) {
          errors.push(
            `While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received ${describe(input)}`,
          )
          continue
        }
        if (!sameShape(input.shape, slot.value.shape)) {
          errors.push(
            `size mismatch for ${key}: copying a param with shape ${torchSize(input.shape)} from checkpoint, the shape in current model is ${torchSize(slot.value.shape)}.`,
          )
          continue
        }
        copies.push(() => module.copyInto(slot, input))
      }
      const childNames = new Set<string>()
      for (const [name] of module.ownModules()) childNames.add(name)
      for (const key of keys) {
        if (!key.startsWith(prefix)) continue
        const name = key.slice(prefix.length).split('.', 1)[0] ?? ''
        if (!childNames.has(name) && !local.has(name)) unexpectedKeys.push(key)
      }
      for (const [name, child] of module.ownModules()) visit(child, `${prefix}${name}.`)
    }
    visit(this, '')

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
      throw new StateDictError(
        `Error(s) in loading state_dict for ${this.getName()}:\n\t${errors.join('\n\t')}`,
        missingKeys,
        unexpectedKeys,
        errors,
      )
    }
    for (const copy of copies) copy()
    return { missingKeys, unexpectedKeys }
  }

  /** Calls `fn` on every descendant and then on this module, like PyTorch's `apply`. */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn)
    fn(this)
    return this
  }

  /**
   * Frees the tensors of all parameters and buffers of this module and its descendants, and removes
   * forward hooks. The module cannot run afterwards. (PyTorch has no equivalent: its memory is
   * garbage collected, tfjs memory is not.)
   */
  dispose(): void {
    const done = new Set<tf.Tensor>()
    for (const module of this.modules()) {
      for (const { value } of [...module.ownParameters(), ...module.ownBuffers(false)]) {
        if (done.has(value)) continue
        done.add(value)
        value.dispose()
      }
      module[REGISTRY].hooks.clear()
    }
  }

  /** Extra text inside the parentheses of {@link Module.toString}, like PyTorch's `extra_repr`. */
  extraRepr(): string {
    return ''
  }

  /** The module tree exactly as PyTorch's `print(model)` shows it. */
  toString(): string {
    const extraLines = this.extraRepr() === '' ? [] : this.extraRepr().split('\n')
    const childLines = this.ownModules().map(
      ([name, child]) => `(${name}): ${addIndent(child.toString(), 2)}`,
    )
    const lines = [...extraLines, ...childLines]
    let main = `${this.getName()}(`
    if (lines.length > 0) {
      if (extraLines.length === 1 && childLines.length === 0) main += extraLines[0]
      else main += `\n  ${lines.join('\n  ')}\n`
    }
    return `${main})`
  }

  /** The class name shown by {@link Module.toString} and in errors. */
  protected getName(): string {
    const ctor = this.constructor as { name: string; displayName?: unknown }
    if (Object.hasOwn(ctor, 'displayName') && typeof ctor.displayName === 'string') {
      return ctor.displayName
    }
    return ctor.name
  }

  /**
   * For an own state key the dictionary lacks: a function making the value to load instead, or
   * undefined to report the key missing. BatchNorm uses it to default `num_batches_tracked` to 0,
   * as PyTorch does for dictionaries without version metadata.
   */
  protected missingStateDefault(_key: string): (() => tf.Tensor) | undefined {
    return undefined
  }

  private ownModules(): Array<[string, Module]> {
    const out: Array<[string, Module]> = []
    for (const prop of Object.keys(this)) {
      const value: unknown = (this as Record<string, unknown>)[prop]
      if (isModule(value)) out.push([prop, value])
    }
    return out
  }

  private ownParameters(): Array<Slot<tf.Variable>> {
    const { buffers, keys } = this[REGISTRY]
    const out: Array<Slot<tf.Variable>> = []
    for (const prop of Object.keys(this)) {
      if (buffers.has(prop)) continue
      const value: unknown = (this as Record<string, unknown>)[prop]
      if (isVariable(value)) out.push({ key: keys.get(prop) ?? prop, prop, value })
    }
    return out
  }

  private ownBuffers(persistentOnly = false): Array<Slot<tf.Tensor>> {
    const { buffers, keys } = this[REGISTRY]
    const out: Array<Slot<tf.Tensor>> = []
    for (const [prop, persistent] of buffers) {
      if (persistentOnly && !persistent) continue
      const value: unknown = (this as Record<string, unknown>)[prop]
      if (isTensor(value)) out.push({ key: keys.get(prop) ?? prop, prop, value })
    }
    return out
  }

  private collect<T>(own: (m: Module) => Array<Slot<T>>, recurse: boolean): Array<[string, T]> {
    const out: Array<[string, T]> = []
    const seen = new Set<T>()
    const modules: Array<[string, Module]> = recurse ? this.namedModules() : [['', this]]
    for (const [prefix, module] of modules) {
      for (const { key, value } of own(module)) {
        if (seen.has(value)) continue
        seen.add(value)
        out.push([prefix === '' ? key : `${prefix}.${key}`, value])
      }
    }
    return out
  }

  private copyInto(slot: Slot<tf.Tensor>, input: tf.Tensor): void {
    const target = slot.value
    if (isVariable(target)) {
      if (input.dataId === target.dataId) return
      tf.tidy(() =>
        target.assign(input.dtype === target.dtype ? input : tf.cast(input, target.dtype)),
      )
      return
    }
    const copy = tf.tidy(() =>
      input.dtype === target.dtype ? input.clone() : tf.cast(input, target.dtype),
    )
    ;(this as Record<string, unknown>)[slot.prop] = copy
    if (target !== input) target.dispose()
  }

  private checkName(kind: string, name: string): void {
    if (typeof name !== 'string') {
      throw new LayersError(
        'INVALID_MODULE_NAME',
        `${kind} name should be a string. Got ${typeof name}`,
        {
          values: { name },
          hint: 'Use a string name.',
        },
      )
    }
    if (name === '') {
      throw new LayersError('INVALID_MODULE_NAME', `${kind} name can't be empty string ""`, {
        values: { name },
        hint: 'Use a non-empty name.',
      })
    }
    if (name.includes('.')) {
      throw new LayersError('INVALID_MODULE_NAME', `${kind} name can't contain ".", got: ${name}`, {
        values: { name },
        hint: 'Dots separate levels in state-dict keys; use a name without dots.',
      })
    }
    const existing: unknown = (this as Record<string, unknown>)[name]
    const clash =
      name in this &&
      existing !== undefined &&
      existing !== null &&
      !(kind === 'module' && isModule(existing)) &&
      !(kind === 'parameter' && isVariable(existing)) &&
      !(kind === 'buffer' && isTensor(existing))
    if (clash || (kind !== 'buffer' && this[REGISTRY].buffers.has(name))) {
      throw new LayersError('INVALID_MODULE_NAME', `attribute '${name}' already exists`, {
        values: { name },
        hint: `Pick another name; '${name}' is already used by this ${this.getName()}.`,
      })
    }
  }

  private defineSlot(name: string, value: unknown): void {
    Object.defineProperty(this, name, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    })
  }
}
