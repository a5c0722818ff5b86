import type { Checkpoint } from './checkpoint'
import { yieldToEventLoop } from './yieldToEventLoop'

/**
 * On WASM and CPU a read-back resolves without a macrotask, so a run would hold the event loop
 * until it ends: pause, abort and messages from a page would wait. It yields this often instead.
 */
const YIELD_EVERY_MS = 50

/** What the trainer does for its {@link RunControl} at a step boundary. */
export interface BoundaryActions {
  /** Reads back the pending steps (before a stop, a checkpoint or a pause). */
  flush(): Promise<void>
  /** A checkpoint of the current position, taken at once. */
  checkpoint(): Promise<Checkpoint>
  /** Training pauses (`true`) or goes on after a pause (`false`). */
  paused(paused: boolean): void
}

/**
 * What happens between two steps of a run: requests from outside (pause, resume, abort through
 * the signal, checkpoints) take effect, `maxSteps` stops it, and the event loop gets a turn now
 * and then.
 */
export class RunControl {
  private signal: AbortSignal | undefined = undefined
  private limit: number | null = null
  private pauseRequested = false
  private wake: (() => void) | null = null
  private lastYield = 0
  private checkpointRequests: Array<{
    resolve: (c: Checkpoint) => void
    reject: (e: unknown) => void
  }> = []
  private readonly onAbort = () => this.wake?.()

  constructor(private readonly actions: BoundaryActions) {}

  /** `globalStep` at which the current run stops (`fit({ maxSteps })`); null: no limit. */
  get stopAt(): number | null {
    return this.limit
  }

  /** A run starts (a pause asked for before it is forgotten). */
  begin(signal: AbortSignal | undefined, stopAt: number | null): void {
    this.signal = signal
    this.limit = stopAt
    this.pauseRequested = false
    signal?.addEventListener('abort', this.onAbort)
  }

  /** The run ended: checkpoint requests still waiting are answered with its final position. */
  end(): void {
    this.signal?.removeEventListener('abort', this.onAbort)
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
        await new Promise<void>((resolve) => {
          this.wake = resolve
        })
        this.wake = null
        this.answerCheckpoints()
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
