/** Gradients of the element-wise kernels: comparisons, arithmetic, unary maths and activations. */
import * as tf from '@tensorflow/tfjs-core'
import {
  assertAndGetBroadcastShape,
  binary,
  type Config,
  float,
  unaryX,
  unaryY,
  unbroadcast,
  zeroGradient,
} from './gradientHelpers'

/** Comparisons and rounding (zero gradient), arithmetic, unary maths, activations, softmax. */
export const elementwiseGradients: Config[] = [
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
]
