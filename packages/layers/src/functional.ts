import * as tf from '@tensorflow/tfjs-core'

/** `log(softmax(x))` along `dim` (negative counts from the end), computed stably. */
export function logSoftmax(input: tf.Tensor, dim: number): tf.Tensor {
  if (input.rank === 0) return tf.zerosLike(input)
  const axis = dim < 0 ? dim + input.rank : dim
  if (axis === input.rank - 1) return tf.logSoftmax(input, -1)
  return tf.sub(input, tf.logSumExp(input, axis, true))
}

/** `softmax(x)` along `dim` (negative counts from the end). */
export function softmax(input: tf.Tensor, dim: number): tf.Tensor {
  if (input.rank === 0) return tf.onesLike(input)
  const axis = dim < 0 ? dim + input.rank : dim
  if (axis === input.rank - 1) return tf.softmax(input, -1)
  return tf.exp(logSoftmax(input, axis))
}
