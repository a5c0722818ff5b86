#!/usr/bin/env node
// The 20-epoch long-run leak check (too slow for the unit suite: ~10 s per epoch on wasm):
// trains the lesson's network on all of MNIST in Node on the wasm backend, printing
// tf.memory().numTensors and RSS after every epoch, and exits 1 when numTensors is not exactly
// flat or RSS grows by more than the tolerance after epoch 2.
//
//   node scripts/reliability/long-run.mjs [--epochs 20] [--backend wasm|cpu] [--limit N]
//                                         [--rss-tolerance 64]
//
// The work is done by packages/train/test/longRun.ts (also behind the 3-epoch CI variant,
// packages/train/test/longRun.test.ts), run with --expose-gc and tsx on the sources. The result is
// also written to scripts/reliability/test-results/long-run.json for RELIABILITY.md.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const root = join(new URL('.', import.meta.url).pathname, '..', '..')
const require = createRequire(join(root, 'package.json'))
const tsx = pathToFileURL(require.resolve('tsx')).href
const script = join(root, 'packages', 'train', 'test', 'longRun.ts')
const args = process.argv.slice(2)
if (!args.includes('--epochs')) args.push('--epochs', '20')
// Recorded for RELIABILITY.md (scripts/reliability/report.mjs reads test-results/*.json).
if (!args.includes('--json')) {
  args.push('--json', join(root, 'scripts', 'reliability', 'test-results', 'long-run.json'))
}

const result = spawnSync(
  process.execPath,
  ['--expose-gc', '--conditions=@tensorloom/source', '--import', tsx, script, ...args],
  { cwd: join(root, 'packages', 'train'), stdio: 'inherit' },
)
process.exit(result.status ?? 1)
