import type * as tf from '@tensorflow/tfjs-core'

/**
 * A data transform, like a torchvision transform: `apply` transforms one sample. `applyBatch`, when
 * present, does the same to a whole batch at once on the device: its input has a leading batch
 * dimension (raw images `[B, H, W]` / `[B, H, W, C]` for the first transform, `[B, C, H, W]` after
 * {@link ToTensor}, labels `[B]` for target transforms).
 *
 * Tensors returned by `apply`/`applyBatch` are new and belong to the caller; inputs are not disposed.
 */
export interface Transform<TIn, TOut> {
  /** Transforms one sample. */
  apply(input: TIn): TOut
  /** Transforms a whole batch in one go (optional). */
  applyBatch?(batch: tf.Tensor): tf.Tensor
}

/** A {@link Transform} or a plain function (wrapped in {@link Lambda}). */
export type TransformLike<TIn, TOut> = Transform<TIn, TOut> | ((input: TIn) => TOut)

/**
 * What a {@link TransformLike} outputs; `Default` when it is `undefined` (no transform). Functions
 * are matched first: every function also has an `apply` method (`Function.prototype.apply`).
 */
export type TransformOutput<T, Default> = [T] extends [undefined]
  ? Default
  : T extends (input: never) => infer O
    ? O
    : T extends { apply(input: never): infer O }
      ? O
      : unknown

/** Describes a value for error messages: a tensor's dtype and shape, or a JS type. */
export function describeValue(value: unknown): string {
  if (value !== null && typeof value === 'object') {
    const v = value as { shape?: unknown; dtype?: unknown; data?: unknown }
    if (Array.isArray(v.shape) && typeof v.dtype === 'string') {
      return `a ${v.dtype} tensor of shape [${v.shape.join(', ')}]`
    }
    if (Array.isArray(v.shape) && v.data instanceof Uint8Array) {
      return `a raw image of shape [${v.shape.join(', ')}]`
    }
    return `a ${value.constructor?.name ?? 'object'}`
  }
  return typeof value === 'number' ? `the number ${value}` : `a ${typeof value}`
}

/** True when `value` is a tfjs tensor (duck-typed, so tensors from another tfjs copy count). */
export function isTensor(value: unknown): value is tf.Tensor {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as tf.Tensor).dataId === 'object' &&
    Array.isArray((value as tf.Tensor).shape) &&
    typeof (value as tf.Tensor).dtype === 'string'
  )
}
