// The fast path's loss and optimizer update written with tfjs ops, for backends without its fused
// kernels (and with `tuning.kernels` off): the same math as kernels.ts, more ops.
import * as tf from '@tensorflow/tfjs-core'
import { tensorUpdate } from '../optim/rules'
import type { UpdateRule } from './kernels'

/** Softmax cross-entropy from logits with tfjs ops (backends without the fused kernel). */
export function softmaxCrossEntropyOps(
  logits: tf.Tensor2D,
  labels: Int32Array,
  scale: number,
): [tf.Tensor2D, tf.Tensor1D] {
  const numClasses = logits.shape[1]
  return tf.tidy(() => {
    const y = tf.tensor1d(labels, 'int32')
    // Built on the host: a few hundred bytes, and wasm's OneHot ignores the float32 dtype.
    const hot = new Float32Array(labels.length * numClasses)
    labels.forEach((label, row) => {
      hot[row * numClasses + label] = 1
    })
    const onehot = tf.tensor2d(hot, [labels.length, numClasses])
    const probs = tf.softmax(logits)
    const dy = tf.mul(tf.sub(probs, onehot), tf.scalar(scale)) as tf.Tensor2D
    const lse = tf.logSumExp(logits, 1)
    const picked = tf.sum(tf.mul(logits, onehot), 1)
    const loss = tf.mul(tf.sum(tf.sub(lse, picked)), tf.scalar(scale))
    const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32'))
    return [dy, tf.stack([loss, correct]) as tf.Tensor1D]
  })
}

/** The optimizer update with tfjs ops: one flat buffer when every parameter shares a rule. */
export function updateOps(
  rules: UpdateRule[],
  params: tf.Tensor[],
  grads: tf.Tensor[],
  state: tf.Tensor[][],
  keep: <T extends tf.Tensor>(t: T) => T,
): tf.Tensor[] {
  void keep
  return tf.tidy(() => {
    const out: tf.Tensor[] = []
    params.forEach((p, i) => {
      const rule = rules[i]!
      const s = state[i]!
      const [next, newState] = tensorUpdate(rule, p, grads[i]!, s)
      out.push(next)
      newState.forEach((t, j) => {
        tf.keep(t)
        s[j]!.dispose()
        s[j] = t
      })
    })
    return out
  })
}
