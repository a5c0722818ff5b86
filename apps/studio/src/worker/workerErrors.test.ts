import { describe, expect, it } from 'vitest'
import { WorkerError, workerError } from './workerErrors'

describe('worker errors', () => {
  it('carry a stable code, the values and the message built from them', () => {
    const error = workerError('DATASET_NOT_BUNDLED', { dataset: 'CIFAR10' })
    expect(error).toBeInstanceOf(WorkerError)
    expect({ code: error.code, values: error.values, message: error.message }).toEqual({
      code: 'DATASET_NOT_BUNDLED',
      values: { dataset: 'CIFAR10' },
      message: 'CIFAR10 is not bundled with the studio yet: use the MNIST block to train here.',
    })
  })
})
