import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { useCpuBackend } from '../../test/helpers.js'
import { Lambda } from './Lambda.js'

beforeAll(useCpuBackend)

describe('Lambda', () => {
  it('calls its function on one sample', () => {
    expect(new Lambda((y: number) => y % 2).apply(7)).toBe(1)
  })

  it('has a batched form only when given one', () => {
    expect(new Lambda((y: number) => y).applyBatch).toBeUndefined()
    const parity = new Lambda(
      (y: number) => y % 2,
      (batch) => tf.mod(batch, 2),
    )
    const labels = tf.tensor1d([3, 4, 5], 'int32')
    const out = parity.applyBatch!(labels)
    expect(Array.from(out.dataSync())).toEqual([1, 0, 1])
    tf.dispose([labels, out])
  })

  it('rejects something that is not a function', () => {
    expect(() => new Lambda(42 as never)).toThrow(/expected a function/)
  })
})
