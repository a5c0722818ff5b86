// The shared state of one `pnpm bench` run: its options, paths, the results being filled in, the
// log, and the helpers every section uses to start workers and compare engines.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import {
  alternate as alternateIn,
  compare as compareIn,
  type SuiteContext,
  target as targetIn,
} from './alternation'
import { LineWorker } from './LineWorker'
import type { EngineName } from './protocol'
import { type Comparison, type SuiteResults, suiteConfig } from './suite'

/** The command-line options. */
export const { values: args } = parseArgs({
  // `pnpm bench -- --quick` passes the `--` through (pnpm 12).
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    skip: { type: 'string', default: '' },
    strict: { type: 'boolean', default: false },
    ablation: { type: 'boolean', default: false },
    pages: { type: 'string', default: '' },
  },
})
/** Rounds, batch sizes and steps for this run (`--quick`, `--rounds`). */
export const config = suiteConfig(args.quick!, args.rounds ? Number(args.rounds) : undefined)
/** Sections and engines left out (`--skip`). */
export const skip = new Set(args.skip!.split(',').filter(Boolean))
/** This folder (bench/src). */
export const here = dirname(fileURLToPath(import.meta.url))
/** The bench package. */
export const benchDir = join(here, '..')
/** The repository root. */
export const repoDir = join(benchDir, '..')
const require = createRequire(import.meta.url)
/** tsx's CLI, to run TypeScript workers and scripts with Node. */
export const tsxCli = require.resolve('tsx/cli')
/** The Python that runs the PyTorch worker (`TENSORLOOM_PYTHON`). */
export const python = process.env.TENSORLOOM_PYTHON ?? '/usr/bin/python3'
/** When the run started (for the log and the total time). */
export const started = performance.now()

/** Everything measured, written to bench/results at the end. */
export const results: SuiteResults = {
  date: new Date().toISOString().slice(0, 10),
  quick: config.quick,
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: { start: os.loadavg(), end: [] },
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  },
  versions: { tfjs: require('@tensorflow/tfjs-core/package.json').version as string },
  measurements: [],
  comparisons: [],
  targets: [],
  parity: [],
  accuracy: null,
  profiles: {},
  inferShapes: null,
  studio: null,
  notes: [],
  seconds: 0,
}

/** Prints a line with the seconds since the start. */
export function log(message: string): void {
  const t = ((performance.now() - started) / 1000).toFixed(0).padStart(4)
  process.stdout.write(`[${t} s] ${message}\n`)
}

/** A Node worker (src/node/worker.ts) running one engine on one tfjs backend. */
export function nodeWorker(backend: string, engine: EngineName): LineWorker {
  return new LineWorker(
    `node ${backend} ${engine}`,
    process.execPath,
    [tsxCli, '--conditions=@tensorloom/source', join(here, 'node/worker.ts'), backend, engine],
    benchDir,
  )
}

/** What alternation.ts needs from the run. */
export const ctx: SuiteContext = { results, rounds: config.rounds, log }
/** {@link alternateIn} within this run. */
export const alternate = (
  ...args: Parameters<typeof alternateIn> extends [unknown, ...infer R] ? R : never
) => alternateIn(ctx, ...args)
/** {@link compareIn} within this run. */
export const compare = (
  ...args: Parameters<typeof compareIn> extends [unknown, ...infer R] ? R : never
) => compareIn(ctx, ...args)
/** {@link targetIn} within this run. */
export const target = (
  ...args: Parameters<typeof targetIn> extends [unknown, ...infer R] ? R : never
) => targetIn(ctx, ...args)

/** Runs `body` once `worker` is ready, and closes the worker after. */
export async function withWorker<T>(worker: LineWorker, body: () => Promise<T>): Promise<T> {
  try {
    await worker.ready()
    return await body()
  } finally {
    await worker.close()
  }
}

/** The comparisons that targets 1a to 1c judge, filled in by the sections. */
export const ratioTargets: {
  node: Comparison | null
  chromiumWasm: Comparison | null
  webgl: Comparison | null
} = {
  node: null,
  chromiumWasm: null,
  webgl: null,
}
/** Target 2: Tensorloom's epoch time over PyTorch's DataLoader pipeline's, filled in by nodeSection. */
export const torchTarget = {
  pipeline: null as number | null,
  detail: 'PyTorch not available',
}

/** Whether PyTorch and torchvision import (and not `--skip torch`); notes its version. */
export function torchAvailable(): boolean {
  if (skip.has('torch')) return false
  const probe = spawnSync(python, ['-c', 'import torch, torchvision; print(torch.__version__)'], {
    encoding: 'utf8',
  })
  if (probe.status !== 0) {
    results.notes.push(`PyTorch skipped: \`${python} -c 'import torch, torchvision'\` failed.`)
    return false
  }
  results.versions.torch = probe.stdout.trim()
  return true
}
