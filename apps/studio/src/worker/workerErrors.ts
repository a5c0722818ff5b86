/**
 * Every message the training worker itself raises, by stable code: what is wrong and what to do
 * (errors from the packages keep their own codes: `GRAPH_NOT_BUILDABLE`, `NON_FINITE_LOSS`, …).
 */
export const workerMessages = {
  DATASET_NOT_BUNDLED: (v: { dataset: string }) =>
    `${v.dataset} is not bundled with the studio yet: use the MNIST block to train here.`,
  NOT_TRAINED_PREDICT: (_v: Record<string, never>) =>
    'Train the network first: there is no trained model yet.',
  NOT_TRAINED_EXPORT: (_v: Record<string, never>) =>
    'Train the network first: there are no weights to export.',
  RUN_IN_PROGRESS: (_v: Record<string, never>) =>
    'A training run is already in progress: stop it first.',
} as const

/** A stable code of a worker error. */
export type WorkerErrorCode = keyof typeof workerMessages

/** An error the worker raises: a code, the values involved and the message built from them. */
export class WorkerError extends Error {
  readonly code: WorkerErrorCode
  readonly values: Record<string, unknown>

  constructor(code: WorkerErrorCode, message: string, values: Record<string, unknown>) {
    super(message)
    this.name = 'WorkerError'
    this.code = code
    this.values = values
  }
}

/** Builds the {@link WorkerError} of `code` from its values. */
export function workerError<C extends WorkerErrorCode>(
  code: C,
  values: Parameters<(typeof workerMessages)[C]>[0],
): WorkerError {
  const message = (workerMessages[code] as (v: typeof values) => string)(values)
  return new WorkerError(code, message, values as Record<string, unknown>)
}
