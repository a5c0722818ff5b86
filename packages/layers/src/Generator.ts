import { LayersError } from './errors'

const N = 624
const M = 397
const MATRIX_A = 0x9908b0df
const UPPER_MASK = 0x80000000
const LOWER_MASK = 0x7fffffff
const TWO_POW_24 = 2 ** 24
const TWO_POW_32 = 2 ** 32
const TWO_POW_53 = 2 ** 53

/** PyTorch's default CPU seed (`torch.initial_seed()` in a fresh process). */
export const DEFAULT_SEED = 67280421310721

/** A snapshot of a {@link Generator}: plain JSON, for checkpoints. */
export interface GeneratorState {
  /** The seed the generator was last seeded with, as a decimal string (seeds may exceed 2^53). */
  seed: string
  /** The 624 words of Mersenne Twister state. */
  mt: number[]
  /** Position in `mt` of the next word to temper. */
  index: number
}

function toUint64(seed: number | bigint): bigint {
  if (typeof seed === 'number' && !Number.isSafeInteger(seed)) {
    throw new LayersError('INVALID_SEED', `seed must be an integer, got ${seed}`, {
      values: { seed },
      hint: 'Pass a whole number such as 0 or 42.',
    })
  }
  return BigInt.asUintN(64, BigInt(seed))
}

/**
 * A seedable random number generator that reproduces PyTorch's CPU generator (`torch.Generator`):
 * the same Mersenne Twister (mt19937) seeded the same way, and the same transforms PyTorch 1.13 uses
 * for `uniform_` on float32 tensors and for `bernoulli_` with a scalar probability (the path taken
 * by CPU builds without MKL, such as Debian's). So `manualSeed(0)` followed by `new Linear(20, 8)`
 * gives bit-for-bit the weights of `torch.manual_seed(0); nn.Linear(20, 8)`.
 *
 * @example
 * const g = new Generator().manualSeed(42)
 * const layer = new Linear(784, 128, { generator: g })
 */
export class Generator {
  private readonly mt = new Uint32Array(N)
  private index = N
  private seedValue = 0n

  /** Creates a generator seeded with `seed` (PyTorch's default seed when omitted). */
  constructor(seed: number | bigint = DEFAULT_SEED) {
    this.manualSeed(seed)
  }

  /** Re-seeds the generator, like `torch.Generator.manual_seed`. Negative seeds wrap like PyTorch's. */
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

  /** Restores a state captured by {@link Generator.getState}; the stream continues from there. */
  setState(state: GeneratorState): this {
    if (
      state === null ||
      typeof state !== 'object' ||
      !Array.isArray(state.mt) ||
      state.mt.length !== N ||
      !Number.isInteger(state.index) ||
      state.index < 0 ||
      state.index > N
    ) {
      throw new LayersError(
        'INVALID_GENERATOR_STATE',
        `invalid generator state: expected { seed, mt: ${N} numbers, index: 0..${N} }`,
        { hint: 'Pass an object returned by Generator.getState() or getRngState().' },
      )
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

  /** A float32-precision uniform number in [from, to), exactly as PyTorch's `uniform_` draws it. */
  uniformFloat32(from: number, to: number): number {
    const lo = Math.fround(from)
    const hi = Math.fround(to)
    const x = (this.nextUint32() & 0xffffff) / TWO_POW_24
    return Math.fround(x * Math.fround(hi - lo) + lo)
  }

  /** A double in [0, 1) with 53 random bits, from two 32-bit outputs (PyTorch's `random64()`). */
  uniformFloat64(): number {
    const hi = this.nextUint32()
    const lo = this.nextUint32()
    return ((hi & 0x1fffff) * TWO_POW_32 + lo) / TWO_POW_53
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

  private twist(): void {
    const mt = this.mt
    for (let i = 0; i < N; i++) {
      const y = (mt[i]! & UPPER_MASK) | (mt[(i + 1) % N]! & LOWER_MASK)
      mt[i] = mt[(i + M) % N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0)
    }
    this.index = 0
  }
}

/** The generator layers use when given neither `seed` nor `generator` (like PyTorch's default). */
export const defaultGenerator: Generator = new Generator()

/**
 * Seeds the default generator, like `torch.manual_seed`. Layers created afterwards without their own
 * `seed`/`generator` initialise deterministically, and `Dropout` masks repeat.
 */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed)
}

/** The default generator's seed, like `torch.initial_seed()`. */
export function initialSeed(): number | bigint {
  return defaultGenerator.initialSeed()
}

/** The default generator's state, like `torch.get_rng_state()`, as plain JSON for checkpoints. */
export function getRngState(): GeneratorState {
  return defaultGenerator.getState()
}

/** Restores the default generator's state, like `torch.set_rng_state()`. */
export function setRngState(state: GeneratorState): void {
  defaultGenerator.setState(state)
}

/** Picks the generator for a layer: its own `generator`, a fresh one from `seed`, or the default. */
export function resolveGenerator(options?: { seed?: number; generator?: Generator }): Generator {
  if (options?.generator) return options.generator
  if (options?.seed !== undefined) return new Generator(options.seed)
  return defaultGenerator
}
