import type { Checkpoint } from './checkpoint'
import { PAUSE_POLL_MS, YIELD_EVERY_MS } from './limits'
import { yieldToEventLoop } from './yieldToEventLoop'

/**
 * Why a run was stopped from inside: the caller's signal, the trainer disposed, a subscriber that
 * threw, or the model disposed under it.
 */
export type StopReason = 'signal' | 'disposed' | 'listener' | 'model'

/** What the trainer does for its {@link RunControl} at a step boundary. */
export interface BoundaryActions {
  /** Reads back the pending steps (before a stop, a checkpoint or a pause). */
  flush(): Promise<void>
  /** A checkpoint of the current position, taken at once. */
  checkpoint(): Promise<Checkpoint>
  /** Training pauses (`true`) or goes on after a pause (`false`). */
  paused(paused: boolean): void
  /** Called every `PAUSE_POLL_MS` while paused: may {@link RunControl.stop} the run. */
  pausedTick?(): void
}

/**
 * What happens between two steps of a run: requests from outside (pause, resume, abort through
 * the signal, checkpoints) take effect, `maxSteps` stops it, and the event loop gets a turn now
 * and then.
 */
export class RunControl {
  private signal: AbortSignal | undefined = undefined
  /** Aborts the run: from the caller's signal or from {@link stop}. */
  private controller: AbortController | null = null
  private reason: StopReason | null = null
  private outerSignal: AbortSignal | undefined = undefined
  private limit: number | null = null
  private pauseRequested = false
  private wake: (() => void) | null = null
  private lastYield = 0
  private checkpointRequests: Array<{
    resolve: (c: Checkpoint) => void
    reject: (e: unknown) => void
  }> = []
  private readonly onAbort = () => this.stop('signal')

  constructor(private readonly actions: BoundaryActions) {}

  /** `globalStep` at which the current run stops (`fit({ maxSteps })`); null: no limit. */
  get stopAt(): number | null {
    return this.limit
  }

  /**
   * The run's own signal: aborted by the caller's signal or by {@link stop}. Pass it on to work
   * the run waits for (an evaluation), so that it stops too.
   */
  get runSignal(): AbortSignal | undefined {
    return this.signal
  }

  /** Why the run was stopped from inside (null: it was not, or only `stopAt` ended it). */
  get stopReason(): StopReason | null {
    return this.reason
  }

  /** A run starts (a pause asked for before it is forgotten). */
  begin(signal: AbortSignal | undefined, stopAt: number | null): void {
    this.controller = new AbortController()
    this.signal = this.controller.signal
    this.reason = null
    this.limit = stopAt
    this.pauseRequested = false
    this.outerSignal = signal
    if (signal?.aborted) this.stop('signal')
    else signal?.addEventListener('abort', this.onAbort)
  }

  /**
   * Stops the run at the next step boundary, or at once when it is paused (the first reason
   * given is kept). Does nothing between runs.
   */
  stop(reason: StopReason): void {
    if (!this.controller) return
    this.reason ??= reason
    this.controller.abort()
    this.wake?.()
  }

  /** The run ended: checkpoint requests still waiting are answered with its final position. */
  end(): void {
    this.outerSignal?.removeEventListener('abort', this.onAbort)
    this.outerSignal = undefined
    this.controller = null
    this.signal = undefined
    this.wake = null
    this.answerCheckpoints()
  }

  /** Pauses at the next step boundary. */
  pause(): void {
    this.pauseRequested = true
  }

  /** Continues after {@link pause}. */
  resume(): void {
    this.pauseRequested = false
    this.wake?.()
  }

  /** A checkpoint taken at the next step boundary (or when the run ends). */
  requestCheckpoint(): Promise<Checkpoint> {
    return new Promise((resolve, reject) => this.checkpointRequests.push({ resolve, reject }))
  }

  /**
   * Between two steps, `globalStep` steps into the run: answers checkpoint requests, pauses until
   * resumed, and says whether to go on (false: aborted, or `stopAt` reached).
   */
  async boundary(globalStep: number): Promise<boolean> {
    if (performance.now() - this.lastYield >= YIELD_EVERY_MS) {
      await yieldToEventLoop()
      this.lastYield = performance.now()
    }
    const signal = this.signal
    if (signal?.aborted || (this.limit !== null && globalStep >= this.limit)) {
      await this.actions.flush()
      return false
    }
    if (this.checkpointRequests.length > 0) {
      await this.actions.flush()
      this.answerCheckpoints()
    }
    if (this.pauseRequested) {
      await this.actions.flush()
      this.actions.paused(true)
      while (this.pauseRequested && !signal?.aborted) {
        let timer: ReturnType<typeof setTimeout> | undefined
        await new Promise<void>((resolve) => {
          this.wake = resolve
          timer = setTimeout(resolve, PAUSE_POLL_MS)
        })
        clearTimeout(timer)
        this.wake = null
        this.answerCheckpoints()
        this.actions.pausedTick?.()
      }
      if (signal?.aborted) return false
      this.actions.paused(false)
    }
    return true
  }

  private answerCheckpoints(): void {
    const requests = this.checkpointRequests
    this.checkpointRequests = []
    for (const request of requests) {
      this.actions.checkpoint().then(request.resolve, request.reject)
    }
  }
}
