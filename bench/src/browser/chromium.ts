import { type Browser, chromium, type Page } from '@playwright/test'
import { descendantCpuSeconds } from '../cpuTime'
import type { RunRequest, RunResult } from '../protocol'
import type { BenchPage, PageInfo } from './page'
import { bundlePage, startServer } from './server'

/** Debian's Chromium (no browser download); override with CHROMIUM_PATH. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** A backend configuration of the page. */
export interface PageConfig {
  /** Name in the results: `webgl`, `wasm`, `wasm-threads`. */
  name: string
  backend: 'webgl' | 'wasm'
  /** Serve cross-origin isolated (COOP/COEP), enabling SharedArrayBuffer and wasm threads. */
  isolated: boolean
  /** wasm threads (tfjs would pick 1 on a 2-core machine); null: tfjs' default. */
  threads: number | null
}

/** One page per backend configuration, in one headless Chromium. */
export class ChromiumBench {
  private constructor(
    private readonly browser: Browser,
    private readonly server: { url: string; close(): Promise<void> },
  ) {}

  static async launch(): Promise<ChromiumBench> {
    const server = await startServer(await bundlePage())
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--no-sandbox',
        '--use-angle=swiftshader',
        '--enable-unsafe-swiftshader',
        '--ignore-gpu-blocklist',
        '--disable-background-timer-throttling',
        '--disable-renderer-backgrounding',
      ],
    })
    return new ChromiumBench(browser, server)
  }

  /** Opens a page for `config` and selects its backend; throws when the backend is unavailable. */
  async open(config: PageConfig): Promise<{ page: Page; info: PageInfo }> {
    const page = await this.browser.newPage()
    await page.exposeFunction('benchCpuSeconds', () => descendantCpuSeconds())
    if (config.threads !== null) {
      // tfjs' threaded wasm module pre-spawns hardwareConcurrency / 2 workers (1 on 2 cores),
      // which caps the thread pool below what setThreadsCount asks for: report more cores.
      await page.addInitScript(
        `Object.defineProperty(navigator, 'hardwareConcurrency', { get: () => ${2 * config.threads} })`,
      )
    }
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${this.server.url}/${config.isolated ? 'iso' : 'plain'}/index.html`)
    await page
      .waitForFunction(() => 'bench' in globalThis, null, { timeout: 60_000 })
      .catch(() => {
        throw new Error(`the bench page did not load: ${errors.join('; ') || 'no error reported'}`)
      })
    const info = await page.evaluate(
      ({ backend, threads }) =>
        (globalThis as unknown as { bench: BenchPage }).bench.setup(backend, threads),
      { backend: config.backend, threads: config.threads },
    )
    return { page, info }
  }

  /** Runs one request in `page`. */
  static run(page: Page, request: RunRequest): Promise<RunResult> {
    return page.evaluate(
      (r) => (globalThis as unknown as { bench: BenchPage }).bench.run(r),
      request,
    )
  }

  async close(): Promise<void> {
    await this.browser.close()
    await this.server.close()
  }
}
