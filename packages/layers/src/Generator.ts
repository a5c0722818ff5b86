import { DEFAULT_SEED, Generator, type GeneratorState } from '@tensorloom/random'

export { DEFAULT_SEED, Generator, type GeneratorState }

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
