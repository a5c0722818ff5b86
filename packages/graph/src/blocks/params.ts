import type { ParamInput } from './block.js'

/** Largest `in_features`/`out_features`/`num_features`. */
export const MAX_FEATURES = 100_000
/** Largest channel count. */
export const MAX_CHANNELS = 4096
/** Largest kernel, stride or padding. */
export const MAX_KERNEL = 256
/** Most dimensions a `dim` may address. */
export const MAX_DIM = 8

/** An integer parameter from `min` to `max`. */
export const int = (label: string, min: number, max: number, help: string): ParamInput => ({
  label,
  kind: 'int',
  min,
  max,
  help,
})

/** A number parameter from `min` to `max` (`exclusive`: greater than `min`). */
export const float = (
  label: string,
  min: number,
  max: number,
  help: string,
  exclusive = false,
): ParamInput => ({
  label,
  kind: 'float',
  min,
  max,
  help,
  ...(exclusive ? { minExclusive: true } : {}),
})

/** A true/false parameter. */
export const bool = (label: string, help: string): ParamInput => ({ label, kind: 'bool', help })

/** A `dim` argument: any dimension of a tensor of up to `MAX_DIM` dimensions. */
export const dim = (help: string): ParamInput => int('dim', -MAX_DIM, MAX_DIM - 1, help)

/** A loss's `reduction`. */
export const reduction: ParamInput = {
  label: 'reduction',
  kind: 'enum',
  options: ['mean', 'sum', 'none'],
  help: "How per-sample losses are combined: 'mean' (default), 'sum', or 'none'.",
}

/** A probability such as dropout's `p`. */
export const probability = (help: string): ParamInput => float('p', 0, 1, help)

/** BatchNorm's and LayerNorm's `eps`. */
export const eps: ParamInput = float(
  'eps',
  0,
  1,
  'Added to the variance for numerical stability.',
  true,
)

/** BatchNorm's `momentum`. */
export const momentum: ParamInput = float(
  'momentum',
  0,
  1,
  'Weight of the newest batch in the running statistics.',
)
