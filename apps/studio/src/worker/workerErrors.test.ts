import { describe, expect, it } from 'vitest'
import { WorkerError, workerError } from './workerErrors'

describe('worker errors', () => {
  it('carry a stable code, the values and the message built from them', () => {
    const error = workerError('LOCAL_DATA_MISSING', { source: 'local:pets-1' })
    expect(error).toBeInstanceOf(WorkerError)
    expect({ code: error.code, values: error.values, message: error.message }).toEqual({
      code: 'LOCAL_DATA_MISSING',
      values: { source: 'local:pets-1' },
      message:
        'The data “local:pets-1” is not kept in this browser (it was dropped in elsewhere, or deleted): drop the folder or file on this block again.',
    })
  })
})
