/** Gradients of the reductions and of the kernels that move data around (reshape, concat, gather…). */
import * as tf from '@tensorflow/tfjs-core'
import {
  type Config,
  expandReduced,
  getUndoAxesPermutation,
  minMax,
  parseAxisParam,
  segmentSum,
  sizeFromShape,
} from './gradientHelpers'

/** Reductions (sum, mean, max, min), reshapes, transposes, matmul, concat, split, slice, pad, tile, broadcast, gather. */
export const shapeGradients: Config[] = [
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
]
