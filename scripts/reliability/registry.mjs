#!/usr/bin/env node
// The registry test (scripts/reliability/registry.test.ts), for CI (scripts/test-all.mjs runs it
// after the studio's e2e, whose exported package it publishes) and by hand:
//
//   node scripts/reliability/registry.mjs
//
// Starts Verdaccio on loopback, publishes every package with `pnpm release`, installs them in
// fresh projects and runs them. Needs the npm registry (Verdaccio proxies the public packages).
// The JSON report goes to scripts/reliability/test-results/registry.json. Ends with one line
// `N passed, N failed, N skipped` and exits non-zero on any failure.
// TENSORLOOM_KEEP_REGISTRY=1 keeps the temporary folders for inspection.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

const here = new URL('.', import.meta.url).pathname
const root = join(here, '..', '..')
const require = createRequire(join(root, 'package.json'))
const report = join(here, 'test-results', 'registry.json')
rmSync(report, { force: true })

const vitest = spawnSync(
  process.execPath,
  [
    join(require.resolve('vitest/package.json'), '..', 'vitest.mjs'),
    'run',
    '--config',
    join(here, 'vitest.registry.config.ts'),
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } },
)
let passed = 0
let failed = 0
let skipped = 0
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, 'utf8'))
  passed = json.numPassedTests
  failed = json.numFailedTests
  skipped = json.numPendingTests + (json.numTodoTests ?? 0)
  if (vitest.status !== 0 && failed === 0) failed++
} else {
  failed++
}
console.log(`\nregistry: ${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed > 0 ? 1 : 0)
