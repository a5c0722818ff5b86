import { RandomError } from './errors.js'

/** Anything that yields uniform 32-bit unsigned integers, e.g. a `Generator`. */
export interface RandomSource {
  /** The next uniform integer in [0, 2^32). */
  nextUint32(): number
}

/**
 * A random permutation of 0..n-1 drawn from `source`, with PyTorch 1.13's CPU `randperm` algorithm
 * (a Fisher-Yates shuffle taking `random() % (n - i)`), so a `Generator` in the same state as a
 * `torch.Generator` gives the same permutation.
 *
 * @throws {RandomError} `INVALID_ARGUMENT` unless `n` is an integer from 0 to 2^31 - 1.
 *
 * @example
 * randperm(5, new Generator(42)) // Int32Array(5) [ 2, 6, ... ] as torch.randperm(5, generator=torch.Generator().manual_seed(42))
 */
export function randperm(n: number, source: RandomSource): Int32Array {
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1) {
    throw new RandomError('INVALID_ARGUMENT', {
      owner: 'randperm',
      name: 'n',
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
