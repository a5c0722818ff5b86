import type { LayerBlock } from './blocks/block.js'
import { blocks } from './blocks/index.js'
import { fail, product } from './blocks/rules.js'
import { makeIssue, ShapeError } from './errors.js'
import type { ShapeResult } from './issue.js'
import { type LayerParams, type LayerType, layerTypes } from './layerTypes.js'
import { MAX_LAYER_PARAMS, MAX_RANK, MAX_TENSOR_ELEMENTS } from './limits.js'
import { firstParamIssue, isNodeType } from './specs.js'
import type { MergeType } from './types.js'

export { MAX_LAYER_PARAMS, MAX_TENSOR_ELEMENTS }

type Rule<T extends LayerType> = (input: readonly number[], params: LayerParams[T]) => ShapeResult

const blockOf = <T extends LayerType>(type: T) =>
  blocks[type] as unknown as LayerBlock<T, LayerParams[T]>

const isShape = (input: unknown): input is readonly number[] =>
  Array.isArray(input) &&
  input.length <= MAX_RANK &&
  input.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)

/** A block's shape rule behind the checks every layer shares: input, parameters, sizes. */
function checked<T extends LayerType>(type: T): Rule<T> {
  const block = blockOf(type)
  return (input, params) => {
    if (!isShape(input)) return fail(makeIssue('INVALID_INPUT_SHAPE', { inputShape: input }))
    const bad = firstParamIssue(type, params as Record<string, unknown>)
    if (bad) return fail(bad)
    const count = block.paramCount(params)
    if (count > MAX_LAYER_PARAMS) {
      return fail(makeIssue('TOO_MANY_PARAMETERS', { type, count, max: MAX_LAYER_PARAMS }))
    }
    const result = block.shape(input, params)
    if (result.ok && product(result.shape) > MAX_TENSOR_ELEMENTS) {
      return fail(
        makeIssue('TENSOR_TOO_LARGE', { type, shape: result.shape, max: MAX_TENSOR_ELEMENTS }),
      )
    }
    return result
  }
}

/**
 * The one table of shape rules, built from the block definitions: for each layer type, the output
 * shape for a concrete input shape (batch first, unbatched where PyTorch allows it), or the error
 * PyTorch would raise, worded as PyTorch words it, with a structured fix. Parameters are validated
 * first. Pure and fast.
 *
 * @example shapeRules.Flatten([64, 1, 28, 28], { startDim: 1, endDim: -1 }) // { ok: true, shape: [64, 784] }
 */
export const shapeRules: { [T in LayerType]: Rule<T> } = Object.fromEntries(
  layerTypes.map((type) => [type, checked(type)]),
) as { [T in LayerType]: Rule<T> }

/** True when `type` is a merge block's type (`Add`, `Concat`, `Mul`). */
export function isMergeType(type: unknown): type is MergeType {
  return isNodeType(type) && blocks[type].kind === 'merge'
}

/** True when `type` is a layer type with a shape rule. */
export function isLayerType(type: unknown): type is LayerType {
  return isNodeType(type) && blocks[type].kind === 'layer'
}

/**
 * The output shape of a layer for an input shape, or a PyTorch-worded error with a fix.
 *
 * @example layerOutputShape('Linear', { inFeatures: 784, outFeatures: 128, bias: true }, [64, 784])
 * // { ok: true, shape: [64, 128] }
 */
export function layerOutputShape<T extends LayerType>(
  type: T,
  params: LayerParams[T],
  input: readonly number[],
): ShapeResult {
  if (!isLayerType(type)) {
    return fail(makeIssue('UNKNOWN_NODE_TYPE', { type, known: layerTypes }))
  }
  return (shapeRules[type] as Rule<T>)(input, params)
}

/**
 * Like `layerOutputShape`, but throws a `ShapeError` (same code, message, values and fix) instead
 * of returning an error: what a runtime calls before it computes.
 */
export function assertLayerShape<T extends LayerType>(
  type: T,
  params: LayerParams[T],
  input: readonly number[],
): number[] {
  const result = layerOutputShape(type, params, input)
  if (!result.ok) throw new ShapeError(result.error)
  return result.shape
}

type MergeRule = (
  inputs: readonly (readonly number[])[],
  params: object,
  ports: readonly string[],
) => ShapeResult

/**
 * The output shape of a merge block (`Add`, `Mul`, `Concat`) for its inputs' shapes in port
 * order, or PyTorch's error with a fix (e.g. a projection on one input's port). Parameters and
 * shapes are validated first.
 *
 * @example mergeOutputShape('Concat', { dim: 1 }, [[64, 128], [64, 32]]) // { ok: true, shape: [64, 160] }
 */
export function mergeOutputShape(
  type: MergeType,
  params: object,
  inputs: readonly (readonly number[])[],
  ports?: readonly string[],
): ShapeResult {
  if (!isMergeType(type)) {
    const known = Object.keys(blocks).filter((t) => isMergeType(t))
    return fail(makeIssue('UNKNOWN_NODE_TYPE', { type, known }))
  }
  const bad = inputs.find((input) => !isShape(input))
  if (bad !== undefined) return fail(makeIssue('INVALID_INPUT_SHAPE', { inputShape: bad }))
  const issue = firstParamIssue(type, params as Record<string, unknown>)
  if (issue) return fail(issue)
  const block = blocks[type]
  const names =
    ports ??
    inputs.map((_, i) =>
      block.ports.kind === 'named' ? (block.ports.names[i] ?? String(i)) : String(i),
    )
  const needed = block.ports.kind === 'named' ? block.ports.names.length : block.ports.min
  if (inputs.length < needed) {
    const missing =
      block.ports.kind === 'named'
        ? block.ports.names.slice(inputs.length)
        : [String(inputs.length)]
    const portNames = block.ports.kind === 'named' ? block.ports.names : []
    return fail(
      makeIssue('MERGE_MISSING_INPUT', {
        type,
        missing,
        ports: portNames,
        ...(block.ports.kind === 'list' ? { min: needed } : {}),
      }),
    )
  }
  return (block.shape as MergeRule)(inputs, params, names)
}

/** Like {@link mergeOutputShape}, but throws the `ShapeError`: what a runtime calls. */
export function assertMergeShape(
  type: MergeType,
  params: object,
  inputs: readonly (readonly number[])[],
): number[] {
  const result = mergeOutputShape(type, params, inputs)
  if (!result.ok) throw new ShapeError(result.error)
  return result.shape
}

/**
 * Trainable parameters of a layer, as `sum(p.numel() for p in layer.parameters())` counts them
 * (BatchNorm1d's running statistics are buffers, not parameters).
 *
 * @example layerParamCount('Linear', { inFeatures: 784, outFeatures: 128, bias: true }) // 100480
 */
export function layerParamCount<T extends LayerType>(type: T, params: LayerParams[T]): number {
  return isLayerType(type) ? blockOf(type).paramCount(params) : 0
}
