/**
 * Surviving a lost WebGL context mid-training: notice it (event, `isContextLost()`, or a read-back
 * that never answers), keep the last good checkpoint, and say what happened in one sentence.
 * Plain TypeScript without tfjs, so the logic is unit-tested with fakes.
 */
import type { RunPosition } from './protocol'

/** The parts of a WebGL context the watch uses (`WebGL2RenderingContext` fits). */
export interface WatchedContext {
  isContextLost(): boolean
  /** The context's canvas (an OffscreenCanvas in the worker): fires `webglcontextlost`. */
  readonly canvas: unknown
}

/** Options of {@link watchContext}. */
export interface ContextWatchOptions {
  /** A tiny read-back on the watched backend; used when training has gone quiet. */
  probe: () => Promise<unknown>
  /** When training last made progress (`performance.now()` time), or null when none is expected (paused). */
  lastProgress: () => number | null
  /** How often `isContextLost()` is asked and the progress checked, in ms (default 250). */
  pollMs?: number
  /** Silence after which the backend is probed, in ms (default 60,000: first shader compiles are slow). */
  stallMs?: number
  /** How long the probe may take before the context counts as lost, in ms (default 30,000). */
  probeTimeoutMs?: number
  now?: () => number
}

/** What {@link watchContext} returns. */
export interface ContextWatch {
  /** Resolves, once, with why the context counts as lost; never rejects. */
  readonly lost: Promise<string>
  /** True once the context counts as lost. */
  readonly isLost: boolean
  /** Stops watching (timers and listeners); `lost` then stays pending unless already resolved. */
  dispose(): void
}

interface EventSource {
  addEventListener(type: string, listener: (event: Event) => void): void
  removeEventListener(type: string, listener: (event: Event) => void): void
}

function isEventSource(value: unknown): value is EventSource {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as EventSource).addEventListener === 'function' &&
    typeof (value as EventSource).removeEventListener === 'function'
  )
}

/** Rejects with `message` when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}

/**
 * Watches a WebGL context for loss: the `webglcontextlost` event on its canvas, `isContextLost()`
 * polled, and, when training has made no progress for `stallMs`, a probe read-back that must answer
 * within `probeTimeoutMs` (a lost context leaves tfjs' read-backs waiting forever on their fence).
 */
export function watchContext(gl: WatchedContext, options: ContextWatchOptions): ContextWatch {
  const pollMs = options.pollMs ?? 250
  const stallMs = options.stallMs ?? 60_000
  const probeTimeoutMs = options.probeTimeoutMs ?? 30_000
  const now = options.now ?? (() => performance.now())
  let lost = false
  let probing = false
  let quietSince: number | null = null
  let resolveLost: (reason: string) => void = () => {}
  const promise = new Promise<string>((resolve) => {
    resolveLost = resolve
  })
  const canvas = isEventSource(gl.canvas) ? gl.canvas : null

  const declare = (reason: string) => {
    if (lost) return
    lost = true
    stop()
    resolveLost(reason)
  }
  const onLost = (event: Event) => {
    // Tells the browser the page can use a restored context (tfjs does the same).
    event.preventDefault()
    declare('the browser reported webglcontextlost')
  }
  const check = () => {
    if (gl.isContextLost()) {
      declare('gl.isContextLost() became true')
      return
    }
    const last = options.lastProgress()
    if (last === null || probing) {
      quietSince = null
      return
    }
    const since = Math.max(last, quietSince ?? last)
    if (now() - since < stallMs) return
    probing = true
    withTimeout(
      options.probe(),
      probeTimeoutMs,
      `a WebGL read-back did not answer within ${Math.round(probeTimeoutMs / 1000)} s`,
    ).then(
      () => {
        probing = false
        // Slow, not lost: wait another stallMs before probing again.
        quietSince = now()
      },
      (error: unknown) => {
        probing = false
        declare(
          gl.isContextLost()
            ? 'gl.isContextLost() became true'
            : error instanceof Error
              ? error.message
              : String(error),
        )
      },
    )
  }
  const timer = setInterval(check, pollMs)
  canvas?.addEventListener('webglcontextlost', onLost)
  function stop() {
    clearInterval(timer)
    canvas?.removeEventListener('webglcontextlost', onLost)
  }
  return {
    lost: promise,
    get isLost() {
      return lost
    },
    dispose: stop,
  }
}

/**
 * Keeps the latest checkpoint that was read back while the context was still good: asks for one
 * every `every` batches and after every epoch, one request at a time. A request that never answers
 * (its read-back hung on a lost context) is abandoned by {@link restart}.
 */
export class CheckpointKeeper<C extends RunPosition> {
  latest: C | null = null
  private requestedAt = 0
  private inFlight = false
  private generation = 0

  constructor(
    private readonly every: number,
    /** False once the checkpoint's read-back can no longer be trusted (the context was lost). */
    private readonly trusted: () => boolean,
  ) {}

  /** Stores `checkpoint` if it can be trusted and is not older than the one kept. */
  offer(checkpoint: C): void {
    if (!this.trusted()) return
    if (this.latest && checkpoint.globalStep < this.latest.globalStep) return
    this.latest = checkpoint
  }

  /** Called on every progress update; asks `take` for a checkpoint when one is due. */
  progress(globalStep: number, epochEnded: boolean, take: () => Promise<C>): void {
    if (this.inFlight) return
    if (!epochEnded && globalStep - this.requestedAt < this.every) return
    this.inFlight = true
    this.requestedAt = globalStep
    const generation = this.generation
    take().then(
      (checkpoint) => {
        if (generation !== this.generation) return
        this.inFlight = false
        this.offer(checkpoint)
      },
      () => {
        if (generation === this.generation) this.inFlight = false
      },
    )
  }

  /** Forgets a pending request (a new trainer takes over from {@link latest}). */
  restart(globalStep: number): void {
    this.generation++
    this.inFlight = false
    this.requestedAt = globalStep
  }
}

/** The sentence the studio shows after recovering a run. */
export function recoveryMessage(recovery: {
  from: string
  to: string
  lostAt: RunPosition
  resumedFrom: RunPosition
}): string {
  const { lostAt, resumedFrom } = recovery
  const name = recovery.from === 'webgl' ? 'WebGL' : recovery.from
  const at = `epoch ${lostAt.epoch} batch ${lostAt.globalStep}`
  const from =
    resumedFrom.globalStep === 0 ? 'the start' : `the checkpoint at batch ${resumedFrom.globalStep}`
  return `${name} context lost at ${at}; resumed from ${from} on ${recovery.to}.`
}
