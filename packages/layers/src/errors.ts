/**
 * Stable codes of the errors this package throws (shape errors are `ShapeError`s from
 * `@tensorloom/graph` and carry that package's codes).
 */
export type LayersErrorCode =
  | 'INVALID_MODULE_NAME'
  | 'INVALID_ARGUMENT'
  | 'STATE_DICT_MISMATCH'
  | 'SAFETENSORS_INVALID'
  | 'SAFETENSORS_UNSUPPORTED_DTYPE'
  | 'GRAPH_NOT_BUILDABLE'

/** An error from `@tensorloom/layers`: a stable `code`, the values involved and how to fix it. */
export class LayersError extends Error {
  /** Stable identifier, e.g. `STATE_DICT_MISMATCH`. */
  readonly code: LayersErrorCode
  /** The values that caused the error. */
  readonly values?: Record<string, unknown>
  /** What to do about it. */
  readonly hint?: string

  constructor(
    code: LayersErrorCode,
    message: string,
    extra: { values?: Record<string, unknown>; hint?: string } = {},
  ) {
    super(message)
    this.name = 'LayersError'
    this.code = code
    if (extra.values !== undefined) this.values = extra.values
    if (extra.hint !== undefined) this.hint = extra.hint
  }
}

/** `torch.Size([10, 784])`, as PyTorch prints shapes in its error messages. */
export function torchSize(shape: readonly number[]): string {
  return `torch.Size([${shape.join(', ')}])`
}

/** Throws `INVALID_ARGUMENT` unless `value` is an integer within [min, max]. */
export function checkInt(
  owner: string,
  name: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`
    throw new LayersError(
      'INVALID_ARGUMENT',
      `${owner}: ${name} must be an integer ${range}, got ${String(value)}`,
      {
        values: { [name]: value },
        hint: `Pass an integer ${range} as ${name}.`,
      },
    )
  }
  return value
}

/** Throws `INVALID_ARGUMENT` unless `value` is a finite number within [min, max]. */
export function checkNumber(
  owner: string,
  name: string,
  value: unknown,
  min: number,
  max: number,
): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new LayersError(
      'INVALID_ARGUMENT',
      `${owner}: ${name} must be a number in [${min}, ${max}], got ${String(value)}`,
      { values: { [name]: value }, hint: `Pass a number between ${min} and ${max} as ${name}.` },
    )
  }
  return value
}
