/**
 * The time bounds of `@tensorloom/train`'s training loop, in one place (the README's "Limits"
 * lists them): how long a run may hold the event loop, and how soon a request from outside takes
 * effect.
 */

/**
 * On WASM and CPU a read-back resolves without a macrotask, so a run would hold the event loop
 * until it ends: pause, abort and messages from a page would wait. It yields this often (ms).
 */
export const YIELD_EVERY_MS = 50

/**
 * While paused, how often the run looks for what may have happened meanwhile (ms): a model
 * disposed under it stops the run with `MODEL_DISPOSED` within this time. Resume, abort and
 * `dispose()` take effect at once.
 */
export const PAUSE_POLL_MS = 100
