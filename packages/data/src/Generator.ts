import { OptionError } from './errors.js'

const N = 624
const M = 397
const MATRIX_A = 0x9908b0df
const UPPER_MASK = 0x80000000
const LOWER_MASK = 0x7fffffff
const TWO_POW_32 = 2 ** 32
const TWO_POW_53 = 2 ** 53

/** The seed of a fresh `torch.Generator()` (PyTorch's `default_rng_seed_val`). */
export const DEFAULT_GENERATOR_SEED = 67280421310721

/** Anything that yields uniform 32-bit unsigned integers, e.g. a {@link Generator}. */
export interface RandomSource {
  /** The next uniform integer in [0, 2^32). */
  nextUint32(): number
}

/** A snapshot of a {@link Generator}: plain JSON, for checkpoints. */
export interface GeneratorState {
  /** The seed the generator was last seeded with, as a decimal string (seeds may exceed 2^53). */
  seed: string
  /** The 624 words of Mersenne Twister state. */
  mt: number[]
  /** Position in `mt` of the next word to use (624: twist first). */
  index: number
}

function toUint64(seed: number | bigint): bigint {
  if (typeof seed === 'number' && !Number.isSafeInteger(seed)) {
    throw new OptionError('INVALID_OPTION', {
      owner: 'Generator',
      option: 'seed',
      value: seed,
      expected: 'an integer',
    })
  }
  if (typeof seed !== 'number' && typeof seed !== 'bigint') {
    throw new OptionError('INVALID_OPTION', {
      owner: 'Generator',
      option: 'seed',
      value: seed,
      expected: 'an integer',
    })
  }
  return BigInt.asUintN(64, BigInt(seed))
}

/**
 * A seedable random number generator that reproduces PyTorch's CPU generator (`torch.Generator`):
 * the same Mersenne Twister (mt19937), seeded the same way, and the same `randperm` algorithm as
 * PyTorch 1.13 on CPU. Its whole state can be saved with {@link Generator.getState} and restored
 * with {@link Generator.setState}, so a checkpoint resumes the exact same shuffles.
 *
 * @example
 * const g = createGenerator(42)
 * g.randperm(5) // Int32Array [2, 6, ...] as torch.randperm(5, generator=torch.Generator().manual_seed(42))
 * const saved = g.getState()
 * const next = g.nextUint32()
 * g.setState(saved)
 * g.nextUint32() === next // true
 */
export class Generator implements RandomSource {
  private readonly mt = new Uint32Array(N)
  private index = N
  private seedValue = 0n

  /** Creates a generator seeded with `seed`; like `torch.Generator()`, the default seed is fixed. */
  constructor(seed: number | bigint = DEFAULT_GENERATOR_SEED) {
    this.manualSeed(seed)
  }

  /** Re-seeds the generator, like `torch.Generator.manual_seed`. Negative seeds wrap to 64 bits. */
  manualSeed(seed: number | bigint): this {
    this.seedValue = toUint64(seed)
    const mt = this.mt
    mt[0] = Number(this.seedValue & 0xffffffffn)
    for (let j = 1; j < N; j++) {
      const prev = mt[j - 1]! ^ (mt[j - 1]! >>> 30)
      mt[j] = (Math.imul(1812433253, prev) + j) >>> 0
    }
    this.index = N
    return this
  }

  /** The seed last given to {@link Generator.manualSeed}, like `torch.Generator.initial_seed`. */
  initialSeed(): number | bigint {
    return this.seedValue <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(this.seedValue)
      : this.seedValue
  }

  /** A JSON-serialisable copy of the full state; restore it with {@link Generator.setState}. */
  getState(): GeneratorState {
    return { seed: this.seedValue.toString(), mt: Array.from(this.mt), index: this.index }
  }

  /**
   * Restores a state captured by {@link Generator.getState}; the stream continues from there.
   * @throws {OptionError} `INVALID_GENERATOR_STATE` for anything that is not such a state.
   */
  setState(state: GeneratorState): this {
    const fail = (reason: string): never => {
      throw new OptionError('INVALID_GENERATOR_STATE', { reason })
    }
    if (state === null || typeof state !== 'object') return fail('expected an object')
    if (!Array.isArray(state.mt) || state.mt.length !== N)
      fail(`mt must be an array of ${N} numbers`)
    if (!state.mt.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32)) {
      fail('mt must hold 32-bit unsigned integers')
    }
    if (!Number.isInteger(state.index) || state.index < 0 || state.index > N) {
      fail(`index must be an integer from 0 to ${N}`)
    }
    if (typeof state.seed !== 'string' || !/^\d+$/.test(state.seed)) {
      fail('seed must be a decimal string')
    }
    this.mt.set(state.mt)
    this.index = state.index
    this.seedValue = BigInt(state.seed)
    return this
  }

  /** The next raw 32-bit output of the Mersenne Twister (PyTorch's `generator->random()`). */
  nextUint32(): number {
    if (this.index >= N) this.twist()
    let y = this.mt[this.index++]!
    y ^= y >>> 11
    y ^= (y << 7) & 0x9d2c5680
    y ^= (y << 15) & 0xefc60000
    y ^= y >>> 18
    return y >>> 0
  }

  /** A 64-bit output from two 32-bit ones, high word first (PyTorch's `generator->random64()`). */
  nextUint64(): bigint {
    const hi = this.nextUint32()
    const lo = this.nextUint32()
    return (BigInt(hi) << 32n) | BigInt(lo)
  }

  /** A double in [0, 1) with 53 random bits (two 32-bit outputs). */
  random(): number {
    const hi = this.nextUint32()
    const lo = this.nextUint32()
    return ((hi & 0x1fffff) * TWO_POW_32 + lo) / TWO_POW_53
  }

  /** A random permutation of 0..n-1, like `torch.randperm(n, generator=g)` in PyTorch 1.13 on CPU. */
  randperm(n: number): Int32Array {
    return randperm(n, this)
  }

  private twist(): void {
    const mt = this.mt
    for (let i = 0; i < N; i++) {
      const y = (mt[i]! & UPPER_MASK) | (mt[(i + 1) % N]! & LOWER_MASK)
      mt[i] = mt[(i + M) % N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0)
    }
    this.index = 0
  }
}

/**
 * A random permutation of 0..n-1 drawn from `source`, with PyTorch 1.13's CPU `randperm` algorithm
 * (a Fisher-Yates shuffle taking `random() % (n - i)`), so a {@link Generator} in the same state as
 * a `torch.Generator` gives the same permutation.
 */
export function randperm(n: number, source: RandomSource): Int32Array {
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1) {
    throw new OptionError('INVALID_OPTION', {
      owner: 'randperm',
      option: 'n',
      value: n,
      expected: 'an integer from 0 to 2^31 - 1',
    })
  }
  const out = new Int32Array(n)
  for (let i = 0; i < n; i++) out[i] = i
  for (let i = 0; i < n - 1; i++) {
    const z = i + (source.nextUint32() % (n - i))
    const saved = out[i]!
    out[i] = out[z]!
    out[z] = saved
  }
  return out
}

function randomSeed(): number {
  const words = new Uint32Array(2)
  globalThis.crypto.getRandomValues(words)
  return (words[0]! & 0x1fffff) * TWO_POW_32 + words[1]!
}

/**
 * Creates a {@link Generator}. With a seed it is reproducible; without one it is seeded from the
 * platform's secure random source (read the seed back with `initialSeed()` to reproduce a run).
 *
 * @example
 * const g = createGenerator(42)
 * const loader = new DataLoader(train, { batchSize: 64, shuffle: true, generator: g })
 * checkpoint.rng = g.getState() // later: g.setState(checkpoint.rng)
 */
export function createGenerator(seed?: number | bigint): Generator {
  return new Generator(seed ?? randomSeed())
}
