import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { chromium, type Page } from '@playwright/test'
import { chromiumPath } from './chromium'
import {
  MAIN_THREAD_TRACE_CATEGORIES,
  type MainThreadReport,
  type MainThreadTasks,
  mainThreadTasks,
  measureMainThread,
  type TraceEvent,
} from './mainThread'

/** What target 4 is measured from: the studio's main thread while a real training run is live. */
export interface StudioMeasurement extends MainThreadReport {
  /** The backend the studio trained on. */
  backend: string
  /** Batches trained while the main thread was watched. */
  batches: number
  /** Seconds watched. */
  seconds: number
  /** The main thread's tasks over the same time, from a Chromium trace: wall clock and CPU. */
  tasks: MainThreadTasks
}

export interface StudioOptions {
  /** The repository root (the studio is `apps/studio`). */
  repoDir: string
  /** Batches to watch once training runs (after the backend's start-up). */
  batches: number
  /** Give up watching after this many seconds even if fewer batches ran. */
  maxSeconds: number
  log: (message: string) => void
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.once('error', reject)
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${args.join(' ')} exited with ${code}: ${stderr.trim().slice(-300)}`)),
    )
  })
}

async function waitForServer(url: string, server: ChildProcess, seconds: number): Promise<void> {
  const until = Date.now() + seconds * 1000
  while (Date.now() < until) {
    if (server.exitCode !== null) throw new Error(`vite preview exited with ${server.exitCode}`)
    try {
      if ((await fetch(url)).ok) return
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`vite preview did not answer at ${url} within ${seconds} s`)
}

const globalStep = async (page: Page) =>
  Number((await page.getByTestId('global-step').textContent()) ?? '0')

/**
 * Builds the studio (`vite build` into a temporary folder), serves it with `vite preview` (COOP,
 * COEP and the CSP, as users get it), opens it in headless Chromium, starts training the lesson
 * and, once batches are being trained, watches the page's main thread (long tasks and animation
 * frames) for `batches` batches.
 */
export async function measureStudio(options: StudioOptions): Promise<StudioMeasurement> {
  const studioDir = join(options.repoDir, 'apps', 'studio')
  const vitePkg = createRequire(join(studioDir, 'package.json')).resolve('vite/package.json')
  const viteBin = join(
    dirname(vitePkg),
    (JSON.parse(readFileSync(vitePkg, 'utf8')) as { bin: { vite: string } }).bin.vite,
  )
  const outDir = join(tmpdir(), `tensorloom-bench-studio-${process.pid}`)
  options.log('  building the studio (vite build)')
  await run(
    process.execPath,
    [viteBin, 'build', '--logLevel', 'warn', '--outDir', outDir, '--emptyOutDir'],
    studioDir,
  )
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const server = spawn(
    process.execPath,
    [viteBin, 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'].concat([
      '--outDir',
      outDir,
    ]),
    { cwd: studioDir, stdio: 'ignore' },
  )
  const browser = await chromium
    .launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
    })
    .catch((error: unknown) => {
      server.kill()
      throw error
    })
  try {
    await waitForServer(url, server, 60)
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    // Long enough to stay live while watched; the run is closed with the page.
    await page.goto(`${url}/?maxSteps=100000`)
    await page.evaluate(() => localStorage.clear())
    await page.goto(`${url}/?maxSteps=100000`)
    await page.getByTestId('block-Flatten').waitFor({ timeout: 60_000 })
    await page.getByTestId('tab-train').click()
    await page.getByTestId('train-start').click()
    options.log('  training in the studio; waiting for the first batches (shaders, MNIST)')
    await page.getByTestId('global-step').waitFor({ timeout: 180_000 })
    const backend = (await page.getByTestId('backend').textContent()) ?? 'unknown'
    const from = await globalStep(page)
    const start = performance.now()
    await browser.startTracing(page, { categories: MAIN_THREAD_TRACE_CATEGORIES })
    const report = await measureMainThread(page, async () => {
      while ((await globalStep(page)) < from + options.batches) {
        if (performance.now() - start > options.maxSeconds * 1000) break
        await page.waitForTimeout(250)
      }
    })
    const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as {
      traceEvents: TraceEvent[]
    }
    const batches = (await globalStep(page)) - from
    if (errors.length > 0) throw new Error(`the studio reported errors: ${errors.join('; ')}`)
    return {
      ...report,
      backend,
      batches,
      seconds: (performance.now() - start) / 1000,
      tasks: mainThreadTasks(trace.traceEvents),
    }
  } finally {
    await browser.close()
    server.kill()
    rmSync(outDir, { recursive: true, force: true })
  }
}
