import { describe, expect, it } from 'vitest'
import { lossPoints } from './lossPoints'

describe('lossPoints', () => {
  it('gives one point per batch of the update', () => {
    expect(lossPoints([[8, 2.25]], 8, [2.4, 2.3, 2.2, 2.1])).toEqual([
      [5, 2.4],
      [6, 2.3],
      [7, 2.2],
      [8, 2.1],
    ])
  })

  it('handles a short last window (end of an epoch)', () => {
    expect(lossPoints([[10, 1.5]], 10, [1.6, 1.4])).toEqual([
      [9, 1.6],
      [10, 1.4],
    ])
  })

  it('keeps the means of earlier updates that arrived together', () => {
    expect(
      lossPoints(
        [
          [4, 2],
          [8, 1],
        ],
        8,
        [1.2, 1, 0.9, 0.9],
      ),
    ).toEqual([
      [4, 2],
      [5, 1.2],
      [6, 1],
      [7, 0.9],
      [8, 0.9],
    ])
  })

  it('falls back to the window mean when the batch losses are not those of the update', () => {
    expect(lossPoints([[8, 1]], 9, [0.5])).toEqual([[8, 1]])
    expect(lossPoints([[8, 1]], 8, [])).toEqual([[8, 1]])
    expect(lossPoints([], 8, [1])).toEqual([])
  })
})
