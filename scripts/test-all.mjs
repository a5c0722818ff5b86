#!/usr/bin/env node
// Runs every check CI runs, in order, and ends with one summary line of all tests counted.
// Suites that need Debian's chromium or PyTorch are skipped, saying so, when those are missing.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' }
const workspaces = ['packages', 'apps', 'examples'].flatMap((dir) =>
  existsSync(join(root, dir))
    ? readdirSync(join(root, dir)).map((name) => join(root, dir, name))
    : [],
)

for (const ws of workspaces) rmSync(join(ws, 'test-results'), { recursive: true, force: true })

function sh(cmd) {
  console.log(`\n=== ${cmd}`)
  return spawnSync(cmd, { cwd: root, env, stdio: 'inherit', shell: true }).status === 0
}

sh('bash scripts/system-deps.sh')
const hasTorch =
  spawnSync('/usr/bin/python3', ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status ===
  0
const chromium = env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const hasChromium = existsSync(chromium)

const steps = [
  ['lint', 'pnpm lint'],
  ['typecheck', 'pnpm typecheck'],
  ['unit tests', 'pnpm test'],
  ['build + publish checks', 'pnpm check:publish'],
  ['changesets', 'pnpm changeset status'],
  ['packages a stranger can install', 'node scripts/reliability/consumer.mjs'],
  ['long run (20 epochs, flat memory)', 'node scripts/reliability/long-run.mjs --epochs 20'],
  hasTorch
    ? ['PyTorch interop', 'pnpm test:interop']
    : ['PyTorch interop', null, 'no /usr/bin/python3 with torch'],
  hasChromium ? ['browser e2e', 'pnpm e2e'] : ['browser e2e', null, `no Chromium at ${chromium}`],
  // After the e2e: it publishes the network the studio's e2e exported (or makes one without it).
  ['packages from a local registry (Verdaccio)', 'node scripts/reliability/registry.mjs'],
]

const results = []
for (const [name, cmd, why] of steps) {
  if (!cmd) {
    console.log(`\n=== SKIPPED ${name}: ${why}`)
    results.push([name, 'skipped'])
    continue
  }
  results.push([name, sh(cmd) ? 'ok' : 'FAILED'])
}

results.push(['RELIABILITY.md', sh('node scripts/reliability/report.mjs') ? 'ok' : 'FAILED'])

let passed = 0
let failed = 0
let skipped = 0
for (const ws of workspaces) {
  const dir = join(ws, 'test-results')
  if (!existsSync(dir)) continue
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const report = JSON.parse(readFileSync(join(dir, file), 'utf8'))
    if (typeof report.numPassedTests === 'number') {
      passed += report.numPassedTests
      failed += report.numFailedTests
      skipped += report.numPendingTests + (report.numTodoTests ?? 0)
    } else if (report.stats) {
      passed += report.stats.expected + (report.stats.flaky ?? 0)
      failed += report.stats.unexpected
      skipped += report.stats.skipped
    }
  }
}

console.log('\n=== Summary')
for (const [name, status] of results) console.log(`${status.padEnd(8)} ${name}`)
const bad = results.some(([, status]) => status === 'FAILED')
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(bad || failed > 0 ? 1 : 0)
