import { execFileSync } from 'node:child_process'
import { defineConfig } from '@playwright/test'

/**
 * A free localhost port, picked once by the runner; workers re-read this config, so the choice is
 * passed to them through the environment.
 */
function freePort(): number {
  const script =
    "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})"
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }))
}

process.env.STUDIO_E2E_PORT ??= String(freePort())
const port = Number(process.env.STUDIO_E2E_PORT)
const baseURL = `http://127.0.0.1:${port}`
// `STUDIO_E2E_SERVER=dev` runs against the dev server instead of a production build.
const dev = process.env.STUDIO_E2E_SERVER === 'dev'
// Separate build and results folders let two e2e runs share a checkout (e.g. `STUDIO_E2E_DIR=a`).
const suffix = process.env.STUDIO_E2E_DIR ? `-${process.env.STUDIO_E2E_DIR}` : ''
const outDir = `dist${suffix}`
const resultsDir = `test-results${suffix}`

export default defineConfig({
  testDir: './e2e',
  outputDir: `./${resultsDir}/e2e-artifacts`,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json', { outputFile: `${resultsDir}/e2e.json` }]],
  use: {
    baseURL,
    viewport: { width: 1440, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--use-angle=swiftshader',
        '--enable-unsafe-swiftshader',
        '--ignore-gpu-blocklist',
      ],
    },
  },
  webServer: {
    command: dev
      ? `pnpm exec vite --host 127.0.0.1 --port ${port} --strictPort`
      : `pnpm exec vite build --logLevel warn --outDir ${outDir} && pnpm exec vite preview --host 127.0.0.1 --port ${port} --strictPort --outDir ${outDir}`,
    url: baseURL,
    reuseExistingServer: false,
    timeout: 240_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
})
