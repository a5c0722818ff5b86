import type { Plugin } from 'vite'

/**
 * The studio's Content-Security-Policy. Scripts come only from the studio itself; the one
 * relaxation for code is `'wasm-unsafe-eval'`, which lets tfjs's wasm backend compile its
 * WebAssembly module (it allows WebAssembly compilation only, not `eval` or `new Function`).
 * Nothing needs `'unsafe-eval'`: tfjs-core, -backend-webgl (GLSL shaders are compiled by WebGL,
 * not by JavaScript), -backend-cpu and -backend-wasm (non-threaded build) never evaluate strings,
 * and zod's `new Function` probe is switched off (src/lib/cspSafe.ts). Styles allow
 * `'unsafe-inline'` for the style attributes of the canvas library; no script can run from them.
 */
export const cspDirectives: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'", "'wasm-unsafe-eval'"],
  'worker-src': ["'self'"],
  'connect-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'style-src': ["'self'", "'unsafe-inline'"],
  'font-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
}

const serialize = (directives: Record<string, string[]>) =>
  Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ')

/**
 * The directives with `connect` added to `connect-src`: the mirrors of a dataset the studio
 * downloads (vite/datasetAssets.ts `downloadOrigins`); nothing when every dataset is bundled.
 */
export function directivesWith(connect: readonly string[] = []): Record<string, string[]> {
  return { ...cspDirectives, 'connect-src': ["'self'", ...connect] }
}

/** The policy as a `<meta http-equiv>` carries it (`frame-ancestors` is ignored there). */
export const cspMeta = serialize(cspDirectives)

/** The policy as the preview server's header sends it: it also covers the worker's script. */
export const cspHeader = serialize({ ...cspDirectives, 'frame-ancestors': ["'none'"] })

/** {@link cspMeta} and {@link cspHeader} allowing `connect` in `connect-src`. */
export function policyWith(connect: readonly string[] = []): { meta: string; header: string } {
  const directives = directivesWith(connect)
  return {
    meta: serialize(directives),
    header: serialize({ ...directives, 'frame-ancestors': ["'none'"] }),
  }
}

/**
 * Puts the policy into the built index.html, so any static host serves it. Not in dev: Vite's dev
 * server and React Fast Refresh inject inline scripts.
 */
export function contentSecurityPolicy(meta: string = cspMeta): Plugin {
  return {
    name: 'tensorloom:csp',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: () => [
        {
          tag: 'meta',
          attrs: { 'http-equiv': 'Content-Security-Policy', content: meta },
          injectTo: 'head-prepend',
        },
      ],
    },
  }
}
