import { makeIssue, ShapeError } from './errors.js'
import type { LayerParams, LayerType, ShapeIssue, ShapeResult } from './layerTypes.js'
import { firstParamIssue, isNodeType, layerDefaults } from './specs.js'

/** The most trainable parameters one layer may have (400 MB of float32). */
export const MAX_LAYER_PARAMS = 100_000_000
/** The most elements a layer's output may hold. */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1
const MAX_RANK = 8

const ok = (shape: number[]): ShapeResult => ({ ok: true, shape })
const fail = (error: ShapeIssue): ShapeResult => ({ ok: false, error })

const product = (dims: readonly number[], from = 0, to = dims.length): number => {
  let p = 1
  for (let i = from; i < to; i++) p *= dims[i]!
  return p
}

/** PyTorch's wrap_dim: the valid range of `dim` for a tensor of `rank` dims, scalars as 1-D. */
const dimRange = (rank: number): { min: number; max: number } => {
  const r = Math.max(rank, 1)
  return { min: -r, max: r - 1 }
}

const normalizeDim = (dim: number, rank: number): number | null => {
  const { min, max } = dimRange(rank)
  if (dim < min || dim > max) return null
  return dim < 0 ? dim + Math.max(rank, 1) : dim
}

const dimError = (
  dim: number,
  rank: number,
  param: string,
  label: string,
  value: number,
): ShapeResult =>
  fail(
    makeIssue(
      'DIM_OUT_OF_RANGE',
      { ...dimRange(rank), dim },
      { kind: 'setParam', param, value, label: `Set ${label} = ${value}` },
    ),
  )

const softmaxRule = (input: readonly number[], params: { dim: number }): ShapeResult => {
  if (normalizeDim(params.dim, input.length) === null) {
    const suggested = input.length >= 2 ? 1 : -1
    return dimError(params.dim, input.length, 'dim', 'dim', suggested)
  }
  return ok([...input])
}

const identity = (input: readonly number[]): ShapeResult => ok([...input])

const rules: {
  [T in LayerType]: (input: readonly number[], params: LayerParams[T]) => ShapeResult
} = {
  Flatten(input, { startDim, endDim }) {
    const rank = input.length
    const start = normalizeDim(startDim, rank)
    if (start === null) {
      return dimError(startDim, rank, 'startDim', 'start_dim', rank >= 2 ? 1 : 0)
    }
    const end = normalizeDim(endDim, rank)
    if (end === null) return dimError(endDim, rank, 'endDim', 'end_dim', -1)
    if (start > end) {
      return fail(
        makeIssue(
          'FLATTEN_INVALID_DIMS',
          { startDim, endDim },
          { kind: 'setParam', param: 'endDim', value: -1, label: 'Set end_dim = -1' },
        ),
      )
    }
    if (rank === 0) return ok([1])
    if (start === end) return ok([...input])
    return ok([...input.slice(0, start), product(input, start, end + 1), ...input.slice(end + 1)])
  },

  Linear(input, { inFeatures, outFeatures }) {
    const rank = input.length
    if (rank === 0) return fail(makeIssue('LINEAR_SCALAR_INPUT', { inputShape: [] }))
    const last = input[rank - 1]!
    if (last === inFeatures) return ok([...input.slice(0, -1), outFeatures])
    const mat1 = rank === 1 ? [1, last] : [product(input, 0, rank - 1), last]
    const mat2 = [inFeatures, outFeatures]
    const flat = rank > 2 ? product(input, 1) : last
    const fix =
      rank > 2
        ? ({
            kind: 'insertBefore',
            type: 'Flatten',
            params: { ...layerDefaults.Flatten },
            label: 'Insert Flatten before this node',
          } as const)
        : ({
            kind: 'setParam',
            param: 'inFeatures',
            value: last,
            label: `Set in_features = ${last}`,
          } as const)
    return fail(
      makeIssue(
        'LINEAR_SHAPE_MISMATCH',
        { mat1, mat2, inputShape: [...input], inFeatures, features: flat },
        fix,
      ),
    )
  },

  Conv2d(input, { inChannels, outChannels, kernelSize, stride, padding }) {
    const rank = input.length
    if (rank !== 3 && rank !== 4) {
      return fail(makeIssue('CONV2D_INPUT_RANK', { inputShape: [...input] }))
    }
    const c = input[rank - 3]!
    if (c !== inChannels) {
      return fail(
        makeIssue(
          'CONV2D_CHANNEL_MISMATCH',
          {
            weightShape: [outChannels, inChannels, kernelSize, kernelSize],
            inputShape: [...input],
            expected: inChannels,
            actual: c,
          },
          { kind: 'setParam', param: 'inChannels', value: c, label: `Set in_channels = ${c}` },
        ),
      )
    }
    const ph = input[rank - 2]! + 2 * padding
    const pw = input[rank - 1]! + 2 * padding
    if (kernelSize > ph || kernelSize > pw) {
      const fit = Math.min(ph, pw)
      return fail(
        makeIssue(
          'CONV2D_KERNEL_TOO_LARGE',
          { paddedHeight: ph, paddedWidth: pw, kernelSize },
          fit >= 1
            ? {
                kind: 'setParam',
                param: 'kernelSize',
                value: fit,
                label: `Set kernel_size = ${fit}`,
              }
            : undefined,
        ),
      )
    }
    const oh = Math.floor((ph - kernelSize) / stride) + 1
    const ow = Math.floor((pw - kernelSize) / stride) + 1
    return ok([...input.slice(0, rank - 3), outChannels, oh, ow])
  },

  MaxPool2d(input, { kernelSize, stride }) {
    const rank = input.length
    if ((rank !== 3 && rank !== 4) || input.some((d) => d === 0)) {
      return fail(makeIssue('MAXPOOL2D_INPUT_RANK', { inputShape: [...input] }))
    }
    const s = stride ?? kernelSize
    const [c, h, w] = input.slice(rank - 3) as [number, number, number]
    const oh = Math.floor((h - kernelSize) / s) + 1
    const ow = Math.floor((w - kernelSize) / s) + 1
    if (oh < 1 || ow < 1) {
      const fit = Math.min(h, w)
      return fail(
        makeIssue(
          'MAXPOOL2D_OUTPUT_TOO_SMALL',
          { input: [c, h, w], output: [c, oh, ow] },
          { kind: 'setParam', param: 'kernelSize', value: fit, label: `Set kernel_size = ${fit}` },
        ),
      )
    }
    return ok([...input.slice(0, rank - 2), oh, ow])
  },

  Dropout: identity,

  BatchNorm1d(input, { numFeatures }) {
    const rank = input.length
    if (rank !== 2 && rank !== 3) {
      return fail(
        makeIssue(
          'BATCHNORM_INPUT_RANK',
          { rank },
          rank > 3
            ? {
                kind: 'insertBefore',
                type: 'Flatten',
                params: { ...layerDefaults.Flatten },
                label: 'Insert Flatten before this node',
              }
            : undefined,
        ),
      )
    }
    const features = input[1]!
    if (features !== numFeatures) {
      return fail(
        makeIssue(
          'BATCHNORM_FEATURE_MISMATCH',
          { numFeatures, inputFeatures: features },
          {
            kind: 'setParam',
            param: 'numFeatures',
            value: features,
            label: `Set num_features = ${features}`,
          },
        ),
      )
    }
    return ok([...input])
  },

  ReLU: identity,
  Sigmoid: identity,
  Tanh: identity,
  Softmax: softmaxRule,
  LogSoftmax: softmaxRule,
}

const isShape = (input: unknown): input is readonly number[] =>
  Array.isArray(input) &&
  input.length <= MAX_RANK &&
  input.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)

function checked<T extends LayerType>(
  type: T,
): (input: readonly number[], params: LayerParams[T]) => ShapeResult {
  const rule = rules[type]
  return (input, params) => {
    if (!isShape(input)) return fail(makeIssue('INVALID_INPUT_SHAPE', { inputShape: input }))
    const bad = firstParamIssue(type, params as Record<string, unknown>)
    if (bad) return fail(bad)
    const count = layerParamCount(type, params)
    if (count > MAX_LAYER_PARAMS) {
      return fail(makeIssue('TOO_MANY_PARAMETERS', { type, count, max: MAX_LAYER_PARAMS }))
    }
    const result = rule(input, params)
    if (result.ok && product(result.shape) > MAX_TENSOR_ELEMENTS) {
      return fail(
        makeIssue('TENSOR_TOO_LARGE', { type, shape: result.shape, max: MAX_TENSOR_ELEMENTS }),
      )
    }
    return result
  }
}

/**
 * The one table of shape rules: for each layer type, the output shape for a concrete input shape
 * (batch first, unbatched where PyTorch allows it), or the error PyTorch would raise, worded as
 * PyTorch words it, with a structured fix. Parameters are validated first. Pure and fast.
 *
 * @example shapeRules.Flatten([64, 1, 28, 28], { startDim: 1, endDim: -1 }) // { ok: true, shape: [64, 784] }
 */
export const shapeRules: {
  [T in LayerType]: (input: readonly number[], params: LayerParams[T]) => ShapeResult
} = {
  Flatten: checked('Flatten'),
  Linear: checked('Linear'),
  Conv2d: checked('Conv2d'),
  MaxPool2d: checked('MaxPool2d'),
  Dropout: checked('Dropout'),
  BatchNorm1d: checked('BatchNorm1d'),
  ReLU: checked('ReLU'),
  Sigmoid: checked('Sigmoid'),
  Tanh: checked('Tanh'),
  Softmax: checked('Softmax'),
  LogSoftmax: checked('LogSoftmax'),
}

/** True when `type` is a layer type with a shape rule. */
export function isLayerType(type: unknown): type is LayerType {
  return isNodeType(type) && Object.hasOwn(rules, type)
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
    return fail(makeIssue('UNKNOWN_NODE_TYPE', { type, known: Object.keys(rules) as LayerType[] }))
  }
  return shapeRules[type](input, params)
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

/**
 * Trainable parameters of a layer, as `sum(p.numel() for p in layer.parameters())` counts them
 * (BatchNorm1d's running statistics are buffers, not parameters).
 *
 * @example layerParamCount('Linear', { inFeatures: 784, outFeatures: 128, bias: true }) // 100480
 */
export function layerParamCount<T extends LayerType>(type: T, params: LayerParams[T]): number {
  switch (type) {
    case 'Linear': {
      const p = params as LayerParams['Linear']
      return p.inFeatures * p.outFeatures + (p.bias === false ? 0 : p.outFeatures)
    }
    case 'Conv2d': {
      const p = params as LayerParams['Conv2d']
      return (
        p.outChannels * p.inChannels * p.kernelSize * p.kernelSize +
        (p.bias === false ? 0 : p.outChannels)
      )
    }
    case 'BatchNorm1d':
      return 2 * (params as LayerParams['BatchNorm1d']).numFeatures
    default:
      return 0
  }
}
