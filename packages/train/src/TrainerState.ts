import type { EpochRecord } from './checkpoint'
import type { EvaluationResult } from './evaluate'

/** What a {@link Trainer} is doing. */
export type TrainerStatus =
  | 'idle'
  | 'training'
  | 'paused'
  | 'evaluating'
  | 'completed'
  | 'aborted'
  | 'failed'

/** A snapshot of a {@link Trainer}'s progress; a new object after every change. */
export interface TrainerState {
  status: TrainerStatus
  /** 1-based epoch in progress (the last one when completed). */
  epoch: number
  /** Epochs to train in total. */
  epochs: number
  /** Batches trained in the current epoch. */
  step: number
  /** Batches per epoch. */
  stepsPerEpoch: number
  /** Batches trained since the start. */
  globalStep: number
  /** Mean training loss of the batches since the previous update (null before the first). */
  loss: number | null
  /** Exponential moving average of the per-batch training loss (β = 0.98, bias-corrected). */
  smoothedLoss: number | null
  /** Training accuracy of the current epoch so far (null when not classifying). */
  accuracy: number | null
  /**
   * Training throughput over the last few updates (up to 8 read-backs): steadier than a single
   * window, whose few batches a garbage collection or a short last window can skew.
   */
  samplesPerSecond: number | null
  /** Estimated seconds until training completes (null until measurable). */
  etaSeconds: number | null
  /** `[globalStep, mean loss]` at every update, for a loss curve. */
  lossCurve: ReadonlyArray<readonly [number, number]>
  /**
   * The loss of each batch read back at the latest update, oldest first (up to `syncEvery`
   * batches, ending at `globalStep`), for a per-batch loss chart.
   */
  batchLosses: readonly number[]
  /** Finished epochs. */
  history: readonly EpochRecord[]
  /** The latest evaluation on the test loader. */
  lastEvaluation: EvaluationResult | null
  /** Why training failed (status `'failed'`). */
  error: { code: string; message: string } | null
}

/** The state of a new {@link Trainer}. */
export function initialState(epochs: number, stepsPerEpoch: number): TrainerState {
  return {
    status: 'idle',
    epoch: 1,
    epochs,
    step: 0,
    stepsPerEpoch,
    globalStep: 0,
    loss: null,
    smoothedLoss: null,
    accuracy: null,
    samplesPerSecond: null,
    etaSeconds: null,
    lossCurve: [],
    batchLosses: [],
    history: [],
    lastEvaluation: null,
    error: null,
  }
}
