import type { TrainerState } from '@tensorloom/train'
import { lossPoints } from './lossPoints'
import type { FromWorker, MemorySample } from './protocol'

/** The messages a trainer update turns into. */
export type ProgressMessage = Extract<FromWorker, { type: 'progress' | 'evaluated' }>

/**
 * Turns a trainer's updates into the page's `progress` and `evaluated` messages, each new loss
 * point and each finished epoch sent once.
 */
export class ProgressMessages {
  private sentPoints = 0
  private sentEpochs = 0

  constructor(
    private readonly run: { totalSteps: number },
    /** Tensors alive now, reported with each finished epoch. */
    private readonly memory: () => MemorySample,
  ) {}

  /** The messages for what `state` adds to the updates seen before. */
  of(state: TrainerState): ProgressMessage[] {
    const messages: ProgressMessage[] = []
    const points = state.lossCurve.slice(this.sentPoints)
    this.sentPoints = state.lossCurve.length
    if (points.length > 0) {
      messages.push({
        type: 'progress',
        epoch: state.epoch,
        step: state.step,
        globalStep: state.globalStep,
        totalSteps: this.run.totalSteps,
        curve: lossPoints(points, state.globalStep, state.batchLosses),
        loss: state.loss ?? Number.NaN,
        samplesPerSec: state.samplesPerSecond ?? 0,
        // The trainer's own estimate: it counts down to maxSteps when that stops the run first,
        // and includes the evaluations still to run.
        etaSeconds: state.etaSeconds,
      })
    }
    for (const record of state.history.slice(this.sentEpochs)) {
      messages.push({
        type: 'evaluated',
        epoch: record.epoch,
        testAccuracy: record.testAccuracy ?? 0,
        testLoss: record.testLoss ?? 0,
        trainAccuracy: record.trainAccuracy,
        memory: this.memory(),
      })
    }
    this.sentEpochs = state.history.length
    return messages
  }

  /** Starts over for a new trainer, resumed with `epochsDone` finished epochs already sent. */
  restart(epochsDone: number): void {
    this.sentPoints = 0
    this.sentEpochs = epochsDone
  }
}
