import * as tf from '@tensorflow/tfjs-core'
import { expect, it } from 'vitest'
import { expectClose } from './helpers'

it('expectClose fails on a value outside rtol and passes inside it', () => {
  const t = tf.tensor1d([1, 100, 0])
  expect(() => expectClose(t, { shape: [3], dtype: 'float32', data: [1, 100.02, 0] }, 'x')).toThrow(
    /element 1 is 100, PyTorch has 100.02/,
  )
  expect(() =>
    expectClose(t, { shape: [3], dtype: 'float32', data: [1, 100.005, 0] }, 'x'),
  ).not.toThrow()
  expect(() =>
    expectClose(t, { shape: [1, 3], dtype: 'float32', data: [1, 100, 0] }, 'x'),
  ).toThrow()
  t.dispose()
})
