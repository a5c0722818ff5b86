import { type ErrorCode, type ErrorValues, errorMessages } from './errors.js'

/** One problem found while validating a document. */
export interface ValidationProblem {
  code: string
  /** Where in the document: `nodes[3].params.inFeatures`; `''` for the document itself. */
  path: string
  message: string
}

/**
 * Thrown by `parseGraph` when a document cannot be loaded. `message` starts with the path of the
 * first problem, e.g. `nodes[3].params.inFeatures: expected a number, got string "784"`;
 * `problems` lists every problem found (at most 20).
 */
export class GraphValidationError extends Error {
  /** Stable UPPER_SNAKE code of the first problem, e.g. `INVALID_VALUE`. */
  readonly code: string
  /** Path of the first problem in the document (`''` for the document as a whole). */
  readonly path: string
  /** Every problem found, first one first. */
  readonly problems: readonly ValidationProblem[]

  constructor(problems: readonly [ValidationProblem, ...ValidationProblem[]]) {
    const first = problems[0]
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''
    super(`${first.path ? `${first.path}: ` : ''}${first.message}${more}`)
    this.name = 'GraphValidationError'
    this.code = first.code
    this.path = first.path
    this.problems = problems
  }

  /** Creates an error with a single problem built from the message map. */
  static of<C extends ErrorCode>(
    code: C,
    path: string,
    values: ErrorValues<C>,
  ): GraphValidationError {
    const message = (errorMessages[code] as (v: ErrorValues<C>) => string)(values)
    return new GraphValidationError([{ code, path, message }])
  }
}
