import { TrainError } from '@tensorloom/train'
import { describe, expect, it } from 'vitest'
import { divergenceOf } from './divergence'

describe('divergenceOf', () => {
  it("reads the step, the value and the learning rate from the Trainer's NON_FINITE_LOSS error", () => {
    const error = new TrainError(
      'NON_FINITE_LOSS',
      'The loss became NaN at epoch 2, step 7 (global step 945).',
      'try a smaller one, e.g. 1',
      { epoch: 2, step: 7, loss: Number.NaN, lr: 10 },
    )
    expect(divergenceOf(error, 938)).toEqual({
      value: 'NaN',
      epoch: 2,
      step: 7,
      globalStep: 945,
      lr: 10,
      message: error.message,
    })
  })

  it('tells +Inf from -Inf', () => {
    const inf = (loss: number) =>
      new TrainError('NON_FINITE_LOSS', 'x', 'y', { epoch: 1, step: 3, loss, lr: 1 })
    expect(divergenceOf(inf(Number.POSITIVE_INFINITY), 10)?.value).toBe('Infinity')
    expect(divergenceOf(inf(Number.NEGATIVE_INFINITY), 10)?.value).toBe('-Infinity')
    expect(divergenceOf(inf(Number.NEGATIVE_INFINITY), 10)?.globalStep).toBe(3)
  })

  it('ignores every other error', () => {
    expect(divergenceOf(new TrainError('TRAINER_BUSY', 'busy', 'wait'), 10)).toBeNull()
    expect(divergenceOf(new Error('boom'), 10)).toBeNull()
    expect(divergenceOf('NON_FINITE_LOSS', 10)).toBeNull()
  })
})
