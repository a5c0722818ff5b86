import { describe, expect, it } from 'vitest'
import { idGenerator, nextId } from './ids.js'

describe('nextId', () => {
  it('counts on from the largest number in use', () => {
    expect(nextId('n', [])).toBe('n1')
    expect(nextId('n', ['n2', 'n9', 'e40'])).toBe('n10')
    expect(nextId('e', ['e1', 'e7'])).toBe('e8')
  })

  it('only counts ids that are the prefix followed by digits', () => {
    expect(nextId('n', ['a', 'n', 'nx7', 'n1e3', 'n-4', 'n2.5', 'n 6', 'node8'])).toBe('n1')
    // Leading zeros are read as the number they write.
    expect(nextId('n', ['n007'])).toBe('n8')
  })

  it('keeps counting exactly past 2^53', () => {
    expect(nextId('n', ['n99999999999999999999'])).toBe('n100000000000000000000')
    expect(nextId('n', ['n9007199254740992', 'n9007199254740993'])).toBe('n9007199254740994')
  })
})

describe('idGenerator', () => {
  it('returns a new id on every call, none of them in use', () => {
    const next = idGenerator('e', ['e1', 'e3'])
    expect([next(), next(), next()]).toEqual(['e4', 'e5', 'e6'])
  })
})
