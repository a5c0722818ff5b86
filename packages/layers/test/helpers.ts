import * as tf from '@tensorflow/tfjs-core'
import { expect } from 'vitest'

/** A tensor in a fixture: shape, dtype and row-major data. */
export interface FixtureTensor {
  shape: number[]
  dtype: string
  data: number[]
}

/** The fixture tensor as a tfjs tensor (int64/bool/... as int32). */
export function fromFixture(t: FixtureTensor): tf.Tensor {
  return tf.tensor(t.data, t.shape, t.dtype.startsWith('float') ? 'float32' : 'int32')
}

/**
 * Asserts `actual` equals `expected` element-wise within `|a - e| <= rtol * |e| + atol` (the
 * torch.allclose rule; rtol 1e-4 and atol 1e-6 by default) and has the same shape.
 */
export function expectClose(
  actual: tf.Tensor,
  expected: FixtureTensor,
  what: string,
  { rtol = 1e-4, atol = 1e-6 }: { rtol?: number; atol?: number } = {},
): void {
  expect(actual.shape, `${what}: shape`).toEqual(expected.shape)
  const values = actual.dataSync()
  expect(values.length, `${what}: size`).toBe(expected.data.length)
  let worst = -1
  let worstExcess = 0
  for (let i = 0; i < values.length; i++) {
    const e = expected.data[i]!
    const excess = Math.abs(values[i]! - e) - (rtol * Math.abs(e) + atol)
    if (excess > worstExcess || Number.isNaN(values[i])) {
      worst = i
      worstExcess = Number.isNaN(values[i]) ? Number.POSITIVE_INFINITY : excess
    }
  }
  if (worst >= 0) {
    expect.fail(
      `${what}: element ${worst} is ${values[worst]}, PyTorch has ${expected.data[worst]} (rtol ${rtol}, atol ${atol})`,
    )
  }
}

/** Number of live tensors now. */
export function liveTensors(): number {
  return tf.memory().numTensors
}

/** Asserts each value equals the expected one to `digits` decimal places (toBeCloseTo). */
export function expectValuesCloseTo(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  digits: number,
): void {
  expect(actual.length).toBe(expected.length)
  for (let i = 0; i < actual.length; i++) expect(actual[i]).toBeCloseTo(expected[i]!, digits)
}
