/** A listener of a {@link Subscribable}; called with the new state after every change. */
export type Listener<T> = (state: T) => void

/**
 * A value that changes over time and can be watched, like a zustand vanilla store: `getState()`
 * returns the current immutable snapshot (a new object after every change, so React's
 * `useSyncExternalStore` can compare by reference), `subscribe(listener)` returns an unsubscribe
 * function.
 */
export interface Subscribable<T> {
  getState(): T
  subscribe(listener: Listener<T>): () => void
}

/**
 * @internal A minimal {@link Subscribable} implementation. A listener that throws cannot break
 * the code that changed the state: every listener is still called, and the first error goes to
 * `onListenerError` (the Trainer stops the run with it).
 */
export class Store<T extends object> implements Subscribable<T> {
  private state: T
  private readonly listeners = new Set<Listener<T>>()

  constructor(
    initial: T,
    private readonly onListenerError: (error: unknown) => void = () => {},
  ) {
    this.state = Object.freeze({ ...initial })
  }

  getState = (): T => this.state

  subscribe = (listener: Listener<T>): (() => void) => {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  /** Replaces the state with `{ ...state, ...patch }` and notifies listeners; never throws. */
  set(patch: Partial<T>): void {
    this.state = Object.freeze({ ...this.state, ...patch })
    let failed = false
    let failure: unknown
    for (const listener of [...this.listeners]) {
      try {
        listener(this.state)
      } catch (error) {
        if (!failed) failure = error
        failed = true
      }
    }
    if (failed) this.onListenerError(failure)
  }

  /** Drops every listener. */
  clear(): void {
    this.listeners.clear()
  }
}
