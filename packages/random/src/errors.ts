/** The values each error code carries, keyed by code. */
export interface RandomErrorDetails {
  INVALID_SEED: { seed: unknown }
  INVALID_GENERATOR_STATE: { reason: string }
  INVALID_ARGUMENT: { owner: string; name: string; value: unknown; expected: string }
}

/** Every stable error code of `@tensorloom/random`. */
export type RandomErrorCode = keyof RandomErrorDetails

const show = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'bigint') return `${value}n`
  if (value !== null && typeof value === 'object')
    return Array.isArray(value) ? 'an array' : 'an object'
  return String(value)
}

/** Every message, keyed by code: what is wrong (with the values) and how to fix it. */
const describe: { [C in RandomErrorCode]: (d: RandomErrorDetails[C]) => [string, string] } = {
  INVALID_SEED: (d) => [
    `seed must be an integer, got ${show(d.seed)}`,
    'Pass a whole number such as 0 or 42 (a bigint for seeds beyond 2^53).',
  ],
  INVALID_GENERATOR_STATE: (d) => [
    `invalid generator state: ${d.reason}`,
    'Pass an object returned by generator.getState().',
  ],
  INVALID_ARGUMENT: (d) => [
    `${d.owner}: ${d.name} must be ${d.expected}, got ${show(d.value)}`,
    `Pass ${d.expected} as ${d.name}.`,
  ],
}

/**
 * The error `@tensorloom/random` throws: `code` is stable (switch on it), `details` holds the
 * values involved, `hint` says how to fix it; `message` is both, in words.
 */
export class RandomError<C extends RandomErrorCode = RandomErrorCode> extends Error {
  /** Stable identifier of what went wrong. */
  readonly code: C
  /** The values involved. */
  readonly details: Readonly<RandomErrorDetails[C]>
  /** How to fix it. */
  readonly hint: string

  constructor(code: C, details: RandomErrorDetails[C]) {
    const [message, hint] = (describe[code] as (d: RandomErrorDetails[C]) => [string, string])(
      details,
    )
    super(`${message}. ${hint}`)
    this.name = 'RandomError'
    this.code = code
    this.details = details
    this.hint = hint
  }
}
