// Size budgets, as size-limit holds them: what a Vite app ships for each way of using the packages,
// minified and gzipped, built from the packages' dist/ as a consumer sees them (no source
// condition), and the studio's first load. A budget is the measured size plus some room: a change
// that grows a bundle past it fails here and has to raise the budget on purpose.
import { spawnSync } from 'node:child_process'
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { record } from './meta.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const require = createRequire(join(root, 'package.json'))

/**
 * min+gzip budgets in bytes: the sizes measured on 2026-12-06 plus about 9%. Before the zod split
 * (document schemas built lazily with zod/mini) they were 44.3 kB, 124.5 kB and 249.9 kB; after it
 * 19.2 kB, 102.4 kB and 233.4 kB, before the merges, own-data blocks (each block's definition
 * carries its export code) and the optimizers lowered to WebGL and generated loops landed.
 */
const BUDGETS = {
  /** `inferShapes` + the templates: what an editor pays before any validation or tfjs (25.2 kB). */
  'graph-only': 27_500,
  /**
   * The lesson's model, loss, optimizer, Trainer and selectBackend, with tfjs-core (145.8 kB: the
   * graph engine for networks and its run-time WebAssembly kernels came with the Trainer).
   */
  'layers+train': 150_000,
  /**
   * The studio's index.html with its scripts and styles; the worker, tfjs and the charts (uPlot)
   * load later (247.1 kB; 269.8 kB while uPlot loaded with the page).
   */
  'studio first load': 255_000,
} as const
/** esbuild --bundle --minify of `export { inferShapes, templates } from '@tensorloom/graph'`. */
const GRAPH_ESBUILD_LIMIT = 80_000

const ENTRIES: Record<'graph-only' | 'layers+train', string> = {
  'graph-only': `import { inferShapes, templates } from '@tensorloom/graph'
document.body.textContent = String(inferShapes(templates.lesson).totalParams)
`,
  'layers+train': `import { Flatten, Linear, ReLU, Sequential } from '@tensorloom/layers'
import { Adam, CrossEntropyLoss, Trainer, selectBackend } from '@tensorloom/train'
const model = new Sequential(new Flatten(), new Linear(784, 128), new ReLU(), new Linear(128, 10))
const optimizer = new Adam(model.parameters(), { lr: 1e-3 })
Object.assign(globalThis, { model, optimizer, CrossEntropyLoss, Trainer, selectBackend })
`,
}

interface ManifestChunk {
  file: string
  isEntry?: boolean
  imports?: string[]
  css?: string[]
}

const gz = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length

/** Minified bytes of each first load, for the log. */
const minified: Record<string, number> = {}

/** min+gzip of an entry's first load: its chunk, the chunks it imports statically, their CSS. */
function firstLoad(outDir: string, manifest: Record<string, ManifestChunk>, key: string): number {
  const files = new Set<string>()
  const visit = (k: string) => {
    const chunk = manifest[k]!
    if (files.has(chunk.file)) return
    files.add(chunk.file)
    for (const css of chunk.css ?? []) files.add(css)
    for (const dep of chunk.imports ?? []) visit(dep)
  }
  visit(key)
  let total = 0
  let min = 0
  for (const file of files) {
    const bytes = readFileSync(join(outDir, file))
    min += bytes.length
    total += gz(bytes)
  }
  minified[key] = min
  return total
}

let work = ''
const measured: Record<string, number> = {}

let nodeEnv: string | undefined

beforeAll(async () => {
  // Vitest runs with NODE_ENV=test, which would make Vite bundle React's development build.
  nodeEnv = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  work = mkdtempSync(join(tmpdir(), 'tensorloom-size-'))
  const build = spawnSync(
    'pnpm',
    ['exec', 'turbo', 'run', 'build', '--filter=./packages/*', '--output-logs=errors-only'],
    { cwd: root, encoding: 'utf8' },
  )
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`)
}, 15 * 60_000)

afterAll(() => {
  process.env.NODE_ENV = nodeEnv
  if (work) rmSync(work, { recursive: true, force: true })
  console.log(`min+gzip sizes (bytes): ${JSON.stringify(measured)}`)
  console.log(`minified sizes (bytes): ${JSON.stringify(minified)}`)
})

describe('reliability: bundle size budgets', () => {
  it('a Vite app of the packages stays under its min+gzip budget, entry point by entry point', async ({
    task,
  }) => {
    // A consumer project: node_modules links the built packages; no source condition anywhere.
    const app = join(work, 'app')
    mkdirSync(join(app, 'node_modules', '@tensorloom'), { recursive: true })
    for (const name of readdirSync(join(root, 'packages'))) {
      const manifest = JSON.parse(
        readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'),
      )
      if (manifest.name.startsWith('@tensorloom/')) {
        symlinkSync(join(root, 'packages', name), join(app, 'node_modules', manifest.name))
      }
    }
    const input: Record<string, string> = {}
    for (const [name, code] of Object.entries(ENTRIES)) {
      writeFileSync(
        join(app, `${name}.html`),
        `<script type="module" src="./${name}.js"></script>\n`,
      )
      writeFileSync(join(app, `${name}.js`), code)
      input[name] = join(app, `${name}.html`)
    }
    const outDir = join(app, 'dist')
    await build({
      root: app,
      configFile: false,
      logLevel: 'error',
      build: { outDir, manifest: true, rolldownOptions: { input } },
    })
    const manifest = JSON.parse(readFileSync(join(outDir, '.vite', 'manifest.json'), 'utf8'))
    for (const name of Object.keys(ENTRIES) as (keyof typeof ENTRIES)[]) {
      measured[name] = firstLoad(outDir, manifest, `${name}.html`)
    }
    for (const name of Object.keys(ENTRIES) as (keyof typeof ENTRIES)[]) {
      expect(measured[name], name).toBeLessThan(BUDGETS[name])
    }
    record(
      task,
      2,
      Object.keys(ENTRIES)
        .map(
          (n) =>
            `${n} ${(measured[n]! / 1000).toFixed(1)} kB (budget ${BUDGETS[n as keyof typeof BUDGETS] / 1000})`,
        )
        .join(', '),
    )
  })

  it("the studio's first load stays under its min+gzip budget", async ({ task }) => {
    const studio = join(root, 'apps', 'studio')
    const outDir = join(work, 'studio')
    await build({
      root: studio,
      configFile: join(studio, 'vite.config.ts'),
      logLevel: 'error',
      build: { outDir, manifest: true, emptyOutDir: true },
    })
    const manifest = JSON.parse(readFileSync(join(outDir, '.vite', 'manifest.json'), 'utf8'))
    measured['studio first load'] = firstLoad(outDir, manifest, 'index.html')
    expect(measured['studio first load']).toBeLessThan(BUDGETS['studio first load'])
    record(
      task,
      1,
      `${(measured['studio first load']! / 1000).toFixed(1)} kB (budget ${BUDGETS['studio first load'] / 1000})`,
    )
  })

  it('esbuild --bundle --minify of inferShapes and the templates from dist/ stays under 80 kB, with no zod', ({
    task,
  }) => {
    const dir = join(work, 'esbuild')
    mkdirSync(join(dir, 'node_modules', '@tensorloom'), { recursive: true })
    symlinkSync(join(root, 'packages', 'graph'), join(dir, 'node_modules', '@tensorloom', 'graph'))
    writeFileSync(
      join(dir, 'entry.js'),
      "export { inferShapes, templates } from '@tensorloom/graph'\n",
    )
    const esbuild = join(require.resolve('esbuild/package.json'), '..', 'bin', 'esbuild')
    const run = spawnSync(
      esbuild,
      [
        'entry.js',
        '--bundle',
        '--minify',
        '--format=esm',
        '--outfile=out.js',
        '--metafile=meta.json',
      ],
      { cwd: dir, encoding: 'utf8' },
    )
    expect(run.status, run.stderr).toBe(0)
    const size = readFileSync(join(dir, 'out.js')).length
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as {
      outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>
    }
    const shipped = Object.entries(Object.values(meta.outputs)[0]!.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([file]) => file)
    measured['esbuild graph (min)'] = size
    expect(shipped.filter((f) => f.includes('zod'))).toEqual([])
    expect(size).toBeLessThan(GRAPH_ESBUILD_LIMIT)
    record(task, 1, `${(size / 1000).toFixed(1)} kB minified (limit 80), no zod`)
  })
})
