import * as tf from '@tensorflow/tfjs-core'
import { layersError } from './errors'
import {
  checkSlotName,
  describe,
  isTensor,
  isVariable,
  ownBuffers,
  ownModules,
  ownParameters,
  REGISTRY,
  type Registry,
  type Slot,
} from './moduleSlots'
import { addIndent } from './pyRepr'
import {
  collectStateDict,
  type LoadStateDictOptions,
  type LoadStateDictResult,
  loadStateDictInto,
} from './stateDict'

export {
  type LoadStateDictOptions,
  type LoadStateDictResult,
  StateDictError,
} from './stateDict'

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

function isModule(value: unknown): value is Module {
  return value instanceof Module
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
  /** @internal The registry of buffers, state keys and hooks (see moduleSlots.ts). */
  declare readonly [REGISTRY]: Registry

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
      throw layersError('CALL_NOT_TENSOR', {
        module: this.getName(),
        input,
        got: describe(input),
      })
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
      throw layersError('NOT_A_MODULE', { name, got: describe(module) })
    }
    this.defineSlot(name, module)
    return this
  }

  /** Registers a parameter, like PyTorch's `register_parameter` (same as assigning a `tf.Variable`). */
  registerParameter(name: string, parameter: tf.Variable | null): this {
    this.checkName('parameter', name)
    if (parameter !== null && !isVariable(parameter)) {
      throw layersError('PARAMETER_NOT_VARIABLE', { name, got: describe(parameter) })
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
      throw layersError('BUFFER_NOT_TENSOR', { name, got: describe(tensor) })
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
    for (const [name, child] of ownModules(this)) {
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
      for (const [childName, child] of ownModules(module)) {
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
    return this.collect((m) => ownParameters(m), options.recurse ?? true)
  }

  /** All parameters (the variables an optimizer updates), in {@link Module.namedParameters} order. */
  parameters(options: { recurse?: boolean } = {}): tf.Variable[] {
    return this.namedParameters(options).map(([, p]) => p)
  }

  /** Buffers with their dotted state-dict names (`'1.running_mean'`), like `named_buffers()`. */
  namedBuffers(options: { recurse?: boolean } = {}): Array<[string, tf.Tensor]> {
    return this.collect((m) => ownBuffers(m), options.recurse ?? true)
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
    return collectStateDict(this)
  }

  /**
   * Copies values from `stateDict` into the parameters and buffers, like PyTorch's
   * `load_state_dict` (casting dtypes like `copy_`). Throws a {@link StateDictError} with PyTorch's
   * message (`Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict:
   * "0.weight". `) on missing or unexpected keys when `strict` (the default), on any shape
   * mismatch, and on values that cannot be copied (not tensors, disposed, string dtype). Unlike
   * PyTorch it is all-or-nothing: everything is checked and copied aside first, so when it throws
   * the module is exactly as before. A `stateDict` that is not an object of tensors throws
   * `INVALID_ARGUMENT`. The given tensors stay owned by the caller.
   */
  loadStateDict(
    stateDict: Record<string, tf.Tensor>,
    options: LoadStateDictOptions = {},
  ): LoadStateDictResult {
    return loadStateDictInto(this, this.getName(), stateDict, options, (module, key) =>
      module.missingStateDefault(key),
    )
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
      for (const { value } of [...ownParameters(module), ...ownBuffers(module, false)]) {
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
    const childLines = ownModules(this).map(
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

  private checkName(kind: 'module' | 'parameter' | 'buffer', name: string): void {
    checkSlotName(this, this.getName(), kind, name)
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
