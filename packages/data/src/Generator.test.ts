import { describe, expect, it } from 'vitest'
import { OptionError } from './errors.js'
import fixture from './fixtures/torchvision.json'
import { createGenerator, DEFAULT_GENERATOR_SEED, Generator, randperm } from './Generator.js'

describe('Generator', () => {
  it('is the standard mt19937 (reference outputs of std::mt19937)', () => {
    expect(new Generator(5489).nextUint32()).toBe(3499211612)
    const g = new Generator(5489)
    for (let i = 0; i < 9999; i++) g.nextUint32()
    expect(g.nextUint32()).toBe(4123659995)
  })

  it('reproduces torch.randperm for the same seed, draw after draw', () => {
    for (const c of fixture.generator.randperm) {
      const g = new Generator(BigInt(c.seed))
      expect(Array.from(g.randperm(c.n)), `seed ${c.seed} n ${c.n}`).toEqual(c.first)
      expect(Array.from(g.randperm(c.n)), `seed ${c.seed} n ${c.n}`).toEqual(c.second)
    }
  })

  it("reproduces torch's 64-bit draws (random_() on int64)", () => {
    for (const c of fixture.generator.baseSeeds) {
      const g = new Generator(c.seed)
      expect(c.values.map(() => String(g.nextUint64() % 2n ** 63n))).toEqual(c.values)
    }
  })

  it('defaults to the seed of a fresh torch.Generator()', () => {
    expect(new Generator().initialSeed()).toBe(DEFAULT_GENERATOR_SEED)
    expect(new Generator(-1).initialSeed()).toBe(2n ** 64n - 1n)
  })

  it('saves and restores its whole state through JSON', () => {
    const g = createGenerator(42)
    g.randperm(1000)
    const saved = JSON.parse(JSON.stringify(g.getState()))
    const expected = [g.nextUint32(), g.random(), ...g.randperm(50)]
    const restored = createGenerator(0).setState(saved)
    expect([restored.nextUint32(), restored.random(), ...restored.randperm(50)]).toEqual(expected)
    expect(restored.initialSeed()).toBe(42)
  })

  it('rejects states that are not a saved state', () => {
    const g = createGenerator(1)
    const good = g.getState()
    const bad = [
      null,
      { ...good, mt: good.mt.slice(1) },
      { ...good, mt: good.mt.map(() => -1) },
      { ...good, index: 625 },
      { ...good, seed: 'x' },
    ]
    for (const state of bad) {
      expect(() => g.setState(state as never)).toThrow(OptionError)
    }
    try {
      g.setState({ ...good, index: 1.5 })
    } catch (error) {
      expect((error as OptionError).code).toBe('INVALID_GENERATOR_STATE')
    }
  })

  it('draws doubles in [0, 1)', () => {
    const g = createGenerator(3)
    const values = Array.from({ length: 10_000 }, () => g.random())
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...values)).toBeLessThan(1)
    expect(values.reduce((a, b) => a + b) / values.length).toBeCloseTo(0.5, 1)
  })

  it('seeds itself randomly when no seed is given', () => {
    const seeds = new Set(Array.from({ length: 5 }, () => createGenerator().initialSeed()))
    expect(seeds.size).toBe(5)
  })

  it('rejects seeds that are not integers', () => {
    for (const seed of [1.5, Number.NaN, 2 ** 60, '3']) {
      expect(() => createGenerator(seed as number)).toThrow(/seed must be an integer/)
    }
  })

  it('randperm works with any source of 32-bit numbers and checks n', () => {
    let k = 0
    const counter = { nextUint32: () => k++ }
    // i=0: z = 0 + 0 % 4; i=1: z = 1 + 1 % 3 (swap 1 and 2); i=2: z = 2 + 2 % 2
    expect(Array.from(randperm(4, counter))).toEqual([0, 2, 1, 3])
    expect(() => randperm(-1, counter)).toThrow(OptionError)
    expect(Array.from(randperm(0, counter))).toEqual([])
  })
})
