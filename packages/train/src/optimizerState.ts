import * as tf from '@tensorflow/tfjs-core'
import { formatShapeList, TrainError } from './errors'

/** Per-parameter optimizer state: tensors (copies owned by whoever holds them) and numbers. */
export type ParamState = Record<string, tf.Tensor | number>

/**
 * An optimizer's state, shaped like PyTorch's `optimizer.state_dict()`: `state` maps the index of
 * each parameter (counting through all groups in order) to its state, and `paramGroups` holds each
 * group's options with `params` as those indices.
 *
 * From {@link Optimizer.stateDict}, the tensors are copies that you own: dispose them with
 * {@link disposeStateDict} when done.
 */
export interface OptimizerStateDict<O = Record<string, unknown>> {
  state: Record<number, ParamState>
  paramGroups: Array<O & { params: number[] }>
}

/** Disposes the tensors of an {@link OptimizerStateDict}. */
export function disposeStateDict(stateDict: OptimizerStateDict<unknown>): void {
  for (const entry of Object.values(stateDict.state)) {
    for (const value of Object.values(entry)) if (typeof value !== 'number') value.dispose()
  }
}

/** @internal The tensors of a parameter's state (its counters left out). */
export function tensorsOf(state: ParamState | undefined): Record<string, tf.Tensor> {
  const tensors: Record<string, tf.Tensor> = {}
  for (const [name, value] of Object.entries(state ?? {})) {
    if (typeof value !== 'number') tensors[name] = value
  }
  return tensors
}

/**
 * @internal Checks that `stateDict` fits an optimizer `name` with `paramGroups` (as many groups,
 * of the same sizes; state only for listed parameters, shaped like them), and maps each saved
 * parameter index to its variable. Throws a `TrainError` (`OPTIMIZER_STATE_MISMATCH`) with
 * PyTorch's wording otherwise.
 */
export function matchStateDict(
  name: string,
  stateDict: OptimizerStateDict<unknown>,
  paramGroups: ReadonlyArray<{ params: tf.Variable[] }>,
): Map<number, tf.Variable> {
  const groups = stateDict?.paramGroups
  if (!Array.isArray(groups) || groups.length !== paramGroups.length) {
    throw new TrainError(
      'OPTIMIZER_STATE_MISMATCH',
      `${name}: loaded state dict has a different number of parameter groups (${Array.isArray(groups) ? groups.length : 'none'} vs ${paramGroups.length}).`,
      'Load a state dict saved from an optimizer over the same model.',
      { saved: Array.isArray(groups) ? groups.length : null, expected: paramGroups.length },
    )
  }
  const byIndex = new Map<number, tf.Variable>()
  groups.forEach((saved, g) => {
    const group = paramGroups[g]!
    if (!Array.isArray(saved.params) || saved.params.length !== group.params.length) {
      throw new TrainError(
        'OPTIMIZER_STATE_MISMATCH',
        `${name}: loaded state dict contains a parameter group that doesn't match the size of optimizer's group (group ${g}: ${saved.params?.length} vs ${group.params.length} parameters).`,
        'Load a state dict saved from an optimizer over the same model.',
        { group: g, saved: saved.params?.length, expected: group.params.length },
      )
    }
    saved.params.forEach((index, i) => {
      byIndex.set(index, group.params[i]!)
    })
  })
  for (const [key, entry] of Object.entries(stateDict.state ?? {})) {
    const param = byIndex.get(Number(key))
    if (!param) {
      throw new TrainError(
        'OPTIMIZER_STATE_MISMATCH',
        `${name}: loaded state dict has state for parameter ${key}, which no group lists.`,
        'Load a state dict saved by stateDict().',
        { index: key },
      )
    }
    for (const value of Object.values(entry)) {
      if (typeof value !== 'number' && !tf.util.arraysEqual(value.shape, param.shape)) {
        throw new TrainError(
          'OPTIMIZER_STATE_MISMATCH',
          `${name}: state of parameter ${key} has shape ${formatShapeList(value.shape)}, but the parameter has shape ${formatShapeList(param.shape)}.`,
          'Load a state dict saved from an optimizer over the same model architecture.',
          { index: key, stateShape: value.shape, paramShape: param.shape },
        )
      }
    }
  }
  return byIndex
}
