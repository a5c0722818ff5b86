import { describe, expect, it } from 'vitest'
import rng from './fixtures/rng.json'
import {
  DEFAULT_SEED,
  defaultGenerator,
  Generator,
  getRngState,
  initialSeed,
  manualSeed,
  setRngState,
} from './Generator'

function draw(g: Generator, n: number, from = 0, to = 1): number[] {
  return Array.from({ length: n }, () => g.uniformFloat32(from, to))
}

describe('Generator (PyTorch CPU generator)', () => {
  it('draws uniform_ values bit-for-bit like torch.Generator', () => {
    expect(draw(new Generator(0), 10)).toEqual(rng.uniform_seed0.data)
    expect(draw(new Generator(123456789012345), 6, -2, 3)).toEqual(rng.uniform_bigseed.data)
    expect(draw(new Generator(-1), 4)).toEqual(rng.uniform_negseed.data)
  })

  it('stays in step past the first 624-word block', () => {
    const g = new Generator(5)
    expect(draw(g, 700).slice(690)).toEqual(rng.uniform_seed5_700.data)
  })

  it("starts from PyTorch's default seed", () => {
    expect(DEFAULT_SEED).toBe(rng.default_initial_seed)
    expect(new Generator().initialSeed()).toBe(rng.default_initial_seed)
  })

  it('accepts seeds beyond 2^53 as bigint and reports them back', () => {
    const g = new Generator(2n ** 60n + 7n)
    expect(g.initialSeed()).toBe(2n ** 60n + 7n)
    expect(draw(g, 3)).toEqual(draw(new Generator(7), 3))
  })

  it('rejects non-integer seeds with a hint', () => {
    expect(() => new Generator(1.5)).toThrowError(
      expect.objectContaining({
        code: 'INVALID_SEED',
        message: 'seed must be an integer, got 1.5',
      }),
    )
  })

  it('restores a saved state and continues the same stream', () => {
    const g = new Generator(11)
    draw(g, 650)
    const state = JSON.parse(JSON.stringify(g.getState()))
    const expected = draw(g, 20)
    const other = new Generator(0).setState(state)
    expect(draw(other, 20)).toEqual(expected)
    expect(other.initialSeed()).toBe(11)
  })

  it('rejects a malformed state', () => {
    expect(() => new Generator().setState({ seed: '1', mt: [1, 2], index: 0 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_GENERATOR_STATE' }),
    )
  })

  it('manualSeed/getRngState/setRngState drive the default generator like torch.manual_seed', () => {
    manualSeed(0)
    expect(initialSeed()).toBe(0)
    const saved = getRngState()
    const a = draw(defaultGenerator, 5)
    expect(a).toEqual(rng.uniform_seed0.data.slice(0, 5))
    setRngState(saved)
    expect(draw(defaultGenerator, 5)).toEqual(a)
  })

  it('fills bernoulli masks from 53-bit doubles, two words per draw', () => {
    const g = new Generator(9)
    const h = new Generator(9)
    const mask = g.fillBernoulli(new Float32Array(50), 0.7)
    const manual = Array.from({ length: 50 }, () => (h.uniformFloat64() < 0.7 ? 1 : 0))
    expect(Array.from(mask)).toEqual(manual)
    expect(new Set(mask)).toEqual(new Set([0, 1]))
    const u = new Generator(9).uniformFloat64()
    expect(u).toBeGreaterThanOrEqual(0)
    expect(u).toBeLessThan(1)
  })
})
