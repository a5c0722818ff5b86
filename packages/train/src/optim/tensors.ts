import * as tf from '@tensorflow/tfjs-core'
import type { Arith, UpdateRuleSpec } from './rule'

/** A value of the tensor arithmetic: a tensor, or a number not made into one yet. */
type Value = tf.Tensor | number

/**
 * tfjs ops. Numbers stay numbers until an op needs them as tensors (through `scalar`), so that
 * a state buffer that does not exist yet can be 0, as PyTorch's zero-initialised buffers are:
 * `0·β + x` folds to `x` and `x·1` to `x`, exactly, leaving the ops PyTorch's first step runs.
 */
function tensorArith(scalar: (v: number) => tf.Tensor): Arith<Value> {
  const t = (v: Value) => (typeof v === 'number' ? scalar(v) : v)
  const op =
    (
      onNumbers: (a: number, b: number) => number,
      onTensors: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
    ) =>
    (a: Value, b: Value): Value =>
      typeof a === 'number' && typeof b === 'number' ? onNumbers(a, b) : onTensors(t(a), t(b))
  const add = op((a, b) => a + b, tf.add)
  const mul = op((a, b) => a * b, tf.mul)
  return {
    add: (a, b) => (a === 0 ? b : b === 0 ? a : add(a, b)),
    sub: op((a, b) => a - b, tf.sub),
    mul: (a, b) => (a === 1 ? b : b === 1 ? a : mul(a, b)),
    div: op((a, b) => a / b, tf.div),
    sqrt: (a) => (typeof a === 'number' ? Math.sqrt(a) : tf.sqrt(a)),
    max: op(Math.max, tf.maximum),
    neg: (a) => (typeof a === 'number' ? -a : tf.neg(a)),
  }
}

/**
 * One update of one parameter with tfjs ops: `rule`'s step with `hyper`, from the parameter, its
 * gradient and its state buffers (missing ones are zeros, as on PyTorch's first step). Returns
 * new tensors (none of them is an input), for the caller to keep: the parameter, then the state
 * buffers by name. Constants become tensors through `scalar` (e.g. a cache), except those that
 * change every step, which are made and disposed with the step's other tensors.
 */
export function tensorStep<H, F, K extends string, S extends string>(
  rule: UpdateRuleSpec<H, F, K, S>,
  hyper: H,
  x: { param: tf.Tensor; grad: tf.Tensor; state: Partial<Record<S, tf.Tensor>> },
  scalar: (v: number) => tf.Tensor = (v) => tf.scalar(v),
): { param: tf.Tensor; state: Record<S, tf.Tensor> } {
  const flags = rule.flags(hyper)
  const names = rule.state(flags)
  const state: Partial<Record<S, Value>> = {}
  for (const name of names) state[name] = x.state[name] ?? 0
  const constants = rule.constants(hyper)
  // Per-step constants stay tensors of their own (scalar values are looked up by value).
  const k = { ...constants } as Record<K, Value>
  for (const name of rule.perStep) k[name] = tf.scalar(constants[name])
  const out = rule.step(tensorArith(scalar), { ...x, state }, k, flags)
  const inputs = new Set<Value | undefined>([x.param, x.grad])
  for (const name of names) inputs.add(x.state[name])
  const owned = (v: Value | undefined): tf.Tensor => {
    const tensor = typeof v === 'number' || v === undefined ? scalar(v ?? 0) : v
    return inputs.has(tensor) ? tf.clone(tensor) : tensor
  }
  const newState = {} as Record<S, tf.Tensor>
  for (const name of names) newState[name] = owned(out.state[name])
  return { param: owned(out.param), state: newState }
}
