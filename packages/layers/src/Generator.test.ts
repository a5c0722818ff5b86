import { describe, expect, it } from 'vitest'
import rng from './fixtures/rng.json'
import {
  DEFAULT_SEED,
  defaultGenerator,
  Generator,
  getRngState,
  initialSeed,
  manualSeed,
  resolveGenerator,
  setRngState,
} from './Generator'

// The generator itself (mt19937, PyTorch's draws, states) is tested in @tensorloom/random.
function draw(g: Generator, n: number): number[] {
  return Array.from({ length: n }, () => g.uniformFloat32(0, 1))
}

describe('the default generator', () => {
  it("starts from PyTorch's default seed", () => {
    expect(DEFAULT_SEED).toBe(rng.default_initial_seed)
    expect(new Generator().initialSeed()).toBe(rng.default_initial_seed)
  })

  it('manualSeed/getRngState/setRngState drive it like torch.manual_seed', () => {
    manualSeed(0)
    expect(initialSeed()).toBe(0)
    const saved = getRngState()
    const a = draw(defaultGenerator, 5)
    expect(a).toEqual(rng.uniform_seed0.data.slice(0, 5))
    setRngState(saved)
    expect(draw(defaultGenerator, 5)).toEqual(a)
  })

  it('layers use their own generator, a fresh one from their seed, or else the default', () => {
    const own = new Generator(3)
    expect(resolveGenerator({ generator: own, seed: 1 })).toBe(own)
    expect(draw(resolveGenerator({ seed: 0 }), 3)).toEqual(rng.uniform_seed0.data.slice(0, 3))
    expect(resolveGenerator()).toBe(defaultGenerator)
    expect(resolveGenerator({})).toBe(defaultGenerator)
  })

  it('rejects a bad seed or state with a RandomError', () => {
    expect(() => manualSeed(1.5)).toThrowError(
      expect.objectContaining({ name: 'RandomError', code: 'INVALID_SEED' }),
    )
    expect(() => setRngState({ seed: '1', mt: [1, 2], index: 0 })).toThrowError(
      expect.objectContaining({ name: 'RandomError', code: 'INVALID_GENERATOR_STATE' }),
    )
  })
})
