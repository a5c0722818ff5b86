import type { Divergence } from './protocol'

/** The divergence a `NON_FINITE_LOSS` TrainError describes, or null for any other error. */
export function divergenceOf(error: unknown, stepsPerEpoch: number): Divergence | null {
  if (!(error instanceof Error) || (error as { code?: unknown }).code !== 'NON_FINITE_LOSS') {
    return null
  }
  const values = ((error as { values?: unknown }).values ?? {}) as Record<string, unknown>
  const num = (v: unknown) => (typeof v === 'number' ? v : null)
  const loss = num(values.loss) ?? Number.NaN
  const epoch = num(values.epoch) ?? 1
  const step = num(values.step) ?? 0
  return {
    value: Number.isNaN(loss) ? 'NaN' : loss > 0 ? 'Infinity' : '-Infinity',
    epoch,
    step,
    globalStep: (epoch - 1) * stepsPerEpoch + step,
    lr: num(values.lr),
    message: error.message,
  }
}
