import type * as tf from '@tensorflow/tfjs-core'
import type { Module } from '@tensorloom/layers'
import { TrainError, trainError } from './errors'
import type { RunControl } from './RunControl'

/**
 * What can end a run from outside its loop besides the caller's signal, and how `fit()` reports
 * it: a subscriber that threw (`LISTENER_ERROR`, the listener's error as `cause`) and a model
 * disposed under the run (`MODEL_DISPOSED`). Either stops the run through its {@link RunControl},
 * so a paused or running `fit()` settles at once (or within `PAUSE_POLL_MS` when paused).
 */
export class RunFaults {
  /** The first error a subscriber threw during the current fit or evaluate. */
  private listenerError: { error: unknown } | null = null
  /** The model's parameters when the run started: one disposed means the model was. */
  private params: readonly tf.Variable[] = []

  constructor(
    private readonly control: RunControl,
    /** Where the run is, for the messages. */
    private readonly position: () => { epoch: number; step: number },
  ) {}

  /** A fit or evaluate starts: forget earlier faults, watch `model`'s parameters. */
  begin(model?: Module): void {
    this.listenerError = null
    this.params = model ? model.parameters() : []
  }

  /** The fit or evaluate ended. */
  end(): void {
    this.listenerError = null
    this.params = []
  }

  /** A subscriber threw: the run stops at once (the first error is kept). */
  listenerThrew(error: unknown): void {
    this.listenerError ??= { error }
    this.control.stop('listener')
  }

  /** True when one of the model's parameters was disposed since the run started. */
  modelDisposed(): boolean {
    return this.params.some((p) => p.isDisposed)
  }

  /** Stops the run when the model was disposed under it. */
  checkModel(): void {
    if (this.modelDisposed()) this.control.stop('model')
  }

  /** Throws the fault that stopped the run, if one did (else the run was simply aborted). */
  throwIfFaulted(): void {
    this.throwIfListenerFailed()
    if (this.control.stopReason === 'model') throw this.modelGone()
  }

  /** Throws `LISTENER_ERROR` when a subscriber threw since {@link begin}. */
  throwIfListenerFailed(): void {
    const failed = this.listenerError
    if (!failed) return
    const message = failed.error instanceof Error ? failed.error.message : String(failed.error)
    const error = trainError('LISTENER_THREW', { ...this.position(), message })
    Object.defineProperty(error, 'cause', { value: failed.error })
    throw error
  }

  /**
   * What a failure means for the caller: a raw error from a disposed model (or the fast engine's
   * refusal of one) is `MODEL_DISPOSED`.
   */
  explain(error: unknown): unknown {
    if (error instanceof TrainError && error.code !== 'INVALID_OPTION') return error
    if (this.modelDisposed()) return this.modelGone(error)
    return error
  }

  private modelGone(cause?: unknown): TrainError {
    const error = trainError('MODEL_DISPOSED', this.position())
    if (cause !== undefined) Object.defineProperty(error, 'cause', { value: cause })
    return error
  }
}
