#!/usr/bin/env node
// The repository-level reliability suite, for CI (scripts/test-all.mjs) and by hand:
//
//   node scripts/reliability/consumer.mjs               everything
//   node scripts/reliability/consumer.mjs changesets    only the files matching a filter
//
// 1. type-checks scripts/reliability;
// 2. runs its vitest suite (scripts/reliability/*.test.ts): the packed packages installed with
//    npm in a fresh project outside the workspace (needs the npm registry), and the changesets
//    release flow (needs git). The JSON report goes to scripts/reliability/test-results/.
// Ends with one line `N passed, N failed, N skipped` and exits non-zero on any failure.
// TENSORLOOM_KEEP_CONSUMER=1 keeps the temporary consumer project for inspection.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

const here = new URL('.', import.meta.url).pathname
const root = join(here, '..', '..')
const require = createRequire(join(root, 'package.json'))
const results = join(here, 'test-results')
// Only this suite's report: long-run.json (scripts/reliability/long-run.mjs) stays.
rmSync(join(results, 'vitest.json'), { force: true })

let passed = 0
let failed = 0
let skipped = 0

console.log('=== type-check scripts/reliability')
const tsc = spawnSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', join(here, 'tsconfig.json')],
  { cwd: root, stdio: 'inherit' },
)
if (tsc.status === 0) passed++
else failed++

console.log('=== vitest --config scripts/reliability/vitest.config.ts')
const vitest = spawnSync(
  process.execPath,
  [
    join(require.resolve('vitest/package.json'), '..', 'vitest.mjs'),
    'run',
    '--config',
    join(here, 'vitest.config.ts'),
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } },
)
const report = join(results, 'vitest.json')
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, 'utf8'))
  passed += json.numPassedTests
  failed += json.numFailedTests
  skipped += json.numPendingTests + (json.numTodoTests ?? 0)
  // A file that failed to load counts no test but must still fail the run.
  if (vitest.status !== 0 && json.numFailedTests === 0) failed++
} else {
  failed++
}

console.log(`\nreliability (repository): ${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed > 0 ? 1 : 0)
