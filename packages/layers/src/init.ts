import * as tf from '@tensorflow/tfjs-core'
import { layersError } from './errors'
import { defaultGenerator, type Generator } from './Generator'

/** `fan_in` and `fan_out` of a weight shape, like PyTorch's `_calculate_fan_in_and_fan_out`. */
export function calculateFanInAndFanOut(shape: readonly number[]): {
  fanIn: number
  fanOut: number
} {
  if (shape.length < 2) {
    throw layersError('FAN_IN_OUT', { shape })
  }
  let receptive = 1
  for (const d of shape.slice(2)) receptive *= d
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive }
}

/** PyTorch's `calculate_gain` for the nonlinearities Kaiming initialisation uses. */
export function calculateGain(
  nonlinearity: 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu',
  param?: number,
): number {
  switch (nonlinearity) {
    case 'linear':
    case 'sigmoid':
      return 1
    case 'tanh':
      return 5.0 / 3
    case 'relu':
      return Math.sqrt(2.0)
    case 'leaky_relu': {
      const slope = param ?? 0.01
      return Math.sqrt(2.0 / (1 + slope * slope))
    }
  }
}

/** The bound `b` of Kaiming-uniform init U(-b, b), computed in PyTorch's order of operations. */
export function kaimingUniformBound(
  shape: readonly number[],
  options: {
    a?: number
    mode?: 'fan_in' | 'fan_out'
    nonlinearity?: 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu'
  } = {},
): number {
  const { fanIn, fanOut } = calculateFanInAndFanOut(shape)
  const fan = (options.mode ?? 'fan_in') === 'fan_in' ? fanIn : fanOut
  if (fan === 0) return 0
  const gain = calculateGain(options.nonlinearity ?? 'leaky_relu', options.a ?? 0)
  const std = gain / Math.sqrt(fan)
  return Math.sqrt(3.0) * std
}

/** Float32 values drawn like PyTorch's `torch.empty(shape).uniform_(from, to)`. */
export function uniformValues(
  shape: readonly number[],
  from: number,
  to: number,
  generator: Generator = defaultGenerator,
): Float32Array {
  const size = shape.reduce((n, d) => n * d, 1)
  return generator.fillUniform(new Float32Array(size), from, to)
}

/** Creates a float32 variable from values (owning nothing else: no tensor is left behind). */
export function createVariable(
  values: Float32Array | Int32Array,
  shape: readonly number[],
  trainable = true,
  dtype: 'float32' | 'int32' = 'float32',
): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor(values, [...shape], dtype), trainable))
}

function assign(target: tf.Variable, values: Float32Array): tf.Variable {
  tf.tidy(() => target.assign(tf.tensor(values, target.shape, 'float32')))
  return target
}

/**
 * In-place initialisers, like `torch.nn.init`: each overwrites a float32 `tf.Variable` and returns
 * it. Random ones draw from `generator` (the default generator when omitted) exactly as PyTorch
 * draws, so `manualSeed(s)` + `init.uniform_(w, -1, 1)` matches `torch.manual_seed(s)` +
 * `nn.init.uniform_(w, -1, 1)`.
 */
export const init = {
  /** Fills with U(a, b). */
  uniform_(variable: tf.Variable, a = 0, b = 1, generator?: Generator): tf.Variable {
    return assign(variable, uniformValues(variable.shape, a, b, generator))
  },
  /** Kaiming (He) uniform init; PyTorch's layers use `a = sqrt(5)`, i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
  kaimingUniform_(
    variable: tf.Variable,
    options: {
      a?: number
      mode?: 'fan_in' | 'fan_out'
      nonlinearity?: 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu'
      generator?: Generator
    } = {},
  ): tf.Variable {
    const bound = kaimingUniformBound(variable.shape, options)
    return assign(variable, uniformValues(variable.shape, -bound, bound, options.generator))
  },
  /** Fills with a constant. */
  constant_(variable: tf.Variable, value: number): tf.Variable {
    tf.tidy(() => variable.assign(tf.fill(variable.shape, value, variable.dtype)))
    return variable
  },
  /** Fills with zeros. */
  zeros_(variable: tf.Variable): tf.Variable {
    return init.constant_(variable, 0)
  },
  /** Fills with ones. */
  ones_(variable: tf.Variable): tf.Variable {
    return init.constant_(variable, 1)
  },
}
