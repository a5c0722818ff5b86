/** Types and helpers shared by the gradient definitions (see gradients.ts). */
import * as tf from '@tensorflow/tfjs-core'

/** The tensors a kernel saved for its gradient (inputs, then outputs). */
export type Saved = tf.Tensor[]
/** A kernel's attributes. */
export type Attrs = Record<string, unknown>
/** Gradient functions of a kernel's inputs, given the output gradient `dy`. */
export type GradFunc = (
  dy: tf.Tensor,
  saved: Saved,
  attrs: Attrs,
) => Record<string, () => tf.Tensor>

/** One kernel's gradient, as `tf.registerGradient` takes it. */
export interface Config {
  kernelName: string
  inputsToSave?: string[]
  outputsToSave?: boolean[]
  saveAllInputs?: boolean
  gradFunc: GradFunc
}

export const { getReductionAxes, assertAndGetBroadcastShape } = tf.broadcast_util
export const { getUndoAxesPermutation, expandShapeToKeepDim } = tf.backend_util
export const { parseAxisParam, sizeFromShape } = tf.util

/** Sums `grad` over the axes along which `shape` was broadcast, and reshapes it back to `shape`. */
export function unbroadcast(grad: tf.Tensor, shape: number[], outShape: number[]): tf.Tensor {
  const axes = getReductionAxes(shape, outShape)
  return tf.reshape(axes.length > 0 ? tf.sum(grad, axes) : grad, shape)
}

/** A binary kernel (`a`, `b`) whose input gradients are unbroadcast back to the inputs' shapes. */
export function binary(
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

/** A unary kernel whose gradient is computed from its input `x`. */
export function unaryX(
  kernelName: string,
  der: (dy: tf.Tensor, x: tf.Tensor) => tf.Tensor,
): Config {
  return { kernelName, inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => der(dy, x!) }) }
}

/** A unary kernel whose gradient is computed from its output `y`. */
export function unaryY(
  kernelName: string,
  der: (dy: tf.Tensor, y: tf.Tensor) => tf.Tensor,
): Config {
  return { kernelName, outputsToSave: [true], gradFunc: (dy, [y]) => ({ x: () => der(dy, y!) }) }
}

/** `Max` or `Min`: the gradient flows to the elements equal to the result. */
export function minMax(kernelName: string, axisAttr: string): Config {
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

/** `dy` of a reduction over `axis`, broadcast back to `x`'s shape. */
export function expandReduced(dy: tf.Tensor, x: tf.Tensor, axis: unknown): tf.Tensor {
  const axes = parseAxisParam(axis as number | number[], x.shape)
  const expanded = x.shape.slice()
  for (const a of axes) expanded[a] = 1
  return tf.mul(tf.reshape(dy, expanded), tf.ones(x.shape, 'float32'))
}

/** `t` as float32. */
export const float = (t: tf.Tensor) => tf.cast(t, 'float32')

/** Whether the active backend implements `kernelName` (tfjs-backend-wasm lacks a few). */
export function hasKernel(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) != null
}

/** `tf.unsortedSegmentSum`, or a one-hot matmul where the backend lacks the kernel (wasm). */
export function segmentSum(values: tf.Tensor, ids: tf.Tensor1D, numSegments: number): tf.Tensor {
  if (hasKernel('UnsortedSegmentSum')) return tf.unsortedSegmentSum(values, ids, numSegments)
  const rows = tf.reshape(values, [values.shape[0]!, -1])
  const summed = tf.matMul(float(tf.oneHot(ids, numSegments)), rows, true, false)
  return tf.reshape(summed, [numSegments, ...values.shape.slice(1)])
}

/** Piecewise-constant kernels (comparisons, rounding, argmax…): zero gradient for every input. */
export function zeroGradient(kernelName: string, inputs: string[]): Config {
  return {
    kernelName,
    inputsToSave: inputs,
    gradFunc: (_dy, saved) =>
      Object.fromEntries(inputs.map((name, i) => [name, () => tf.zerosLike(float(saved[i]!))])),
  }
}
