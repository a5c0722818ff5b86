import * as tf from '@tensorflow/tfjs-core'
import { trainError } from './errors'
import { type WasmPaths, wasmPathsFor } from './wasmPaths'

/** One backend that {@link selectBackend} tried. */
export interface BackendAttempt {
  /** Backend name, e.g. `'webgl'`. */
  name: string
  /** Whether it initialised, ran a test op and became the active backend. */
  ok: boolean
  /** Why it failed, or null. */
  error: string | null
}

/** The result of {@link selectBackend}. */
export interface BackendSelection {
  /** The active backend, as reported by `tf.getBackend()`. */
  backend: string
  /** One sentence on why this backend was chosen, naming the ones that failed. */
  reason: string
  /** Every backend tried, in order. */
  tried: BackendAttempt[]
}

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /**
   * Where the wasm backend loads its `.wasm` files from, in a browser or worker (Node reads them
   * from the package). `'auto'` (default): the files of the installed
   * `@tensorflow/tfjs-backend-wasm`, as `new URL(…, import.meta.url)` URLs that Vite and webpack
   * resolve and copy into the build. A prefix (`'/static/tfjs/'`) or a map from file name to URL is
   * passed to `setWasmPaths`; `false` leaves them alone (you called `setWasmPaths` yourself).
   */
  wasmPaths?: WasmPaths
}

/** The default order: GPU first, then WebAssembly, then plain JavaScript. */
export const defaultBackendOrder: readonly string[] = ['webgl', 'wasm', 'cpu']

const PACKAGES: Record<string, string> = {
  webgl: '@tensorflow/tfjs-backend-webgl',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

async function tryBackend(name: string, options: SelectBackendOptions): Promise<string | null> {
  if (tf.findBackendFactory(name) == null) {
    const pkg = PACKAGES[name]
    return pkg ? `not registered (import '${pkg}' first)` : 'not registered'
  }
  if (name === 'wasm' && tf.engine().registry.wasm === undefined) {
    try {
      await configureWasmPaths(options.wasmPaths ?? 'auto')
    } catch (error) {
      return `failed to set the .wasm paths: ${message(error)}`
    }
  }
  // tfjs catches a failing backend factory and only logs it with console.warn: capture that
  // message so the result can say why (e.g. "WebGL is not supported on this device").
  const warnings: string[] = []
  const warn = console.warn
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '))
  }
  let ok: boolean
  try {
    ok = await tf.setBackend(name)
  } catch (error) {
    return `failed to initialise: ${message(error)}`
  } finally {
    console.warn = warn
  }
  if (!ok) {
    const cause = warnings
      .map((w) => w.split('\n')[0])
      .filter((w) => !w?.startsWith('Initialization of backend'))
      .join('; ')
    const hint =
      name === 'wasm'
        ? ' (in a browser the .wasm files must load: with a bundler that does not copy them, serve them and pass selectBackend(…, …, { wasmPaths: prefix }))'
        : ''
    return `failed to initialise${cause ? `: ${cause}` : ''}${hint}`
  }
  await tf.ready()
  if (tf.getBackend() !== name)
    return `tf.getBackend() reports '${tf.getBackend()}' after setBackend('${name}')`
  try {
    const value = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0])
    if (value !== 3) return `a test op returned ${value} instead of 3`
  } catch (error) {
    return `a test op failed: ${message(error)}`
  }
  return null
}

/** The paths given to `setWasmPaths` once; later calls cannot change them (tfjs reads them once). */
let wasmPathsSet = false

async function configureWasmPaths(paths: WasmPaths): Promise<void> {
  if (wasmPathsSet || paths === false) return
  const resolved = wasmPathsFor(paths)
  if (resolved === null) return
  // Loaded only here: the wasm backend is registered (its module is in the app already).
  const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm')
  setWasmPaths(resolved)
  wasmPathsSet = true
}

/** Calls run one after another: two at once (React StrictMode's double effects) would race tfjs. */
let queue: Promise<unknown> = Promise.resolve()

/**
 * Picks the fastest working tfjs backend and makes it active: `preferred` first (a name or a list),
 * then webgl → wasm → cpu. Each candidate must be registered (its package imported), initialise,
 * become `tf.getBackend()` and run a test op; the result says which one was chosen and why the
 * others were skipped. Throws a `TrainError` (`BACKEND_UNAVAILABLE`) when none works.
 *
 * In a browser, wasm needs no `setWasmPaths`: the `.wasm` files are located with
 * `new URL(…, import.meta.url)`, which Vite and webpack resolve (see {@link SelectBackendOptions}).
 * Calls made while another runs wait for it, so calling it twice at once is safe.
 *
 * @example
 * import '@tensorflow/tfjs-backend-wasm'
 * import '@tensorflow/tfjs-backend-cpu'
 * const { backend, reason } = await selectBackend('wasm')
 * console.log(backend, reason) // 'wasm', "using 'wasm', as preferred"
 */
export function selectBackend(
  preferred?: string | readonly string[],
  order: readonly string[] = defaultBackendOrder,
  options: SelectBackendOptions = {},
): Promise<BackendSelection> {
  const run = queue.then(() => select(preferred, order, options))
  queue = run.catch(() => {})
  return run
}

async function select(
  preferred: string | readonly string[] | undefined,
  order: readonly string[],
  options: SelectBackendOptions,
): Promise<BackendSelection> {
  const wanted =
    preferred === undefined ? [] : typeof preferred === 'string' ? [preferred] : [...preferred]
  const candidates = [...new Set([...wanted, ...order])]
  const tried: BackendAttempt[] = []
  for (const name of candidates) {
    const error = await tryBackend(name, options)
    tried.push({ name, ok: error === null, error })
    if (error !== null) continue
    const failed = tried.filter((t) => !t.ok)
    const why = failed.map((t) => `${t.name} ${t.error}`).join('; ')
    let reason: string
    if (failed.length === 0) {
      reason = wanted.includes(name)
        ? `using '${name}', as preferred`
        : `using '${name}', the first of ${candidates.join(' → ')}`
    } else {
      reason = `fell back to '${name}': ${why}`
    }
    return { backend: tf.getBackend(), reason, tried }
  }
  throw trainError('BACKEND_UNAVAILABLE', { tried })
}
