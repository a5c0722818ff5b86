/**
 * Where the tfjs wasm backend finds its `.wasm` files: `'auto'`, a URL prefix, a map from file name
 * to URL (as `setWasmPaths` takes them), or `false` to leave them to your own `setWasmPaths` call.
 */
export type WasmPaths = 'auto' | false | string | Readonly<Record<string, string>>

const WASM_FILES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
]

/** True in Node, where the wasm backend reads its files from its own package folder. */
function isNode(): boolean {
  const versions = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions
  return typeof versions?.node === 'string'
}

/** Vite's dev server serves pre-bundled dependencies from here, without rewriting `new URL()`. */
const VITE_DEPS = '/node_modules/.vite/deps/'

/**
 * The `.wasm` files of the installed `@tensorflow/tfjs-backend-wasm`. Each `new URL('<package
 * path>', import.meta.url)` is written out literally so that bundlers see it: Vite and webpack 5
 * resolve the specifier, copy the file into the build and rewrite the URL. Vite's dev server
 * pre-bundles this package into `node_modules/.vite/deps/` without rewriting them: there the files
 * are taken from `node_modules/@tensorflow/tfjs-backend-wasm/dist/`, which it serves. Where nothing
 * rewrites the URLs (esbuild, no bundler), they point next to this module and fail to load: pass
 * your own paths then.
 */
export function bundledWasmPaths(moduleUrl: string = import.meta.url): Record<string, string> {
  if (moduleUrl.includes(VITE_DEPS)) {
    const dist = new URL('../../@tensorflow/tfjs-backend-wasm/dist/', moduleUrl)
    return Object.fromEntries(WASM_FILES.map((file) => [file, new URL(file, dist).href]))
  }
  return {
    'tfjs-backend-wasm.wasm': new URL(
      '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm',
      import.meta.url,
    ).href,
    'tfjs-backend-wasm-simd.wasm': new URL(
      '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
      import.meta.url,
    ).href,
    'tfjs-backend-wasm-threaded-simd.wasm': new URL(
      '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm',
      import.meta.url,
    ).href,
  }
}

/** What to pass to `setWasmPaths` for `paths`, or null to call nothing (Node, or `false`). */
export function wasmPathsFor(paths: WasmPaths): string | Record<string, string> | null {
  if (paths === false) return null
  if (paths === 'auto') return isNode() ? null : bundledWasmPaths()
  return typeof paths === 'string' ? paths : { ...paths }
}
