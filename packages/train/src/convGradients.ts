/** Gradients of the convolution, pooling and batch-norm kernels. */
import * as tf from '@tensorflow/tfjs-core'
import { type Attrs, type Config, hasKernel, unbroadcast } from './gradientHelpers'

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

/** Conv2D, MaxPool, AvgPool, FusedBatchNorm. */
export const convGradients: Config[] = [
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
