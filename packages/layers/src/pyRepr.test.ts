import { describe, expect, it } from 'vitest'
import reprFixtures from './fixtures/repr.json'
import { addIndent, pyBool, pyFloat, pyTuple } from './pyRepr'

describe("Python's repr, as PyTorch prints arguments", () => {
  it.each(reprFixtures.floatRepr as Array<[number, string]>)('repr(%s) == %s', (x, expected) => {
    expect(pyFloat(x)).toBe(expected)
  })

  it('formats specials, booleans and tuples', () => {
    expect([pyFloat(Number.NaN), pyFloat(Number.POSITIVE_INFINITY), pyFloat(-Infinity)]).toEqual([
      'nan',
      'inf',
      '-inf',
    ])
    expect([pyBool(true), pyBool(false)]).toEqual(['True', 'False'])
    expect([pyTuple([3, 3]), pyTuple([1])]).toEqual(['(3, 3)', '(1,)'])
  })

  it('indents all lines but the first, like _addindent', () => {
    expect(addIndent('a(\n  b\n)', 2)).toBe('a(\n    b\n  )')
    expect(addIndent('one line', 2)).toBe('one line')
  })
})
