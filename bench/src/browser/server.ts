import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { mnistDir } from '../node/lesson'

const here = dirname(fileURLToPath(import.meta.url))
const wasmDir = join(
  dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')),
  'dist',
)

/** Bundles page.ts (Tensorloom from source, tfjs, the wasm backend) into one ES module. */
export async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [join(here, 'page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@tensorloom/source'],
    // Node-only code paths of the data package (reading files) are never taken in the page.
    external: ['node:*'],
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
    logLevel: 'error',
  })
  return result.outputFiles[0]!.text
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>Tensorloom bench</title>
<script type="module" src="bench.js"></script><p>Tensorloom bench</p>`

/**
 * Serves the page on 127.0.0.1: under `/plain/` as any site, under `/iso/` cross-origin isolated
 * (COOP/COEP), which is what enables SharedArrayBuffer and so wasm threads.
 */
export async function startServer(
  bundle: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const [, scope, ...rest] = url.pathname.split('/')
    const path = rest.join('/')
    const headers: Record<string, string> = { 'Cache-Control': 'no-store' }
    if (scope === 'iso') {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin'
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp'
    }
    try {
      let body: string | Buffer
      if (scope === 'data') {
        body = await readFile(join(mnistDir, path.replace(/[^\w.-]/g, '')))
        headers['Content-Type'] = 'application/octet-stream'
        headers['Cross-Origin-Resource-Policy'] = 'same-origin'
      } else if (scope === 'wasm') {
        body = await readFile(join(wasmDir, path.replace(/[^\w.-]/g, '')))
        headers['Content-Type'] = 'application/wasm'
        headers['Cross-Origin-Resource-Policy'] = 'same-origin'
      } else if (path === 'bench.js') {
        body = bundle
        headers['Content-Type'] = 'text/javascript'
      } else if (path === '' || path === 'index.html') {
        body = PAGE
        headers['Content-Type'] = 'text/html'
      } else {
        res.writeHead(404).end()
        return
      }
      res.writeHead(200, headers).end(body)
    } catch {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
