import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { Plugin } from 'vite'

const require = createRequire(import.meta.url)
const wasmRoot = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))
const { version } = JSON.parse(readFileSync(join(wasmRoot, 'package.json'), 'utf8')) as {
  version: string
}
const factoryPath = join(wasmRoot, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js')
const workerModulePath = join(wasmRoot, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')

/**
 * Where the two scripts are served, under the app's base, which must be absolute (`/`, `/app/`):
 * the worker resolves them against its own URL. Versioned, so they can be cached for good.
 */
export const WASM_THREADS_DIR = `tfjs-wasm/${version}`
const SCRIPT = 'tfjs-backend-wasm-threaded-simd.js'
const WORKER = 'tfjs-backend-wasm-threaded-simd.worker.js'
const VIRTUAL = '\0tensorloom:tfjs-wasm-threaded-factory'

/** The scripts a pthread worker loads: its entry point, and the factory exactly as shipped. */
function files(): Record<string, string> {
  const { wasmWorkerContents } = require(workerModulePath) as { wasmWorkerContents: string }
  return {
    // tfjs makes this script a Blob the same way: the template literal turned the `\n` inside its
    // string literals into real newlines, which must be escaped again.
    [WORKER]: wasmWorkerContents.replace(/\n/g, '\\n'),
    [SCRIPT]: readFileSync(factoryPath, 'utf8'),
  }
}

/** The module that replaces tfjs's import of the threaded factory. */
function wrapper(base: string): string {
  const url = (name: string) => JSON.stringify(`${base}${WASM_THREADS_DIR}/${name}`)
  return `import * as shipped from ${JSON.stringify(factoryPath)}
const factory = shipped.default || shipped
const script = new URL(${url(SCRIPT)}, self.location.href).href
const worker = new URL(${url(WORKER)}, self.location.href).href
export default function WasmBackendModuleThreadedSimd(config) {
  config.mainScriptUrlOrBlob = script
  const locate = config.locateFile
  config.locateFile = (path, prefix) => (path.endsWith('.worker.js') ? worker : locate(path, prefix))
  return factory(config)
}
`
}

/** Redirects tfjs-backend-wasm's `import … from '../wasm-out/tfjs-backend-wasm-threaded-simd.js'`. */
function factoryRedirect(base: () => string) {
  let sawBackend = false
  let redirected = false
  return {
    name: 'tensorloom:tfjs-wasm-threaded-factory',
    // Before Vite's own resolver, which would otherwise resolve the relative import first.
    enforce: 'pre' as const,
    resolveId(source: string, importer: string | undefined) {
      if (importer?.includes('tfjs-backend-wasm/dist/backend_wasm')) sawBackend = true
      if (
        source.endsWith('wasm-out/tfjs-backend-wasm-threaded-simd.js') &&
        importer?.includes('tfjs-backend-wasm') &&
        importer !== VIRTUAL
      ) {
        redirected = true
        return VIRTUAL
      }
      return null
    },
    load(id: string) {
      return id === VIRTUAL ? wrapper(base()) : null
    },
    buildEnd(this: { warn(message: string): void }) {
      // A tfjs upgrade that moves the import would silently bring back the broken Blob workers.
      if (sawBackend && !redirected) {
        this.warn(
          'tfjs-backend-wasm was bundled without its threaded factory being redirected: wasm threads will fail. Check vite/wasmThreads.ts against the new tfjs-backend-wasm.',
        )
      }
    },
  }
}

/**
 * Lets tfjs's wasm backend run its threaded build in the studio's bundled worker.
 *
 * tfjs starts each pthread worker from a Blob of its own code (`wasmFactoryThreadedSimd.toString()`
 * and the worker script as a string). Bundled and minified, that code no longer stands alone
 * ("e is not defined"), and blob: workers would need `worker-src blob:` in the CSP. This plugin
 * serves both scripts unmodified from the app's origin (`/tfjs-wasm/<version>/…`; emitted into the
 * build, served by middleware in dev) and swaps the factory tfjs imports for a wrapper that points
 * `mainScriptUrlOrBlob` and the pthread worker at them. The wrapper is applied where tfjs is
 * bundled: the worker build and the dev server's dependency optimizer.
 */
export function wasmThreads(): Plugin {
  let base = '/'
  const redirect = factoryRedirect(() => base)
  return {
    name: 'tensorloom:tfjs-wasm-threads',
    enforce: 'pre',
    resolveId: redirect.resolveId,
    load: redirect.load,
    config() {
      return {
        optimizeDeps: { rolldownOptions: { plugins: [redirect] } },
        worker: { plugins: () => [redirect] },
      }
    },
    configResolved(config) {
      base = config.base
    },
    configureServer(server) {
      const served = files()
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0] ?? ''
        const prefix = `${base}${WASM_THREADS_DIR}/`
        const body = path.startsWith(prefix) ? served[path.slice(prefix.length)] : undefined
        if (body === undefined) return next()
        res.setHeader('Content-Type', 'text/javascript')
        res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp')
        res.setHeader('Cross-Origin-Resource-Policy', 'same-origin')
        res.end(body)
      })
    },
    generateBundle() {
      for (const [name, source] of Object.entries(files())) {
        this.emitFile({ type: 'asset', fileName: `${WASM_THREADS_DIR}/${name}`, source })
      }
    },
  }
}
