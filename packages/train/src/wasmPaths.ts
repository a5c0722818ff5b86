/**
 * Where the tfjs wasm backend finds its `.wasm` files: `'auto'`, a URL prefix, a map from file name
 * to URL (as `setWasmPaths` takes them), or `false` to leave them to your own `setWasmPaths` call.
 */
export type WasmPaths = 'auto' | false | string | Readonly<Record<string, string>>

/** True in Node, where the wasm backend reads its files from its own package folder. */
function isNode(): boolean {
  const versions = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions
  return typeof versions?.node === 'string'
}

/**
 * The `.wasm` files of the installed `@tensorflow/tfjs-backend-wasm`. Each `new URL('<package
 * path>', import.meta.url)` is written out literally so that bundlers see it: Vite and webpack 5
 * resolve the specifier, copy the file into the build and rewrite the URL. Where nothing rewrites
 * it (esbuild, no bundler), the URL points next to this module and fails to load: pass your own
 * paths then.
 */
export function bundledWasmPaths(): Record<string, string> {
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
