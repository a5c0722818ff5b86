import type { Checkpoint, EpochRecord } from './checkpoint'
import type { EvaluationResult } from './evaluate'
import { RateMeter } from './RateMeter'

const BETA = 0.98
/** How many of the latest read-backs `samplesPerSecond` averages over. */
const RATE_WINDOWS = 8

/** A trained step as the metrics see it. */
export interface CountedStep {
  readonly samples: number
}

/** What one read-back changes in a trainer's state. */
export interface ProgressUpdate {
  /** Mean loss per sample of the steps read back. */
  loss: number
  smoothedLoss: number | null
  accuracy: number | null
  samplesPerSecond: number | null
  /** The loss of each step read back, oldest first. */
  batchLosses: number[]
}

/** Where a run stands and where it ends, for its ETA. */
export interface RunPoint {
  epoch: number
  /** Steps done in `epoch`. */
  step: number
  /** Steps done in total. */
  globalStep: number
  epochs: number
  stepsPerEpoch: number
  /** The run stops when `globalStep` reaches this (`fit({ maxSteps })`); null: after `epochs`. */
  stopAt: number | null
  /** Whether an evaluation runs after each epoch. */
  evaluates: boolean
  /** Seconds the latest evaluation took (0 before any). */
  evaluationSeconds: number
}

/**
 * The running metrics of a training run: the partial epoch's sums (loss, correct, samples,
 * seconds), the smoothed loss, throughput and the ETA. It sees only the read-back numbers, never
 * a tensor.
 */
export class Progress {
  private lossSum = 0
  private correct = 0
  private samples = 0
  private seconds = 0
  private smoothed = 0
  private smoothingSteps = 0
  private secondsPerStep: number | null = null
  /** False once a step was read back without a correct count (the model does not classify). */
  private classifying = true
  private readonly rate = new RateMeter(RATE_WINDOWS)

  /**
   * Adds the first `count` steps of a read-back window to the metrics. `values` holds the losses
   * of all `window.length` steps, then their correct counts when classifying.
   */
  add(
    window: readonly CountedStep[],
    values: Float32Array,
    count: number,
    seconds: number,
  ): ProgressUpdate {
    const n = window.length
    this.classifying &&= values.length === 2 * n
    let lossSum = 0
    let samples = 0
    let correct = 0
    for (let i = 0; i < count; i++) {
      const loss = values[i]!
      lossSum += loss * window[i]!.samples
      samples += window[i]!.samples
      if (this.classifying) correct += values[n + i]!
      this.smoothed = BETA * this.smoothed + (1 - BETA) * loss
      this.smoothingSteps++
    }
    this.lossSum += lossSum
    this.samples += samples
    this.correct += correct
    this.seconds += seconds
    const stepSeconds = seconds / count
    this.secondsPerStep =
      this.secondsPerStep === null ? stepSeconds : 0.7 * this.secondsPerStep + 0.3 * stepSeconds
    return {
      loss: lossSum / samples,
      smoothedLoss: this.smoothedLoss,
      accuracy: this.accuracy,
      samplesPerSecond: this.rate.add(samples, seconds),
      batchLosses: Array.from(values.subarray(0, count)),
    }
  }

  /** Exponential moving average of the per-step loss (β = 0.98, bias-corrected). */
  get smoothedLoss(): number | null {
    return this.smoothingSteps === 0 ? null : this.smoothed / (1 - BETA ** this.smoothingSteps)
  }

  /** Training accuracy of the epoch so far (null when not classifying or before any step). */
  get accuracy(): number | null {
    return this.classifying && this.samples > 0 ? this.correct / this.samples : null
  }

  /**
   * Seconds until the run ends (null before the first read-back): the steps left until the last
   * epoch ends or `stopAt` comes first, plus an evaluation for each epoch that ends on the way
   * (also one that ends exactly at `stopAt`: the stop comes before the next step).
   */
  eta(at: RunPoint): number | null {
    if (this.secondsPerStep === null) return null
    const perEpoch = at.stepsPerEpoch
    const toLastEpochEnd = (at.epochs - at.epoch) * perEpoch + (perEpoch - at.step)
    const remaining = Math.max(
      0,
      at.stopAt === null ? toLastEpochEnd : Math.min(toLastEpochEnd, at.stopAt - at.globalStep),
    )
    const toEpochEnd = perEpoch - at.step
    const epochEnds =
      perEpoch <= 0 || remaining < toEpochEnd
        ? 0
        : 1 + Math.floor((remaining - toEpochEnd) / perEpoch)
    const evaluations = at.evaluates ? epochEnds : 0
    return Math.max(0, remaining * this.secondsPerStep + at.evaluationSeconds * evaluations)
  }

  /** Forgets the throughput measured so far (a new `fit` starts measuring afresh). */
  resetRate(): void {
    this.rate.reset()
  }

  /** Closes the epoch: its record, and empty sums for the next one. */
  endEpoch(epoch: number, evaluation: EvaluationResult | null): EpochRecord {
    const record: EpochRecord = {
      epoch,
      trainLoss: this.samples > 0 ? this.lossSum / this.samples : Number.NaN,
      trainAccuracy: this.accuracy,
      testLoss: evaluation?.loss ?? null,
      testAccuracy: evaluation?.accuracy ?? null,
      seconds: this.seconds,
      samplesPerSecond: this.seconds > 0 ? this.samples / this.seconds : 0,
    }
    this.lossSum = 0
    this.correct = 0
    this.samples = 0
    this.seconds = 0
    return record
  }

  /** The partial epoch's sums, as a checkpoint carries them. */
  save(): Checkpoint['progress'] {
    return {
      lossSum: this.lossSum,
      correct: this.correct,
      samples: this.samples,
      seconds: this.seconds,
      smoothedLoss: this.smoothingSteps === 0 ? null : this.smoothed,
      smoothingSteps: this.smoothingSteps,
    }
  }

  /** Continues from the sums of {@link save}. */
  load(saved: Checkpoint['progress']): void {
    this.lossSum = saved.lossSum
    this.correct = saved.correct
    this.samples = saved.samples
    this.seconds = saved.seconds
    this.smoothed = saved.smoothedLoss ?? 0
    this.smoothingSteps = saved.smoothingSteps
  }
}
