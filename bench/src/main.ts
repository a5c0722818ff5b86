// `pnpm bench`: Tensorloom's training loop against plain tfjs and PyTorch on this machine, for the
// lesson's network (784-128-10, Adam 1e-3) on real MNIST. Every figure that matters is a ratio
// between engines alternated in the same run. See README.md.
//
// Options: --quick (a few minutes less: shorter runs, one round, batch 64 only), --rounds N,
// --skip node,cpu,browser,torch,shapes,studio,profile,accuracy,networks, --strict (exit 1 when a target fails),
// --ablation (also: what each technique of the fast path brings, Node wasm and Chromium webgl),
// --pages webgl,wasm,wasm-threads (only these Chromium configurations).
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { measureStudio } from './browser/studio'
import { ablationSection, browserSection } from './browserSections'
import { renderChart } from './chart'
import { networkTargets } from './networks'
import { mnistDir } from './node/lesson'
import { cpuSection, networksNodeSection, nodeSection } from './nodeSections'
import type { Measurement } from './protocol'
import { renderMarkdown } from './report'
import {
  args,
  benchDir,
  config,
  ctx,
  log,
  ratioTargets,
  repoDir,
  results,
  skip,
  started,
  target,
  torchTarget,
  tsxCli,
} from './run'
import type { Comparison } from './suite'

// ---------------------------------------------------------------------------------------------
// inferShapes timings from packages/graph's own bench, when it exists.

function shapesSection(): void {
  const script = join(repoDir, 'packages/graph/bench/inferShapes.bench.ts')
  const out = spawnSync(process.execPath, [tsxCli, '--conditions=@tensorloom/source', script], {
    cwd: join(repoDir, 'packages/graph'),
    encoding: 'utf8',
    timeout: 120_000,
  })
  if (out.error || (out.status !== 0 && !out.stdout)) {
    results.notes.push(
      `inferShapes bench not run: ${out.error?.message ?? out.stderr.trim().slice(0, 200)}`,
    )
    return
  }
  results.inferShapes = out.stdout.trim().split('\n')
  for (const line of results.inferShapes) log(`  ${line}`)
}

/** Target 4: the built studio's main thread while it trains (about a minute, build included). */
async function studioSection(): Promise<void> {
  log('Studio: main thread during training')
  results.studio = await measureStudio({ repoDir, batches: 60, maxSeconds: 40, log })
  const s = results.studio
  log(
    `  longest task ${s.tasks.longestCpuMs.toFixed(1)} ms CPU / ${Math.round(s.longestTaskMs)} ms wall, ${s.longTasks} long task(s), ${s.droppedFrames}/${s.frames} frames dropped over ${s.batches} batches on ${s.backend}`,
  )
}

// ---------------------------------------------------------------------------------------------

async function section(name: string, body: () => Promise<void> | void): Promise<void> {
  if (skip.has(name)) return
  try {
    await body()
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    results.notes.push(`Section ${name} failed: ${message.slice(0, 300)}`)
    log(`section ${name} failed: ${message}`)
  }
}

log(
  `Tensorloom bench${config.quick ? ' (quick)' : ''}: ${config.rounds} round(s); MNIST from ${mnistDir}`,
)
await section('node', nodeSection)
await section('networks', networksNodeSection)
await section('cpu', cpuSection)
await section('browser', browserSection)
await section('shapes', shapesSection)
await section('studio', studioSection)
if (args.ablation) await section('ablation', ablationSection)

const ratioDetail = (c: Comparison | null) =>
  c
    ? `${c.ratio.toFixed(2)}× samples/s of model.fit (median of ${config.rounds} alternated round(s)${c.cpuRatio ? `; CPU-time ratio ${c.cpuRatio.toFixed(2)}×` : ''}${c.extrapolated ? '; fixed number of batches' : ''})`
    : 'not measured'
target(
  '1a',
  'Node wasm: Tensorloom >= 3x plain tfjs model.fit',
  ratioTargets.node?.ratio ?? null,
  3,
  (v) => v >= 3,
  ratioDetail(ratioTargets.node),
)
target(
  '1b',
  'Chromium wasm: Tensorloom >= 3x plain tfjs model.fit',
  ratioTargets.chromiumWasm?.ratio ?? null,
  3,
  (v) => v >= 3,
  ratioDetail(ratioTargets.chromiumWasm),
)
target(
  '1c',
  'Chromium webgl: Tensorloom >= 3x plain tfjs model.fit',
  ratioTargets.webgl?.ratio ?? null,
  3,
  (v) => v >= 3,
  ratioDetail(ratioTargets.webgl),
)
target(
  '2',
  'Node wasm epoch time / PyTorch DataLoader pipeline epoch time <= 1.0',
  torchTarget.pipeline,
  1,
  (v) => v <= 1,
  `${torchTarget.pipeline?.toFixed(2) ?? '–'}: ${torchTarget.detail}`,
)
const acc = results.accuracy
const gap =
  acc?.fast != null && acc.reference != null ? Math.abs(acc.fast - acc.reference) * 100 : null
target(
  '3',
  'test accuracy of the fast path within 0.3 points of the reference path',
  gap,
  0.3,
  (v) => v <= 0.3,
  acc
    ? `fast ${((acc.fast ?? 0) * 100).toFixed(2)}%, reference ${((acc.reference ?? 0) * 100).toFixed(2)}% after ${acc.steps === 'epoch' ? 'one epoch' : `${acc.steps} batches`}, same seed: ${gap?.toFixed(2)} points`
    : 'not measured',
)
const parityWorst =
  results.parity.length > 0 ? Math.max(...results.parity.map((p) => p.worstRelative)) : null
target(
  '3b',
  'per-step losses of the fast path within 1e-4 (relative) of the reference path',
  parityWorst,
  1e-4,
  (v) => v <= 1e-4,
  results.parity.map((p) => `${p.backend} ${p.worstRelative.toExponential(1)}`).join(', ') ||
    'not measured',
)
const studio = results.studio ?? null
// The page's own work is the main thread's CPU time per task; by the clock, tasks also include
// waiting for a core, which on a shared machine is the machine's doing (both are reported).
target(
  '4',
  'studio main thread never blocks > 50 ms during training',
  studio ? studio.tasks.longestCpuMs : null,
  50,
  (v) => v < 50,
  studio
    ? `longest main-thread task ${studio.tasks.longestCpuMs.toFixed(1)} ms of CPU time (${studio.tasks.tasks} tasks, ${Math.round(studio.tasks.cpuMs)} ms CPU in all); by the clock: longest task ${Math.round(studio.longestTaskMs)} ms, ${studio.longTasks} long task(s)${studio.tasks.long.length > 0 ? ` (wall/CPU ms: ${studio.tasks.long.map((t) => `${Math.round(t.wallMs)}/${t.cpuMs.toFixed(0)}`).join(', ')})` : ''}, ${studio.droppedFrames} of ${studio.frames} frames over 33 ms (longest gap ${Math.round(studio.longestFrameGapMs)} ms); over ${studio.batches} batches (${studio.seconds.toFixed(1)} s) of training on ${studio.backend} in the built studio, load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`
    : 'not measured (--skip studio)',
)

if (!skip.has('networks')) networkTargets(ctx)

results.machine.loadAverage.end = os.loadavg()
results.seconds = (performance.now() - started) / 1000
// A full run is the day's record; quick, partial and ablation runs get their own files.
const suffix = [
  config.quick && 'quick',
  (skip.size > 0 || args.pages) && 'partial',
  args.pages?.replaceAll(',', '-'),
  args.ablation && 'ablation',
]
const name = [results.date, ...suffix.filter(Boolean)].join('-')
mkdirSync(join(benchDir, 'results'), { recursive: true })
writeFileSync(join(benchDir, 'results', `${name}.json`), `${JSON.stringify(results, null, 1)}\n`)
const markdown = renderMarkdown(results)
writeFileSync(join(benchDir, 'results', `${name}.md`), markdown)
writeFileSync(join(benchDir, 'results', `${name}.svg`), renderChart(results))
process.stdout.write(`\n${markdown}\n`)
log(`wrote bench/results/${name}.json, .md and .svg`)
const failed = results.targets.some((t) => t.status === 'FAIL')
process.exit(args.strict && failed ? 1 : 0)

export type { Measurement }
