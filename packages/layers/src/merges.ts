import * as tf from '@tensorflow/tfjs-core'
import { assertMergeShape, type MergeType, type NodeParams } from '@tensorloom/graph'

/**
 * The tfjs operation of every graph merge type, keyed by the same names as `@tensorloom/graph`'s
 * `blocks` (a merge type without one here does not compile). Each first checks the shapes with
 * the block's rule, so a mismatch raises PyTorch's error, not a tfjs one.
 */
export const mergeOps = {
  Add: (inputs: readonly tf.Tensor[]) => binary('Add', tf.add, inputs),
  Mul: (inputs: readonly tf.Tensor[]) => binary('Mul', tf.mul, inputs),
  Concat: (inputs: readonly tf.Tensor[], params: NodeParams['Concat']) => {
    assertMergeShape(
      'Concat',
      params,
      inputs.map((t) => t.shape),
    )
    return tf.concat([...inputs], params.dim)
  },
} satisfies {
  [T in MergeType]: (inputs: readonly tf.Tensor[], params: NodeParams[T]) => tf.Tensor
}

function binary(
  type: 'Add' | 'Mul',
  op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  inputs: readonly tf.Tensor[],
): tf.Tensor {
  assertMergeShape(
    type,
    {},
    inputs.map((t) => t.shape),
  )
  return op(inputs[0]!, inputs[1]!)
}

/** Runs the merge `type` on `inputs` (in port order). */
export function runMerge(type: MergeType, inputs: readonly tf.Tensor[], params: object): tf.Tensor {
  return (mergeOps[type] as (i: readonly tf.Tensor[], p: object) => tf.Tensor)(inputs, params)
}
