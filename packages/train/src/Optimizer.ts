import * as tf from '@tensorflow/tfjs-core'
import { formatShapeList, TrainError } from './errors'
import { registerGradients } from './gradients'
import { matchStateDict, type OptimizerStateDict, type ParamState } from './optimizerState'

export {
  disposeStateDict,
  type OptimizerStateDict,
  type ParamState,
  tensorsOf,
} from './optimizerState'

/** A group of parameters with its own options, like an entry of PyTorch's `param_groups`. */
export type ParamGroup<O> = O & { params: tf.Variable[] }

/** What optimizers accept: a list of parameters, or parameter groups with per-group options. */
export type ParamsArg<O> =
  | readonly tf.Variable[]
  | ReadonlyArray<{ params: readonly tf.Variable[] } & Partial<O>>

/** Gradients by parameter: a `Map` keyed by variable, or tfjs's `{ [variable.name]: grad }`. */
export type Gradients = Map<tf.Variable, tf.Tensor> | tf.NamedTensorMap

/** @internal Checks a numeric option with PyTorch's wording (`Invalid learning rate: -1`). */
export function checkRange(
  optimizer: string,
  option: string,
  label: string,
  value: unknown,
  ok: (v: number) => boolean,
  hint: string,
): void {
  if (typeof value !== 'number' || !ok(value)) {
    throw new TrainError(
      'INVALID_OPTION',
      `${optimizer}: Invalid ${label}: ${String(value)}.`,
      hint,
      {
        option,
        value,
      },
    )
  }
}

function pyValue(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  if (value === null || value === undefined) return 'None'
  if (Array.isArray(value)) return `(${value.map(pyValue).join(', ')})`
  return String(value)
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

/**
 * Base class of the optimizers, like `torch.optim.Optimizer`. Subclasses implement
 * {@link Optimizer.update}, the per-group update rule, with tf ops; the base class handles
 * parameter groups, gradients, state, `stateDict`/`loadStateDict` and disposal.
 *
 * State tensors are created lazily on a parameter's first update (as in PyTorch) and live until
 * {@link Optimizer.dispose}.
 */
export abstract class Optimizer<O extends object> {
  /** The options each group falls back to. */
  readonly defaults: Readonly<O>
  /**
   * The parameter groups. Options can be changed between steps, e.g.
   * `optimizer.paramGroups[0].lr = 1e-4` for a learning-rate schedule.
   */
  readonly paramGroups: Array<ParamGroup<O>>
  /** The optimizer's class name as PyTorch prints it, e.g. `'Adam'`. */
  readonly optimizerName: string
  /** Per-parameter state (tensors owned by the optimizer). */
  protected readonly state = new Map<tf.Variable, ParamState>()
  private readonly scalars = new Map<number, tf.Scalar>()
  private disposed = false

  protected constructor(name: string, params: ParamsArg<O>, defaults: O) {
    registerGradients()
    this.optimizerName = name
    this.defaults = Object.freeze({ ...defaults })
    const list = [...(params as ReadonlyArray<unknown>)]
    if (list.length === 0) {
      throw new TrainError(
        'INVALID_OPTION',
        `${name}: optimizer got an empty parameter list.`,
        'Pass model.parameters() of a model that has parameters.',
        { params: [] },
      )
    }
    const groups = list.every((p) => p instanceof tf.Variable)
      ? [{ params: list as tf.Variable[] }]
      : (list as Array<{ params: readonly tf.Variable[] } & Partial<O>>)
    this.paramGroups = []
    const seen = new Set<tf.Variable>()
    for (const group of groups) {
      if (
        !group ||
        !Array.isArray(group.params) ||
        !group.params.every((p) => p instanceof tf.Variable)
      ) {
        throw new TrainError(
          'INVALID_OPTION',
          `${name}: params must be an array of tf.Variable, or of groups { params: tf.Variable[], ...options }.`,
          'Pass model.parameters().',
          { params: group },
        )
      }
      for (const p of group.params) {
        if (seen.has(p)) {
          throw new TrainError(
            'INVALID_OPTION',
            `${name}: some parameters appear in more than one parameter group (${p.name}).`,
            'List each parameter once.',
            { parameter: p.name },
          )
        }
        seen.add(p)
      }
      const merged = { ...defaults, ...group, params: [...group.params] } as ParamGroup<O>
      this.validate(merged)
      this.paramGroups.push(merged)
    }
  }

  /** Checks a group's options; throws a {@link TrainError} with PyTorch's wording. */
  protected abstract validate(group: O): void

  /**
   * Applies one update to the parameters of `group`, with tf ops (called inside `tf.tidy`).
   * `grads[i]` is the gradient of `group.params[i]`, or null when the loss does not depend on it
   * (PyTorch skips those parameters).
   */
  protected abstract update(group: ParamGroup<O>, grads: Array<tf.Tensor | null>): void

  /** Every parameter of every group, in order. */
  get params(): tf.Variable[] {
    return this.paramGroups.flatMap((g) => g.params)
  }

  /**
   * PyTorch's `optimizer.zero_grad()`. Gradients here are computed fresh by every {@link step}
   * (they do not accumulate into a `.grad` property), so there is nothing to reset: this is a
   * no-op, kept so training loops read like PyTorch.
   */
  zeroGrad(): void {
    this.assertLive()
  }

  /**
   * Computes the gradients of the scalar loss returned by `closure` with respect to the
   * parameters, and applies one update — PyTorch's `loss.backward(); optimizer.step()` in one call,
   * like `optimizer.step(closure)`.
   *
   * Tensors created inside `closure` are disposed; the returned loss is yours to dispose.
   *
   * @example
   * const loss = optimizer.step(() => criterion.call(model.call(images), labels))
   */
  step(closure: () => tf.Scalar | tf.Tensor): tf.Scalar {
    this.assertLive()
    const trainable = this.params.filter((p) => p.trainable)
    if (trainable.length === 0) {
      throw new TrainError(
        'NO_GRADIENTS',
        `${this.optimizerName}: none of the parameters is trainable.`,
        'Set variable.trainable = true on the parameters to train.',
      )
    }
    let result: { value: tf.Scalar; grads: tf.NamedTensorMap }
    // tfjs frees the tensors its tape saved for the backward pass only when variableGrads
    // returns; if the closure throws they leak. So a throwing closure hands back a dummy loss
    // (connected to a parameter), and the error is rethrown once the tape has been cleaned up.
    let failure: { error: unknown } | null = null
    try {
      result = tf.variableGrads(() => {
        try {
          const loss = closure()
          if (!(loss instanceof tf.Tensor) || loss.rank !== 0) {
            const shape = loss instanceof tf.Tensor ? formatShapeList(loss.shape) : typeof loss
            throw new TrainError(
              'LOSS_NOT_SCALAR',
              `${this.optimizerName}.step: the closure must return a scalar loss tensor, got ${shape}.`,
              "Use a loss with reduction 'mean' or 'sum', or reduce it yourself with tf.mean(loss).",
              { shape },
            )
          }
          return loss as tf.Scalar
        } catch (error) {
          failure = { error }
          return tf.mul(tf.sum(trainable[0]!), 0) as tf.Scalar
        }
      }, trainable)
    } catch (error) {
      if (
        error instanceof Error &&
        /Cannot find a connection between any variable/.test(error.message)
      ) {
        throw new TrainError(
          'NO_GRADIENTS',
          `${this.optimizerName}.step: the loss does not depend on any of the optimizer's parameters.`,
          'Compute the loss from the output of the model whose parameters() you passed to the optimizer.',
        )
      }
      throw error
    }
    if (failure) {
      tf.dispose([result.value, ...Object.values(result.grads)])
      throw (failure as { error: unknown }).error
    }
    try {
      this.applyGradients(result.grads)
    } finally {
      tf.dispose(result.grads)
    }
    return result.value
  }

  /**
   * Applies one update from gradients you computed yourself (e.g. with `tf.variableGrads`).
   * Parameters without a gradient are skipped. Does not dispose `grads`.
   */
  applyGradients(grads: Gradients): void {
    this.assertLive()
    const lookup =
      grads instanceof Map ? (p: tf.Variable) => grads.get(p) : (p: tf.Variable) => grads[p.name]
    tf.tidy(() => {
      for (const group of this.paramGroups) {
        const list = group.params.map((p) => {
          const g = lookup(p)
          if (g && !tf.util.arraysEqual(g.shape, p.shape)) {
            throw new TrainError(
              'NO_GRADIENTS',
              `${this.optimizerName}: gradient shape ${formatShapeList(g.shape)} does not match parameter ${p.name} shape ${formatShapeList(p.shape)}.`,
              'Pass gradients computed for these parameters.',
              { parameter: p.name, gradShape: g.shape, paramShape: p.shape },
            )
          }
          return g ?? null
        })
        this.update(group, list)
      }
    })
  }

  /**
   * A cached scalar tensor for a constant used every step (avoids allocating one per op).
   * @internal
   */
  protected scalar(value: number): tf.Scalar {
    let s = this.scalars.get(value)
    if (!s) {
      if (this.scalars.size >= 64) {
        const [oldest, tensor] = this.scalars.entries().next().value as [number, tf.Scalar]
        this.scalars.delete(oldest)
        tensor.dispose()
      }
      s = tf.keep(tf.scalar(value))
      this.scalars.set(value, s)
    }
    return s
  }

  /** Stores a state tensor for `param` (kept out of the surrounding tidy, old value disposed). */
  protected setState(param: tf.Variable, key: string, value: tf.Tensor | number): void {
    let entry = this.state.get(param)
    if (!entry) {
      entry = {}
      this.state.set(param, entry)
    }
    const old = entry[key]
    if (typeof value !== 'number') tf.keep(value)
    entry[key] = value
    if (old !== undefined && typeof old !== 'number' && old !== value) old.dispose()
  }

  /** The state of `param`, if it has been updated at least once. */
  protected getState(param: tf.Variable): ParamState | undefined {
    return this.state.get(param)
  }

  /**
   * The optimizer's state, like PyTorch's `state_dict()`. Tensors are copies you own: call
   * {@link disposeStateDict} when done.
   */
  stateDict(): OptimizerStateDict<O> {
    this.assertLive()
    const state: Record<number, ParamState> = {}
    let index = 0
    const paramGroups = this.paramGroups.map((group) => {
      const { params, ...options } = group
      const indices = params.map((p) => {
        const entry = this.state.get(p)
        if (entry) {
          state[index] = Object.fromEntries(
            Object.entries(entry).map(([k, v]) => [k, typeof v === 'number' ? v : tf.clone(v)]),
          )
        }
        return index++
      })
      return { ...(options as unknown as O), params: indices }
    })
    return { state, paramGroups }
  }

  /**
   * Loads state saved by {@link stateDict} (of an optimizer of the same kind over parameters of the
   * same shapes, in the same order), like PyTorch's `load_state_dict`. Copies the tensors: the
   * argument stays yours. Group options (lr, betas…) are restored too.
   */
  loadStateDict(stateDict: OptimizerStateDict<Partial<O>>): void {
    this.assertLive()
    const groups = stateDict?.paramGroups
    const byIndex = matchStateDict(this.optimizerName, stateDict, this.paramGroups)
    this.clearState()
    for (const [key, entry] of Object.entries(stateDict.state ?? {})) {
      const param = byIndex.get(Number(key))!
      for (const [name, value] of Object.entries(entry)) {
        this.setState(param, name, typeof value === 'number' ? value : tf.clone(value))
      }
    }
    groups.forEach((saved, g) => {
      const { params: _params, ...options } = saved
      const group = this.paramGroups[g]!
      Object.assign(group, options, { params: group.params })
      this.validate(group)
    })
  }

  private clearState(): void {
    for (const entry of this.state.values()) {
      for (const value of Object.values(entry)) if (typeof value !== 'number') value.dispose()
    }
    this.state.clear()
  }

  /** Frees the optimizer's state tensors. The parameters are not touched. */
  dispose(): void {
    if (this.disposed) return
    this.clearState()
    for (const s of this.scalars.values()) s.dispose()
    this.scalars.clear()
    this.disposed = true
  }

  /** Whether {@link dispose} has been called. */
  get isDisposed(): boolean {
    return this.disposed
  }

  private assertLive(): void {
    if (this.disposed) {
      throw new TrainError(
        'TRAINER_DISPOSED',
        `${this.optimizerName} has been disposed.`,
        'Create a new optimizer.',
      )
    }
  }

  /** PyTorch's `print(optimizer)` text: the groups' options, sorted, in snake_case. */
  toString(): string {
    const lines = [`${this.optimizerName} (`]
    this.paramGroups.forEach((group, i) => {
      lines.push(`Parameter Group ${i}`)
      const entries = Object.entries(group)
        .filter(([k]) => k !== 'params')
        .map(([k, v]) => [snake(k), pyValue(v)] as const)
        .sort(([a], [b]) => (a < b ? -1 : 1))
      for (const [k, v] of entries) lines.push(`    ${k}: ${v}`)
    })
    lines.push(')')
    return lines.join('\n')
  }
}
