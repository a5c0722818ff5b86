import * as tf from '@tensorflow/tfjs-core'
import type { RawImage } from '../Dataset.js'
import { TransformError } from '../errors.js'
import { describeValue, isTensor, type Transform } from './Transform.js'

/**
 * Converts an 8-bit image, height x width (grayscale) or height x width x channels, into a float32
 * tensor of shape `[channels, height, width]` with values in [0, 1] (pixel / 255), like
 * `torchvision.transforms.ToTensor`.
 *
 * Takes a {@link RawImage} (what `MNIST.get` returns) or a tensor of pixel values `[H, W]` /
 * `[H, W, C]`. Its batched form takes `[B, H, W]` / `[B, H, W, C]` and returns `[B, C, H, W]`.
 *
 * @example
 * const image = new ToTensor().apply(mnist.get(0)[0]) // Tensor [1, 28, 28], float32 in [0, 1]
 */
export class ToTensor implements Transform<RawImage | tf.Tensor, tf.Tensor3D> {
  /** Converts one image to a new `[C, H, W]` float32 tensor in [0, 1]. */
  apply(input: RawImage | tf.Tensor): tf.Tensor3D {
    if (isTensor(input)) {
      if (input.rank !== 2 && input.rank !== 3) this.fail('an [H, W] or [H, W, C] tensor', input)
      return tf.tidy(() => {
        const scaled = tf.div(tf.cast(input, 'float32'), 255)
        const hwc = input.rank === 2 ? tf.expandDims(scaled, 2) : scaled
        return tf.transpose(hwc, [2, 0, 1]) as tf.Tensor3D
      })
    }
    const raw = input as Partial<RawImage> | null
    const shape = raw?.shape
    const data = raw?.data
    if (
      !Array.isArray(shape) ||
      (shape.length !== 2 && shape.length !== 3) ||
      !shape.every((s) => Number.isInteger(s) && s >= 0) ||
      !(data instanceof Uint8Array || data instanceof Uint8ClampedArray)
    ) {
      return this.fail(
        'a raw image { data: Uint8Array, shape: [H, W] or [H, W, C] } or a tensor',
        input,
      )
    }
    const [h, w, c = 1] = shape as readonly number[] as [number, number, number?]
    if (data.length !== h * w * c) {
      return this.fail(
        `${h * w * c} pixels for shape [${shape.join(', ')}]`,
        `${data.length} pixels`,
      )
    }
    const out = new Float32Array(h * w * c)
    const plane = h * w
    if (c === 1) {
      for (let i = 0; i < plane; i++) out[i] = data[i]! / 255
    } else {
      for (let p = 0; p < plane; p++) {
        for (let ch = 0; ch < c; ch++) out[ch * plane + p] = data[p * c + ch]! / 255
      }
    }
    return tf.tensor3d(out, [c, h, w], 'float32')
  }

  /** Converts a batch `[B, H, W]` / `[B, H, W, C]` of pixel values to `[B, C, H, W]` float32 in [0, 1]. */
  applyBatch(batch: tf.Tensor): tf.Tensor4D {
    if (!isTensor(batch) || (batch.rank !== 3 && batch.rank !== 4)) {
      return this.fail('a [B, H, W] or [B, H, W, C] tensor', batch)
    }
    return tf.tidy(() => {
      const scaled = tf.div(tf.cast(batch, 'float32'), 255)
      if (batch.rank === 3) {
        const [b, h, w] = batch.shape as [number, number, number]
        return tf.reshape(scaled, [b, 1, h, w]) as tf.Tensor4D
      }
      return tf.transpose(scaled, [0, 3, 1, 2]) as tf.Tensor4D
    })
  }

  toString(): string {
    return 'ToTensor()'
  }

  private fail(expected: string, actual: unknown): never {
    throw new TransformError('TRANSFORM_BAD_INPUT', {
      transform: 'ToTensor',
      expected,
      actual: typeof actual === 'string' ? actual : describeValue(actual),
    })
  }
}
