import * as tf from '@tensorflow/tfjs-core'
import type { Module } from '@tensorloom/layers'
import { trainError } from './errors'
import { disposeStateDict, type Optimizer, type OptimizerStateDict } from './Optimizer'

interface Snapshot {
  model: Record<string, tf.Tensor>
  optimizer: OptimizerStateDict<object>
}

/** Where in the run a loss was computed. */
export interface StepPosition {
  epoch: number
  /** 1-based step within `epoch`. */
  step: number
  globalStep: number
}

/**
 * Stops training on a NaN or ±Inf loss and puts back the last weights that gave a finite loss.
 *
 * Losses are read back a window of steps at a time, so it keeps two copies of the weights and the
 * optimizer state: `pending`, taken before the window being trained, and `verified`, taken before
 * the window read back last. A bad loss inside a window means the weights before the window were
 * good (its first loss was finite): `pending` goes back. A bad first loss means they were not:
 * `verified` goes back. Costs one copy of the weights and optimizer state per read-back.
 */
export class NonFiniteGuard {
  private pending: Snapshot | null = null
  private verified: Snapshot | null = null

  constructor(
    private readonly model: Module,
    private readonly optimizer: Optimizer<object>,
    /** Off (`checkFinite: false`): no copies, no checks. */
    readonly enabled: boolean,
  ) {}

  /** Copies the weights the next window starts from, unless a copy of them exists. */
  arm(): void {
    this.pending ??= this.snapshot()
  }

  /** Index of the first non-finite value among `values[0..count)`, or -1 (always when off). */
  firstBad(values: Float32Array, count: number): number {
    if (!this.enabled) return -1
    for (let i = 0; i < count; i++) if (!Number.isFinite(values[i]!)) return i
    return -1
  }

  /** A window read back finite: the weights before it are verified; copies the current ones. */
  passed(): void {
    if (!this.enabled) return
    this.dispose(this.verified)
    this.verified = this.pending
    this.pending = this.snapshot()
  }

  /**
   * Restores the last weights that gave a finite loss (then calls `restored`, e.g. to reload an
   * engine's copies) and throws `NON_FINITE_LOSS` naming the step.
   */
  fail(at: StepPosition, loss: number, firstOfWindow: boolean, restored: () => void): never {
    const restore = firstOfWindow ? (this.verified ?? this.pending) : this.pending
    if (restore) {
      this.model.loadStateDict(restore.model)
      this.optimizer.loadStateDict(restore.optimizer)
      restored()
    }
    const lr = (this.optimizer.paramGroups[0] as { lr?: number } | undefined)?.lr
    throw trainError('NON_FINITE_LOSS', { ...at, loss, lr })
  }

  /** Forgets both copies (after the weights were replaced, e.g. by a checkpoint). */
  drop(): void {
    this.dispose(this.verified)
    this.dispose(this.pending)
    this.verified = null
    this.pending = null
  }

  private snapshot(): Snapshot | null {
    if (!this.enabled) return null
    return {
      model: tf.tidy(() =>
        Object.fromEntries(
          Object.entries(this.model.stateDict()).map(([k, v]) => [k, tf.keep(tf.clone(v))]),
        ),
      ),
      optimizer: this.optimizer.stateDict(),
    }
  }

  private dispose(snapshot: Snapshot | null): void {
    if (!snapshot) return
    tf.dispose(Object.values(snapshot.model))
    disposeStateDict(snapshot.optimizer)
  }
}
