// Gradient functions for the tfjs kernels that models and losses use, ported from tfjs-core's
// src/gradients (Apache-2.0, Copyright Google LLC) onto its public API. tfjs-core's own
// `register_all_gradients` ships only as extensionless ESM that Node cannot import, and its npm
// bundles contain no gradients at all, so `tf.grad` fails with "gradient function not found for
// Sum" unless the full `@tensorflow/tfjs` package is loaded. Registering is idempotent and never
// overrides a gradient that is already registered (e.g. by `@tensorflow/tfjs`).
import * as tf from '@tensorflow/tfjs-core'

type Saved = tf.Tensor[]
type Attrs = Record<string, unknown>
type GradFunc = (dy: tf.Tensor, saved: Saved, attrs: Attrs) => Record<string, () => tf.Tensor>

interface Config {
  kernelName: string
  inputsToSave?: string[]
  outputsToSave?: boolean[]
  saveAllInputs?: boolean
  gradFunc: GradFunc
}

const { getReductionAxes, assertAndGetBroadcastShape } = tf.broadcast_util
const { getUndoAxesPermutation, expandShapeToKeepDim } = tf.backend_util
const { parseAxisParam, sizeFromShape } = tf.util

/** Sums `grad` over the axes along which `shape` was broadcast, and reshapes it back to `shape`. */
function unbroadcast(grad: tf.Tensor, shape: number[], outShape: number[]): tf.Tensor {
  const axes = getReductionAxes(shape, outShape)
  return tf.reshape(axes.length > 0 ? tf.sum(grad, axes) : grad, shape)
}

function binary(
  kernelName: string,
  derA: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  derB: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
): Config {
  return {
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]) => {
      const outShape = assertAndGetBroadcastShape(a!.shape, b!.shape)
      return {
        a: () => unbroadcast(derA(dy, a!, b!), a!.shape, outShape),
        b: () => unbroadcast(derB(dy, a!, b!), b!.shape, outShape),
      }
    },
  }
}

function unaryX(kernelName: string, der: (dy: tf.Tensor, x: tf.Tensor) => tf.Tensor): Config {
  return { kernelName, inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => der(dy, x!) }) }
}

function unaryY(kernelName: string, der: (dy: tf.Tensor, y: tf.Tensor) => tf.Tensor): Config {
  return { kernelName, outputsToSave: [true], gradFunc: (dy, [y]) => ({ x: () => der(dy, y!) }) }
}

function minMax(kernelName: string, axisAttr: string): Config {
  return {
    kernelName,
    inputsToSave: ['x'],
    outputsToSave: [true],
    gradFunc: (dy, [x, y], attrs) => {
      const axes = parseAxisParam(attrs[axisAttr] as number | number[], x!.shape)
      const keep = (t: tf.Tensor) =>
        t.rank < x!.rank ? tf.reshape(t, expandShapeToKeepDim(t.shape, axes)) : t
      return { x: () => tf.mul(keep(dy), tf.cast(tf.equal(x!, keep(y!)), dy.dtype)) }
    },
  }
}

function expandReduced(dy: tf.Tensor, x: tf.Tensor, axis: unknown): tf.Tensor {
  const axes = parseAxisParam(axis as number | number[], x.shape)
  const expanded = x.shape.slice()
  for (const a of axes) expanded[a] = 1
  return tf.mul(tf.reshape(dy, expanded), tf.ones(x.shape, 'float32'))
}

const float = (t: tf.Tensor) => tf.cast(t, 'float32')

/** Whether the active backend implements `kernelName` (tfjs-backend-wasm lacks a few). */
function hasKernel(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) != null
}

/** `tf.unsortedSegmentSum`, or a one-hot matmul where the backend lacks the kernel (wasm). */
function segmentSum(values: tf.Tensor, ids: tf.Tensor1D, numSegments: number): tf.Tensor {
  if (hasKernel('UnsortedSegmentSum')) return tf.unsortedSegmentSum(values, ids, numSegments)
  const rows = tf.reshape(values, [values.shape[0]!, -1])
  const summed = tf.matMul(float(tf.oneHot(ids, numSegments)), rows, true, false)
  return tf.reshape(summed, [numSegments, ...values.shape.slice(1)])
}

/**
 * The gradient of conv2d with respect to its filter. Where the backend lacks the
 * Conv2DBackpropFilter kernel (tfjs-backend-wasm), it is itself a convolution: of the padded
 * input (channels as batch) with `dy` (batch as channels), dilated by the stride.
 */
function conv2dFilterGrad(
  x: tf.Tensor,
  dy: tf.Tensor,
  filterShape: number[],
  attrs: Attrs,
): tf.Tensor {
  const { strides, pad, dataFormat, dimRoundingMode } = attrs
  if (hasKernel('Conv2DBackpropFilter') || dataFormat === 'NCHW') {
    return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
      strides,
      pad,
      dataFormat,
      dimRoundingMode,
      filterShape,
    } as tf.NamedAttrMap) as tf.Tensor
  }
  const [kh, kw, inChannels, outChannels] = filterShape as [number, number, number, number]
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    [kh, kw, inChannels, outChannels],
    strides as number | [number, number],
    1,
    pad as 'valid' | 'same' | number,
    dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  )
  const { top, bottom, left, right } = info.padInfo
  const padded = tf.pad(x, [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ])
  const input = tf.transpose(padded, [3, 1, 2, 0]) as tf.Tensor4D
  const kernel = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D
  const full = tf.conv2d(input, kernel, 1, 'valid', 'NHWC', [info.strideHeight, info.strideWidth])
  const cropped = tf.slice(full, [0, 0, 0, 0], [inChannels, kh, kw, outChannels])
  return tf.transpose(cropped, [1, 2, 0, 3])
}

/** Piecewise-constant kernels (comparisons, rounding, argmax…): zero gradient for every input. */
function zeroGradient(kernelName: string, inputs: string[]): Config {
  return {
    kernelName,
    inputsToSave: inputs,
    gradFunc: (_dy, saved) =>
      Object.fromEntries(inputs.map((name, i) => [name, () => tf.zerosLike(float(saved[i]!))])),
  }
}

const CONFIGS: Config[] = [
  ...[
    'Greater',
    'GreaterEqual',
    'Less',
    'LessEqual',
    'Equal',
    'NotEqual',
    'LogicalAnd',
    'LogicalOr',
  ].map((name) => zeroGradient(name, ['a', 'b'])),
  ...[
    'LogicalNot',
    'Sign',
    'Floor',
    'Ceil',
    'Round',
    'IsNan',
    'IsFinite',
    'IsInf',
    'ArgMax',
    'ArgMin',
  ].map((name) => zeroGradient(name, ['x'])),
  zeroGradient('OneHot', ['indices']),
  binary(
    'Add',
    (dy) => dy,
    (dy) => dy,
  ),
  binary(
    'Sub',
    (dy) => dy,
    (dy) => tf.neg(dy),
  ),
  binary(
    'Multiply',
    (dy, _a, b) => tf.mul(dy, float(b)),
    (dy, a) => tf.mul(dy, float(a)),
  ),
  binary(
    'RealDiv',
    (dy, _a, b) => tf.div(dy, float(b)),
    (dy, a, b) => tf.neg(tf.div(tf.mul(dy, float(a)), float(tf.square(b)))),
  ),
  binary(
    'SquaredDifference',
    (dy, a, b) => tf.mul(dy, tf.mul(2, tf.sub(a, b))),
    (dy, a, b) => tf.mul(dy, tf.mul(2, tf.sub(b, a))),
  ),
  binary(
    'Maximum',
    (dy, a, b) => tf.mul(dy, float(tf.greaterEqual(a, b))),
    (dy, a, b) => tf.mul(dy, float(tf.less(a, b))),
  ),
  binary(
    'Minimum',
    (dy, a, b) => tf.mul(dy, float(tf.lessEqual(a, b))),
    (dy, a, b) => tf.mul(dy, float(tf.greater(a, b))),
  ),
  {
    kernelName: 'Pow',
    inputsToSave: ['a', 'b'],
    outputsToSave: [true],
    gradFunc: (dy, [a, b, y]) => {
      const outShape = assertAndGetBroadcastShape(a!.shape, b!.shape)
      return {
        a: () => {
          const e = float(b!)
          return unbroadcast(tf.mul(dy, tf.mul(e, tf.pow(a!, tf.sub(e, 1)))), a!.shape, outShape)
        },
        b: () => {
          const logBase = tf.where(tf.greater(a!, 0), tf.log(a!), tf.zerosLike(a!))
          return unbroadcast(tf.mul(dy, tf.mul(y!, logBase)), b!.shape, outShape)
        },
      }
    },
  },
  {
    kernelName: 'AddN',
    saveAllInputs: true,
    gradFunc: (dy, saved) => Object.fromEntries(saved.map((_, i) => [i, () => tf.clone(dy)])),
  },
  { kernelName: 'Neg', gradFunc: (dy) => ({ x: () => tf.neg(dy) }) },
  { kernelName: 'Identity', gradFunc: (dy) => ({ x: () => float(dy) }) },
  { kernelName: 'Cast', gradFunc: (dy) => ({ x: () => tf.clone(dy) }) },
  { kernelName: 'Step', gradFunc: (dy) => ({ x: () => tf.zerosLike(dy) }) },
  { kernelName: 'ZerosLike', gradFunc: (dy) => ({ x: () => tf.zerosLike(dy) }) },
  { kernelName: 'OnesLike', gradFunc: (dy) => ({ x: () => tf.zerosLike(dy) }) },
  unaryX('Abs', (dy, x) => tf.mul(dy, tf.step(float(x), -1))),
  unaryX('Log', (dy, x) => tf.div(dy, float(x))),
  unaryX('Log1p', (dy, x) => tf.div(dy, tf.add(x, 1))),
  unaryX('Sqrt', (dy, x) => tf.div(dy, tf.mul(tf.sqrt(float(x)), 2))),
  unaryX('Rsqrt', (dy, x) => tf.neg(tf.div(dy, tf.mul(tf.pow(x, 1.5), 2)))),
  unaryX('Square', (dy, x) => tf.mul(dy, tf.mul(float(x), 2))),
  unaryX('Reciprocal', (dy, x) => tf.div(dy, tf.neg(tf.square(x)))),
  unaryX('Erf', (dy, x) =>
    tf.mul(dy, tf.mul(tf.exp(tf.neg(tf.square(x))), 2 / Math.sqrt(Math.PI))),
  ),
  unaryX('Relu', (dy, x) => tf.mul(dy, float(tf.step(x)))),
  unaryX('Relu6', (dy, x) => tf.mul(dy, float(tf.mul(tf.lessEqual(x, 6), tf.step(x))))),
  unaryX('Softplus', (dy, x) => tf.mul(dy, tf.sigmoid(x))),
  unaryY('Exp', (dy, y) => tf.mul(dy, y)),
  unaryY('Sigmoid', (dy, y) => tf.mul(dy, tf.mul(y, tf.sub(1, y)))),
  unaryY('Tanh', (dy, y) => tf.mul(tf.sub(1, tf.square(y)), dy)),
  unaryY('Elu', (dy, y) => tf.engine().runKernel('EluGrad', { dy, y }) as tf.Tensor),
  {
    kernelName: 'LeakyRelu',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => ({
      x: () => tf.where(tf.greater(x!, 0), dy, tf.mul(dy, attrs.alpha as number)),
    }),
  },
  {
    kernelName: 'Prelu',
    inputsToSave: ['x', 'alpha'],
    gradFunc: (dy, [x, alpha]) => {
      const mask = tf.greater(x!, 0)
      return {
        x: () => tf.where(mask, dy, tf.mul(dy, alpha!)),
        alpha: () =>
          unbroadcast(tf.where(mask, tf.zerosLike(dy), tf.mul(dy, x!)), alpha!.shape, dy.shape),
      }
    },
  },
  {
    kernelName: 'ClipByValue',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => ({
      x: () =>
        tf.where(
          tf.logicalAnd(
            tf.greaterEqual(x!, attrs.clipValueMin as number),
            tf.lessEqual(x!, attrs.clipValueMax as number),
          ),
          dy,
          tf.zerosLike(dy),
        ),
    }),
  },
  {
    kernelName: 'Select',
    inputsToSave: ['condition'],
    gradFunc: (dy, [condition]) => ({
      condition: () => float(tf.zerosLike(condition!)),
      t: () => tf.mul(dy, tf.cast(condition!, dy.dtype)),
      e: () => tf.mul(dy, tf.cast(tf.logicalNot(condition!), dy.dtype)),
    }),
  },
  {
    kernelName: 'Softmax',
    outputsToSave: [true],
    gradFunc: (dy, [y], attrs) => {
      const dyTimesY = tf.mul(dy, y!)
      return {
        logits: () => tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [attrs.dim as number], true), y!)),
      }
    },
  },
  {
    kernelName: 'LogSoftmax',
    outputsToSave: [true],
    gradFunc: (dy, [value], attrs) => ({
      logits: () => tf.sub(dy, tf.mul(tf.sum(dy, attrs.axis as number, true), tf.exp(value!))),
    }),
  },
  {
    kernelName: 'Sum',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => ({ x: () => expandReduced(dy, x!, attrs.axis) }),
  },
  {
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const axes = parseAxisParam(attrs.axis as number | number[], x!.shape)
      const reduceSize = sizeFromShape(axes.map((a) => x!.shape[a]!))
      return { x: () => tf.div(expandReduced(dy, x!, axes), reduceSize) }
    },
  },
  minMax('Max', 'reductionIndices'),
  minMax('Min', 'axis'),
  {
    kernelName: 'Reshape',
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.reshape(dy, x!.shape) }),
  },
  {
    kernelName: 'ExpandDims',
    inputsToSave: ['input'],
    gradFunc: (dy, [input]) => ({ input: () => tf.reshape(dy, input!.shape) }),
  },
  {
    kernelName: 'Transpose',
    gradFunc: (dy, _saved, attrs) => ({
      x: () => tf.transpose(dy, getUndoAxesPermutation(attrs.perm as number[])),
    }),
  },
  {
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b], attrs) => {
      const tA = attrs.transposeA as boolean
      const tB = attrs.transposeB as boolean
      if (!tA && !tB)
        return { a: () => tf.matMul(dy, b!, false, true), b: () => tf.matMul(a!, dy, true, false) }
      if (!tA && tB)
        return { a: () => tf.matMul(dy, b!, false, false), b: () => tf.matMul(dy, a!, true, false) }
      if (tA && !tB)
        return { a: () => tf.matMul(b!, dy, false, true), b: () => tf.matMul(a!, dy, false, false) }
      return { a: () => tf.matMul(b!, dy, true, true), b: () => tf.matMul(dy, a!, true, true) }
    },
  },
  {
    kernelName: 'Concat',
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs) => {
      const axis = parseAxisParam(attrs.axis as number, saved[0]!.shape)[0]!
      const parts = tf.split(
        dy,
        saved.map((t) => t.shape[axis]!),
        axis,
      )
      return Object.fromEntries(parts.map((t, i) => [i, () => t]))
    },
  },
  {
    kernelName: 'Pack',
    saveAllInputs: true,
    gradFunc: (dy, _saved, attrs) =>
      Object.fromEntries(tf.unstack(dy, attrs.axis as number).map((t, i) => [i, () => t])),
  },
  {
    kernelName: 'Unpack',
    gradFunc: (dy, _saved, attrs) => ({
      value: () => tf.stack(dy as unknown as tf.Tensor[], attrs.axis as number),
    }),
  },
  {
    kernelName: 'SplitV',
    gradFunc: (dy, _saved, attrs) => ({
      x: () => tf.concat(dy as unknown as tf.Tensor[], attrs.axis as number),
    }),
  },
  {
    kernelName: 'Slice',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const [begin = [], size = []] = tf.slice_util.parseSliceParams(
        x!,
        attrs.begin as number | number[],
        attrs.size as number | number[],
      )
      const paddings = x!.shape.map(
        (dim, i) => [begin[i]!, dim - begin[i]! - size[i]!] as [number, number],
      )
      return { x: () => tf.pad(dy, paddings) }
    },
  },
  {
    kernelName: 'PadV2',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => ({
      x: () =>
        tf.slice(
          dy,
          (attrs.paddings as Array<[number, number]>).map((p) => p[0]),
          x!.shape,
        ),
    }),
  },
  {
    kernelName: 'Tile',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => ({
      x: () => {
        const reps = attrs.reps as number[]
        // dy has shape [r0*s0, r1*s1, ...]: split every axis into (r, s) and sum the r axes.
        const split = x!.shape.flatMap((s, i) => [reps[i]!, s])
        const axes = x!.shape.map((_, i) => 2 * i)
        return tf.sum(tf.reshape(dy, split), axes)
      },
    }),
  },
  {
    kernelName: 'BroadcastTo',
    gradFunc: (dy, _saved, attrs) => {
      const inputShape = attrs.inputShape as number[]
      const outputShape = attrs.shape as number[]
      const offset = outputShape.length - inputShape.length
      const axes = outputShape
        .map((size, i) => (i < offset || (inputShape[i - offset] === 1 && size !== 1) ? i : -1))
        .filter((i) => i >= 0)
      return { x: () => tf.reshape(tf.sum(dy, axes, true), inputShape) }
    },
  },
  {
    kernelName: 'GatherV2',
    inputsToSave: ['x', 'indices'],
    gradFunc: (dy, [x, indices], attrs) => {
      if ((attrs.batchDims as number) !== 0) {
        throw new Error(
          '@tensorloom/train: gradient of gather with batchDims != 0 is not supported',
        )
      }
      const axis = parseAxisParam(attrs.axis as number, x!.shape)[0]!
      return {
        x: () => {
          const outer = x!.shape.slice(0, axis)
          const inner = x!.shape.slice(axis + 1)
          const n = indices!.size
          const values = tf.reshape(dy, [...outer, n, ...inner])
          const perm = [
            outer.length,
            ...outer.map((_, i) => i),
            ...inner.map((_, i) => outer.length + 1 + i),
          ]
          const summed = segmentSum(
            tf.transpose(values, perm),
            tf.reshape(indices!, [n]) as tf.Tensor1D,
            x!.shape[axis]!,
          )
          return tf.transpose(summed, getUndoAxesPermutation(perm))
        },
        indices: () => indices!,
      }
    },
  },
  {
    kernelName: 'Conv2D',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, [x, filter], attrs) => {
      const { strides, pad, dataFormat, dimRoundingMode } = attrs
      return {
        x: () =>
          tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: filter! }, {
            strides,
            pad,
            dataFormat,
            dimRoundingMode,
            inputShape: x!.shape,
          } as tf.NamedAttrMap) as tf.Tensor,
        filter: () => conv2dFilterGrad(x!, dy, filter!.shape, attrs),
      }
    },
  },
  {
    kernelName: 'MaxPool',
    inputsToSave: ['x'],
    outputsToSave: [true],
    gradFunc: (dy, [x, y], attrs) => ({
      x: () =>
        tf.engine().runKernel('MaxPoolGrad', { dy, input: x!, output: y! }, {
          filterSize: attrs.filterSize,
          strides: attrs.strides,
          pad: attrs.pad,
          dimRoundingMode: attrs.dimRoundingMode,
        } as tf.NamedAttrMap) as tf.Tensor,
    }),
  },
  {
    kernelName: 'AvgPool',
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => ({
      x: () =>
        tf.engine().runKernel('AvgPoolGrad', { dy, input: x! }, {
          filterSize: attrs.filterSize,
          strides: attrs.strides,
          pad: attrs.pad,
        } as tf.NamedAttrMap) as tf.Tensor,
    }),
  },
  {
    kernelName: 'FusedBatchNorm',
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dy, [x, mean, variance, scale], attrs) => {
      const scaleValue = scale ?? tf.scalar(1)
      const rsqrtVar = tf.rsqrt(tf.add(variance!, attrs.varianceEpsilon as number))
      const minusHalfRCube = tf.mul(tf.mul(tf.mul(rsqrtVar, rsqrtVar), rsqrtVar), -0.5)
      const xMinusMean = tf.sub(x!, mean!)
      const dyTimesScale = tf.mul(dy, scaleValue)
      const toMeanShape = (t: tf.Tensor) => unbroadcast(t, mean!.shape, x!.shape)
      return {
        x: () => tf.mul(tf.mul(dy, rsqrtVar), scaleValue),
        mean: () => toMeanShape(tf.mul(tf.neg(rsqrtVar), dyTimesScale)),
        variance: () => toMeanShape(tf.mul(tf.mul(minusHalfRCube, xMinusMean), dyTimesScale)),
        scale: () => toMeanShape(tf.mul(dy, tf.mul(xMinusMean, rsqrtVar))),
        offset: () => toMeanShape(dy),
      }
    },
  },
]

/** Kernel names {@link registerGradients} provides gradients for. */
export const gradientKernels: readonly string[] = CONFIGS.map((c) => c.kernelName)

let registered = false

/**
 * Registers gradient functions for the tfjs kernels used by `@tensorloom/layers` models and the
 * losses here (MatMul, Add, ReLU, Conv2D, MaxPool, log-softmax, …), so `tf.grad`,
 * `tf.variableGrads` and the optimizers work with only `@tensorflow/tfjs-core` and a backend.
 * Optimizers and the Trainer call it for you; call it yourself before using `tf.grad` directly.
 * Idempotent; gradients registered by someone else (e.g. `@tensorflow/tfjs`) are kept.
 */
export function registerGradients(): void {
  if (registered) return
  for (const config of CONFIGS) {
    if (tf.getGradient(config.kernelName) == null) {
      tf.registerGradient(config as unknown as tf.GradConfig)
    }
  }
  registered = true
}
