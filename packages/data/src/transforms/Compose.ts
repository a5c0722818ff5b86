import * as tf from '@tensorflow/tfjs-core'
import type { RawImage } from '../Dataset.js'
import { Lambda } from './Lambda.js'
import { isTensor, type Transform, type TransformLike } from './Transform.js'

/** Wraps a plain function in {@link Lambda}; returns transforms as they are. */
export function toTransform<TIn, TOut>(transform: TransformLike<TIn, TOut>): Transform<TIn, TOut> {
  return typeof transform === 'function' ? new Lambda(transform) : transform
}

/**
 * Chains transforms, like `torchvision.transforms.Compose`. Intermediate tensors are disposed; the
 * input is left alone. It has a batched form when every transform in it has one.
 *
 * The type parameters say what goes in and comes out (defaults: an image in, a tensor out).
 *
 * @example
 * const transform = new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])])
 */
export class Compose<TIn = RawImage | tf.Tensor, TOut = tf.Tensor> implements Transform<TIn, TOut> {
  /** The transforms, in order. */
  readonly transforms: readonly Transform<never, unknown>[]
  /** The batched form: present when every transform has one. */
  readonly applyBatch?: (batch: tf.Tensor) => tf.Tensor

  constructor(transforms: readonly TransformLike<never, unknown>[]) {
    if (!Array.isArray(transforms)) throw new TypeError('Compose: expected an array of transforms')
    this.transforms = transforms.map((t) => toTransform(t))
    const batched = this.transforms.map((t) => t.applyBatch?.bind(t))
    if (batched.every((f) => f !== undefined)) {
      this.applyBatch = (batch) => {
        if (batched.length === 0) return tf.clone(batch)
        return tf.tidy(() => batched.reduce((x, f) => f(x), batch))
      }
    }
  }

  /** Applies each transform in turn to one sample. */
  apply(input: TIn): TOut {
    let current: unknown = input
    try {
      for (const transform of this.transforms) {
        const next = (transform as Transform<unknown, unknown>).apply(current)
        if (current !== input && current !== next && isTensor(current)) current.dispose()
        current = next
      }
    } catch (error) {
      if (current !== input && isTensor(current)) current.dispose()
      throw error
    }
    return current as TOut
  }

  toString(): string {
    return `Compose(\n${this.transforms.map((t) => `    ${String(t)}`).join('\n')}\n)`
  }
}
