import { DatasetError } from '@tensorloom/data'
import { describe, expect, it } from 'vitest'
import { describeDataError } from './dataHint.js'

describe('describeDataError', () => {
  it("words a missing dataset's hint in the command's flags, not the library's options", () => {
    const error = new DatasetError('DATASET_NOT_FOUND', {
      dataset: 'MNIST',
      file: 'train-images-idx3-ubyte',
      searched: ['data/MNIST/raw/train-images-idx3-ubyte'],
    })
    const text = describeDataError(error)
    expect(text).toContain('MNIST: dataset not found: train-images-idx3-ubyte is not in')
    expect(text).toContain('--download')
    expect(text).toContain('--data DIR')
    expect(text).not.toContain('download: true')
    expect(text).not.toContain('`source`')
  })

  it('leaves other errors as they are', () => {
    expect(describeDataError(new Error('boom'))).toBe('boom')
    expect(describeDataError('plain')).toBe('plain')
  })
})
