import { RandomError } from './errors.js'
import { type RandomSource, randperm } from './randperm.js'

const N = 624
const M = 397
const MATRIX_A = 0x9908b0df
const UPPER_MASK = 0x80000000
const LOWER_MASK = 0x7fffffff
const TWO_POW_24 = 2 ** 24
const TWO_POW_32 = 2 ** 32
const TWO_POW_53 = 2 ** 53

/** The seed of a fresh `torch.Generator()` (PyTorch's `default_rng_seed_val`). */
export const DEFAULT_SEED = 67280421310721

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
  const integer =
    typeof seed === 'bigint' || (typeof seed === 'number' && Number.isSafeInteger(seed))
  if (!integer) throw new RandomError('INVALID_SEED', { seed })
  return BigInt.asUintN(64, BigInt(seed))
}

/**
 * A seedable random number generator that reproduces PyTorch's CPU generator (`torch.Generator`):
 * the same Mersenne Twister (mt19937), seeded the same way, and the same transforms PyTorch 1.13
 * uses on CPU for `randperm`, for `uniform_` on float32 and float64 tensors, for `random_()` on
 * int64 and for `bernoulli_` with a scalar probability (the path of CPU builds without MKL, such as
 * Debian's). Its whole state can be saved with {@link Generator.getState} and restored with
 * {@link Generator.setState}, so a checkpoint resumes the very same stream.
 *
 * @example
 * const g = new Generator(42)
 * g.randperm(5) // as torch.randperm(5, generator=torch.Generator().manual_seed(42))
 * const saved = g.getState()
 * const next = g.nextUint32()
 * g.setState(saved)
 * g.nextUint32() === next // true
 */
export class Generator implements RandomSource {
  private readonly mt = new Uint32Array(N)
  private index = N
  private seedValue = 0n

  /**
   * Creates a generator seeded with `seed`; like `torch.Generator()`, the default seed is fixed
   * ({@link DEFAULT_SEED}).
   * @throws {RandomError} `INVALID_SEED` for a seed that is not an integer.
   */
  constructor(seed: number | bigint = DEFAULT_SEED) {
    this.manualSeed(seed)
  }

  /**
   * Re-seeds the generator, like `torch.Generator.manual_seed`. Negative seeds and bigints wrap to
   * 64 bits, as PyTorch's do.
   * @throws {RandomError} `INVALID_SEED` for a seed that is not an integer.
   */
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

  /**
   * The seed last given to {@link Generator.manualSeed}, like `torch.Generator.initial_seed`: a
   * number, or a bigint beyond 2^53.
   */
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
   * @throws {RandomError} `INVALID_GENERATOR_STATE` for anything that is not such a state.
   */
  setState(state: GeneratorState): this {
    const fail = (reason: string): never => {
      throw new RandomError('INVALID_GENERATOR_STATE', { reason })
    }
    if (state === null || typeof state !== 'object') return fail('expected an object')
    if (!Array.isArray(state.mt) || state.mt.length !== N) {
      fail(`mt must be an array of ${N} numbers`)
    }
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

  /**
   * A 64-bit output from two 32-bit ones, high word first (PyTorch's `generator->random64()`;
   * `torch.empty((), dtype=torch.int64).random_(generator=g)` is it modulo 2^63).
   */
  nextUint64(): bigint {
    const hi = this.nextUint32()
    const lo = this.nextUint32()
    return (BigInt(hi) << 32n) | BigInt(lo)
  }

  /**
   * A double in [0, 1) with 53 random bits from two 32-bit outputs, as PyTorch draws float64
   * `uniform_` and `bernoulli_`.
   */
  uniformFloat64(): number {
    const hi = this.nextUint32()
    const lo = this.nextUint32()
    return ((hi & 0x1fffff) * TWO_POW_32 + lo) / TWO_POW_53
  }

  /** The same as {@link Generator.uniformFloat64}: a double in [0, 1) with 53 random bits. */
  random(): number {
    return this.uniformFloat64()
  }

  /** A float32-precision uniform number in [from, to), exactly as PyTorch's `uniform_` draws it. */
  uniformFloat32(from: number, to: number): number {
    const lo = Math.fround(from)
    const hi = Math.fround(to)
    const x = (this.nextUint32() & 0xffffff) / TWO_POW_24
    return Math.fround(x * Math.fround(hi - lo) + lo)
  }

  /** Fills `out` with draws of {@link Generator.uniformFloat32} (PyTorch's `tensor.uniform_(from, to)`). */
  fillUniform(out: Float32Array, from: number, to: number): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.uniformFloat32(from, to)
    return out
  }

  /** Fills `out` with 1 (probability `p`) or 0, like PyTorch's `tensor.bernoulli_(p)` on CPU. */
  fillBernoulli(out: Float32Array, p: number): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.uniformFloat64() < p ? 1 : 0
    return out
  }

  /**
   * A random permutation of 0..n-1, like `torch.randperm(n, generator=g)` in PyTorch 1.13 on CPU.
   * @throws {RandomError} `INVALID_ARGUMENT` unless `n` is an integer from 0 to 2^31 - 1.
   */
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
