import { Generator } from './Generator.js'

function randomSeed(): number {
  const words = new Uint32Array(2)
  globalThis.crypto.getRandomValues(words)
  return (words[0]! & 0x1fffff) * 2 ** 32 + words[1]!
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
