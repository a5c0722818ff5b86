// An optimizer's update rule, written once as a function over an abstract element-wise arithmetic
// (as `torch/optim/adam.py` writes `_single_tensor_adam` once over tensors) and lowered from there:
// to tfjs ops (tensors.ts: the optimizers' `step`, the fast path on other backends), to JavaScript
// loops (js.ts generates loops.generated.ts: the fast path on wasm and cpu) and to GLSL (glsl.ts:
// the fast path on webgl).

/** The element-wise arithmetic an update rule is written in. */
export interface Arith<V> {
  add(a: V, b: V): V
  sub(a: V, b: V): V
  mul(a: V, b: V): V
  div(a: V, b: V): V
  sqrt(a: V): V
  max(a: V, b: V): V
  neg(a: V): V
}

/** One parameter's values in a rule: the parameter, its gradient and its state buffers. */
export interface RuleValues<V, S extends string> {
  param: V
  grad: V
  state: Partial<Record<S, V>>
}

/**
 * PyTorch 1.13's single-tensor update of one optimizer, in three parts, as its Python code is:
 * the structure (which branches run), the scalars computed on the host in float64, and the tensor
 * arithmetic, in PyTorch's order of operations.
 *
 * `H`: the hyper-parameters of one step; `F`: the flags that choose branches; `K`: the names of
 * the host scalars; `S`: the names of the state buffers.
 */
export interface UpdateRuleSpec<H, F, K extends string, S extends string> {
  /** The branches this step takes (each is one compiled variant of a kernel). */
  flags(hyper: H): F
  /** A short stable key of `flags` (for caches and generated code). */
  key(flags: F): string
  /** Every combination of flags (for generating code ahead of time). */
  allFlags(): F[]
  /** The state buffers these flags keep, in order. */
  state(flags: F): S[]
  /** The scalars PyTorch computes in Python (float64), by name. */
  constants(hyper: H): Record<K, number>
  /** The constants that change every step (the step count's powers): not worth caching. */
  readonly perStep: readonly K[]
  /**
   * The element-wise update: the new parameter and the new state buffers. Constants arrive as
   * values of the arithmetic (numbers, uniforms, scalar tensors).
   */
  step<V>(a: Arith<V>, x: RuleValues<V, S>, k: Record<K, V>, flags: F): RuleOutput<V, S>
}

/** What a rule's step computes: the new parameter and the new state buffers. */
export interface RuleOutput<V, S extends string> {
  param: V
  state: Partial<Record<S, V>>
}
