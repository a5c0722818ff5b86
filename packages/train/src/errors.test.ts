import { describe, expect, it } from 'vitest'
import { TrainError, trainError, trainMessages } from './errors'

describe('trainError', () => {
  it('builds code, message, hint and values from one entry of trainMessages', () => {
    const error = trainError('NON_FINITE_LOSS', {
      epoch: 2,
      step: 7,
      globalStep: 945,
      loss: Number.NaN,
      lr: 10,
    })
    expect(error).toBeInstanceOf(TrainError)
    expect(error.name).toBe('TrainError')
    expect(error.code).toBe('NON_FINITE_LOSS')
    expect(error.message).toBe(
      'The loss became NaN at epoch 2, step 7 (global step 945); training stopped and the model keeps its last weights that gave a finite loss. The learning rate may be too high (lr = 10): try a smaller one, e.g. 1, and check the data for NaN values.',
    )
    expect(error.hint).toBe(
      'The learning rate may be too high (lr = 10): try a smaller one, e.g. 1, and check the data for NaN values.',
    )
    // The global step is context for the message; the values stay what they always were.
    expect(error.values).toEqual({ epoch: 2, step: 7, loss: Number.NaN, lr: 10 })
  })

  it('takes no values where the message needs none', () => {
    const error = trainError('TRAINER_DISPOSED')
    expect([error.code, error.message, error.values]).toEqual([
      'TRAINER_DISPOSED',
      'This Trainer has been disposed. Create a new Trainer.',
      {},
    ])
    expect(trainError('TRAINER_MODEL').values).toEqual({ option: 'model' })
  })

  it('keeps the public codes: several messages share one', () => {
    const codes = new Set(Object.values(trainMessages).map((m) => m.code))
    expect([...codes].sort()).toEqual([
      'BACKEND_UNAVAILABLE',
      'CHECKPOINT_MISMATCH',
      'INVALID_OPTION',
      'LISTENER_ERROR',
      'LOSS_SHAPE_MISMATCH',
      'LOSS_TARGET_DTYPE',
      'LOSS_TARGET_OUT_OF_BOUNDS',
      'MODEL_DISPOSED',
      'NON_FINITE_LOSS',
      'TRAINER_BUSY',
      'TRAINER_DISPOSED',
    ])
  })
})
