import { describe, expect, it } from 'vitest'
import { RandomError } from './errors.js'
import { randperm } from './randperm.js'

describe('randperm', () => {
  it('shuffles with any source of 32-bit numbers, as PyTorch 1.13 does on CPU', () => {
    let k = 0
    const counter = { nextUint32: () => k++ }
    // i=0: z = 0 + 0 % 4; i=1: z = 1 + 1 % 3 (swap 1 and 2); i=2: z = 2 + 2 % 2
    expect(Array.from(randperm(4, counter))).toEqual([0, 2, 1, 3])
    expect(Array.from(randperm(0, counter))).toEqual([])
    expect(Array.from(randperm(1, counter))).toEqual([0])
  })

  it('rejects an n that is not an integer from 0 to 2^31 - 1, naming it', () => {
    const source = { nextUint32: () => 0 }
    for (const n of [-1, 1.5, Number.NaN, 2 ** 31]) {
      try {
        randperm(n, source)
        throw new Error(`randperm(${n}) did not throw`)
      } catch (error) {
        expect(error).toBeInstanceOf(RandomError)
        expect((error as RandomError).code).toBe('INVALID_ARGUMENT')
        expect((error as RandomError).message).toContain(
          `randperm: n must be an integer from 0 to 2^31 - 1, got ${n}`,
        )
      }
    }
  })
})
