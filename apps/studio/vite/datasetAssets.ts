import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Plugin } from 'vite'
import {
  type DownloadSource,
  defaultDatasetConfig,
  FASHION_FILES,
  type StudioDatasetConfig,
} from '../src/data/datasetConfig.ts'

/** Where Debian's `dataset-fashion-mnist` puts the four gzipped IDX files. */
export const DEBIAN_FASHION_MNIST = '/usr/share/datasets/fashion-mnist'

/** The folder FashionMNIST is bundled from, when it holds all four files. */
function fashionDir(env: NodeJS.ProcessEnv): string | null {
  const dir = env.STUDIO_FASHION_MNIST_DIR ?? DEBIAN_FASHION_MNIST
  return FASHION_FILES.every((file) => existsSync(join(dir, file))) ? dir : null
}

function readMirrors(path: string): Partial<Record<'FashionMNIST', DownloadSource>> {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>
  const out: Partial<Record<'FashionMNIST', DownloadSource>> = {}
  const fashion = parsed.FashionMNIST as Partial<DownloadSource> | undefined
  if (fashion) {
    if (!Array.isArray(fashion.mirrors) || fashion.mirrors.some((m) => typeof m !== 'string')) {
      throw new Error(`${path}: FashionMNIST.mirrors must be a list of base URLs`)
    }
    const md5 = fashion.md5 ?? {}
    for (const file of FASHION_FILES) {
      if (typeof md5[file] !== 'string') throw new Error(`${path}: FashionMNIST.md5 lacks ${file}`)
    }
    out.FashionMNIST = { mirrors: fashion.mirrors, md5 }
  }
  return out
}

/**
 * What the build offers for the datasets that do not ship with the studio like MNIST:
 * FashionMNIST is bundled when the build machine has it (Debian's `dataset-fashion-mnist`, or
 * `STUDIO_FASHION_MNIST_DIR`), unless `STUDIO_FASHION_MNIST=download`; otherwise the studio
 * downloads it on first use from the mirrors (Zalando's by default; `STUDIO_DATASET_MIRRORS` names
 * a JSON file with other mirrors and the MD5 of each file, e.g. a local mirror for tests).
 */
export function datasetConfig(env: NodeJS.ProcessEnv = process.env): StudioDatasetConfig {
  const config = defaultDatasetConfig()
  const dir = env.STUDIO_FASHION_MNIST === 'download' ? null : fashionDir(env)
  if (env.STUDIO_FASHION_MNIST === 'bundle' && !dir) {
    throw new Error(
      `STUDIO_FASHION_MNIST=bundle, but ${env.STUDIO_FASHION_MNIST_DIR ?? DEBIAN_FASHION_MNIST} lacks the four FashionMNIST files`,
    )
  }
  config.FashionMNIST.bundled = dir !== null
  if (env.STUDIO_DATASET_MIRRORS) {
    const mirrors = readMirrors(env.STUDIO_DATASET_MIRRORS)
    if (mirrors.FashionMNIST) config.FashionMNIST.download = mirrors.FashionMNIST
  }
  return config
}

/**
 * The origins the studio may fetch from besides its own (the CSP's `connect-src`): the mirrors of
 * a dataset it downloads, and nothing when everything is bundled.
 */
export function downloadOrigins(config: StudioDatasetConfig): string[] {
  if (config.FashionMNIST.bundled || !config.FashionMNIST.download) return []
  return [...new Set(config.FashionMNIST.download.mirrors.map((m) => new URL(m).origin))]
}

/**
 * Serves FashionMNIST's four gzip files as `/datasets/fashion-mnist/<file>` in dev and emits them
 * into the build when the config bundles it (they are served as they are: gzip files, not a
 * Content-Encoding).
 */
export function datasetAssets(config: StudioDatasetConfig, env = process.env): Plugin {
  const dir = config.FashionMNIST.bundled ? fashionDir(env) : null
  return {
    name: 'tensorloom:dataset-assets',
    configureServer(server) {
      if (!dir) return
      server.middlewares.use((req, res, next) => {
        const match = /^\/datasets\/fashion-mnist\/([a-z0-9.-]+)(\?.*)?$/.exec(req.url ?? '')
        const file = FASHION_FILES.find((f) => f === match?.[1])
        if (!file) return next()
        const bytes = readFileSync(join(dir, file))
        res.setHeader('Content-Type', 'application/octet-stream')
        res.setHeader('Content-Length', String(bytes.length))
        res.setHeader('Cache-Control', 'max-age=31536000, immutable')
        res.end(bytes)
      })
    },
    generateBundle() {
      if (!dir) return
      for (const file of FASHION_FILES) {
        this.emitFile({
          type: 'asset',
          fileName: `datasets/fashion-mnist/${file}`,
          source: readFileSync(join(dir, file)),
        })
      }
    },
  }
}
