import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm'

/**
 * Threads the studio asks of tfjs's wasm backend on a machine with `logicalCores`: one per core, at
 * least two (the worker's own thread is one of them) and at most four.
 */
export function wasmThreadCount(logicalCores: number): number {
  return Math.max(2, Math.min(4, Math.floor(logicalCores) || 2))
}

/**
 * Sets the wasm backend's thread count; call before the backend starts. tfjs's threaded module
 * caps its pool at `navigator.hardwareConcurrency / 2`, read once while the module starts (it
 * assumes two hardware threads per core), so a two-core machine would get one thread: the worker
 * reports enough cores for `threads`. Only the training worker's `navigator` is changed, and
 * nothing else there reads it. The threads take effect only under cross-origin isolation.
 */
export function configureWasmThreads(
  threads: number,
  scope: { hardwareConcurrency: number } = navigator,
): void {
  setThreadsCount(threads)
  if (scope.hardwareConcurrency < 2 * threads) {
    Object.defineProperty(scope, 'hardwareConcurrency', { configurable: true, value: 2 * threads })
  }
}
