/**
 * Stable error codes of `@tensorloom/train`. Every {@link TrainError} carries one of these, the
 * offending values, and a hint that says how to fix the problem.
 */
export type TrainErrorCode =
  | 'INVALID_OPTION'
  | 'LOSS_SHAPE_MISMATCH'
  | 'LOSS_TARGET_DTYPE'
  | 'LOSS_TARGET_OUT_OF_BOUNDS'
  | 'LOSS_NOT_SCALAR'
  | 'NO_GRADIENTS'
  | 'OPTIMIZER_STATE_MISMATCH'
  | 'BACKEND_UNAVAILABLE'
  | 'NON_FINITE_LOSS'
  | 'TRAINER_BUSY'
  | 'TRAINER_DISPOSED'
  | 'CHECKPOINT_MISMATCH'
  | 'BAD_BATCH'

/** An error with a stable `code`, the `values` involved and a `hint` on how to fix it. */
export class TrainError extends Error {
  /** Stable UPPER_SNAKE code; safe to switch on. */
  readonly code: TrainErrorCode
  /** The values that caused the error (option values, shapes, step numbers…). */
  readonly values: Readonly<Record<string, unknown>>
  /** How to fix it, in one sentence. Also appended to `message`. */
  readonly hint: string

  constructor(
    code: TrainErrorCode,
    problem: string,
    hint: string,
    values: Record<string, unknown> = {},
  ) {
    super(hint ? `${problem} ${hint}` : problem)
    this.name = 'TrainError'
    this.code = code
    this.values = values
    this.hint = hint
  }
}

/** Formats a shape the way PyTorch prints `tensor.shape`: `[64, 10]`. */
export function formatShapeList(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`
}
