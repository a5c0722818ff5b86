import { describe, expect, it } from 'vitest'
import { createGenerator } from './createGenerator.js'
import { RandomError } from './errors.js'
import torch from './fixtures/torch.json'
import { DEFAULT_SEED, Generator } from './Generator.js'

const uniform32 = (g: Generator, n: number, from: number, to: number) =>
  Array.from({ length: n }, () => g.uniformFloat32(from, to))

function randomError(fn: () => unknown): RandomError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(RandomError)
    return error as RandomError
  }
  throw new Error('expected a RandomError')
}

describe('Generator', () => {
  it('is the standard mt19937 (reference outputs of std::mt19937)', () => {
    expect(new Generator(5489).nextUint32()).toBe(3499211612)
    const g = new Generator(5489)
    for (let i = 0; i < 9999; i++) g.nextUint32()
    expect(g.nextUint32()).toBe(4123659995)
  })

  it('draws float32 uniform_ bit-for-bit like torch.Generator, past the first 624 words', () => {
    for (const c of torch.uniform32) {
      const g = new Generator(BigInt(c.seed))
      const values = uniform32(g, c.n, c.from, c.to).slice(c.skip)
      expect(values, `seed ${c.seed}`).toEqual(c.values)
    }
  })

  it('draws float64 uniform_ like torch.Generator (53 bits from two words)', () => {
    for (const c of torch.uniform64) {
      const g = new Generator(c.seed)
      const h = new Generator(c.seed)
      expect(
        c.values.map(() => g.uniformFloat64()),
        `seed ${c.seed}`,
      ).toEqual(c.values)
      expect(
        c.values.map(() => h.random()),
        `seed ${c.seed}`,
      ).toEqual(c.values)
    }
  })

  it('draws int64 random_() like torch.Generator (random64 modulo 2^63)', () => {
    for (const c of torch.int64) {
      const g = new Generator(c.seed)
      expect(c.values.map(() => String(g.nextUint64() % 2n ** 63n))).toEqual(c.values)
    }
  })

  it('fills bernoulli_(p) masks like torch.Generator on CPU without MKL', () => {
    expect(torch.versions.mkl).toBe(false)
    for (const c of torch.bernoulli) {
      const mask = new Generator(c.seed).fillBernoulli(new Float32Array(c.values.length), c.p)
      expect(Array.from(mask), `seed ${c.seed}`).toEqual(c.values)
    }
  })

  it('fills float32 arrays with the uniform_ stream', () => {
    const c = torch.uniform32[1]!
    const out = new Generator(BigInt(c.seed)).fillUniform(new Float32Array(c.n), c.from, c.to)
    expect(Array.from(out)).toEqual(c.values)
  })

  it('reproduces torch.randperm for the same seed, draw after draw', () => {
    for (const c of torch.randperm) {
      const g = new Generator(BigInt(c.seed))
      expect(Array.from(g.randperm(c.n)), `seed ${c.seed} n ${c.n}`).toEqual(c.first)
      expect(Array.from(g.randperm(c.n)), `seed ${c.seed} n ${c.n}`).toEqual(c.second)
    }
  })

  it('defaults to the seed of a fresh torch.Generator()', () => {
    expect(DEFAULT_SEED).toBe(torch.defaultSeed)
    expect(new Generator().initialSeed()).toBe(torch.defaultSeed)
  })

  it('wraps negative seeds and bigints to 64 bits, reporting big ones as bigint', () => {
    expect(new Generator(-1).initialSeed()).toBe(2n ** 64n - 1n)
    const big = new Generator(2n ** 60n + 7n)
    expect(big.initialSeed()).toBe(2n ** 60n + 7n)
    // Only the low 32 bits seed the twister, as in PyTorch.
    expect(uniform32(big, 3, 0, 1)).toEqual(uniform32(new Generator(7), 3, 0, 1))
    expect(new Generator(0).manualSeed(2n ** 64n + 5n).initialSeed()).toBe(5)
  })

  it('rejects seeds that are not integers, naming the value and a fix', () => {
    for (const seed of [1.5, Number.NaN, 2 ** 60, '3', null]) {
      const error = randomError(() => new Generator(seed as number))
      expect(error.code).toBe('INVALID_SEED')
      expect(error.details).toEqual({ seed })
      expect(error.message).toMatch(/^seed must be an integer, got .+\. Pass a whole number/)
    }
    expect(randomError(() => new Generator(1.5)).message).toContain('got 1.5')
    expect(randomError(() => new Generator('3' as never)).message).toContain('got "3"')
  })

  it('saves and restores its whole state through JSON', () => {
    const g = new Generator(42)
    g.randperm(1000)
    const saved = JSON.parse(JSON.stringify(g.getState()))
    const expected = [g.nextUint32(), g.random(), g.uniformFloat32(-1, 1), ...g.randperm(50)]
    const restored = new Generator(0).setState(saved)
    const again = [
      restored.nextUint32(),
      restored.random(),
      restored.uniformFloat32(-1, 1),
      ...restored.randperm(50),
    ]
    expect(again).toEqual(expected)
    expect(restored.initialSeed()).toBe(42)
  })

  it('rejects states that are not a saved state, saying what is wrong', () => {
    const g = new Generator(1)
    const good = g.getState()
    const bad: [unknown, string][] = [
      [null, 'expected an object'],
      [{ ...good, mt: good.mt.slice(1) }, 'mt must be an array of 624 numbers'],
      [{ ...good, mt: good.mt.map(() => -1) }, 'mt must hold 32-bit unsigned integers'],
      [{ ...good, index: 625 }, 'index must be an integer from 0 to 624'],
      [{ ...good, index: 1.5 }, 'index must be an integer from 0 to 624'],
      [{ ...good, seed: 'x' }, 'seed must be a decimal string'],
    ]
    for (const [state, reason] of bad) {
      const error = randomError(() => g.setState(state as never))
      expect(error.code).toBe('INVALID_GENERATOR_STATE')
      expect(error.details).toEqual({ reason })
      expect(error.hint).toMatch(/getState\(\)/)
    }
    // A rejected state leaves the generator as it was.
    expect(g.getState()).toEqual(good)
  })

  it('draws doubles in [0, 1) and float32 values in [from, to)', () => {
    const g = new Generator(3)
    const doubles = Array.from({ length: 10_000 }, () => g.random())
    expect(Math.min(...doubles)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...doubles)).toBeLessThan(1)
    expect(doubles.reduce((a, b) => a + b) / doubles.length).toBeCloseTo(0.5, 1)
    const floats = uniform32(g, 10_000, -2, 3)
    expect(Math.min(...floats)).toBeGreaterThanOrEqual(-2)
    expect(Math.max(...floats)).toBeLessThan(3)
  })
})

describe('createGenerator', () => {
  it('seeds with the given seed', () => {
    expect(createGenerator(42).getState()).toEqual(new Generator(42).getState())
  })

  it('seeds itself randomly when no seed is given, and reports the seed', () => {
    const generators = Array.from({ length: 5 }, () => createGenerator())
    expect(new Set(generators.map((g) => g.initialSeed())).size).toBe(5)
    for (const g of generators) {
      const seed = g.initialSeed()
      expect(Number.isSafeInteger(seed)).toBe(true)
      expect(g.nextUint32()).toBe(new Generator(seed).nextUint32())
    }
  })
})
