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
import { createRequire } from 'node:module'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import {
  alternate as alternateIn,
  compare as compareIn,
  describeRun,
  type Runner,
  type SuiteContext,
  target as targetIn,
  worstRelative,
} from './alternation'
import { ChromiumBench, type PageConfig } from './browser/chromium'
import { measureStudio } from './browser/studio'
import { renderChart } from './chart'
import { LineWorker } from './LineWorker'
import { networkBrowserRuns, networkNodeSection, networkTargets } from './networks'
import { mnistDir } from './node/lesson'
import type { StepProfile } from './profile'
import type { EngineName, Measurement, Platform, RunRequest, RunResult } from './protocol'
import { renderMarkdown } from './report'
import { median, summarize } from './stats'
import { type Comparison, type SuiteResults, suiteConfig } from './suite'

const { values: args } = parseArgs({
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
const config = suiteConfig(args.quick!, args.rounds ? Number(args.rounds) : undefined)
const skip = new Set(args.skip!.split(',').filter(Boolean))
const here = dirname(fileURLToPath(import.meta.url))
const benchDir = join(here, '..')
const repoDir = join(benchDir, '..')
const require = createRequire(import.meta.url)
const tsxCli = require.resolve('tsx/cli')
const python = process.env.TENSORLOOM_PYTHON ?? '/usr/bin/python3'
const started = performance.now()

const results: SuiteResults = {
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

function log(message: string): void {
  const t = ((performance.now() - started) / 1000).toFixed(0).padStart(4)
  process.stdout.write(`[${t} s] ${message}\n`)
}

function nodeWorker(backend: string, engine: EngineName): LineWorker {
  return new LineWorker(
    `node ${backend} ${engine}`,
    process.execPath,
    [tsxCli, '--conditions=@tensorloom/source', join(here, 'node/worker.ts'), backend, engine],
    benchDir,
  )
}

const ctx: SuiteContext = { results, rounds: config.rounds, log }
const alternate = (
  ...args: Parameters<typeof alternateIn> extends [unknown, ...infer R] ? R : never
) => alternateIn(ctx, ...args)
const compare = (...args: Parameters<typeof compareIn> extends [unknown, ...infer R] ? R : never) =>
  compareIn(ctx, ...args)
const target = (...args: Parameters<typeof targetIn> extends [unknown, ...infer R] ? R : never) =>
  targetIn(ctx, ...args)

async function withWorker<T>(worker: LineWorker, body: () => Promise<T>): Promise<T> {
  try {
    await worker.ready()
    return await body()
  } finally {
    await worker.close()
  }
}

// ---------------------------------------------------------------------------------------------
// Node (wasm) against PyTorch on the same machine.

const ratioTargets: {
  node: Comparison | null
  chromiumWasm: Comparison | null
  webgl: Comparison | null
} = {
  node: null,
  chromiumWasm: null,
  webgl: null,
}
let torchPipeline = null as number | null
let torchDetail = 'PyTorch not available'

function torchAvailable(): boolean {
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

async function nodeSection(): Promise<void> {
  const tl = nodeWorker('wasm', 'tensorloom')
  const fit = nodeWorker('wasm', 'tfjs-fit')
  const torch = torchAvailable()
    ? new LineWorker('torch', python, [join(here, 'torch/worker.py'), mnistDir], benchDir)
    : null
  try {
    await Promise.all([tl.ready(), fit.ready()])
    if (torch) {
      const info = await torch.ready()
      results.notes.push(
        `PyTorch ${String(info.torch)} ran with ${String(info.threads)} thread(s).`,
      )
    }
    const runner = (
      worker: LineWorker,
      platform: Platform,
      backend: string,
      engine: EngineName,
    ): Runner => ({ platform, backend, engine, run: (r) => worker.request<RunResult>(r) })
    const runners: Runner[] = [
      runner(tl, 'node', 'wasm', 'tensorloom'),
      runner(fit, 'node', 'wasm', 'tfjs-fit'),
    ]
    if (torch) {
      runners.push(runner(torch, 'python', 'torch', 'torch-pipeline'))
      runners.push(runner(torch, 'python', 'torch', 'torch-resident'))
    }
    const parity = await tl.request<{ reference: number[]; fast: number[] }>({
      parity: config.paritySteps,
    })
    results.parity.push({
      backend: 'node wasm',
      worstRelative: worstRelative(parity.reference, parity.fast),
      steps: config.paritySteps,
    })
    for (const batchSize of config.batchSizes) {
      log(`Node wasm${torch ? ' and PyTorch' : ''}, batch ${batchSize}: warm-up`)
      for (const r of runners) await r.run({ engine: r.engine, batchSize, seed: 99, steps: 10 })
      const steps = config.nodeSteps[batchSize]
      const runs = await alternate(runners, batchSize, steps ? { steps } : {}, batchSize === 64)
      const [tlRuns, fitRuns, pipeRuns, residentRuns] = runners.map((r) => runs.get(r)!)
      const vsFit = compare(
        'node',
        'wasm',
        batchSize,
        ['tensorloom', tlRuns!],
        ['tfjs-fit', fitRuns!],
      )
      if (batchSize === 64) ratioTargets.node = vsFit
      if (pipeRuns && residentRuns) {
        const vsPipe = compare(
          'node',
          'wasm vs torch',
          batchSize,
          ['tensorloom', tlRuns!],
          ['torch-pipeline', pipeRuns],
        )
        compare(
          'node',
          'wasm vs torch',
          batchSize,
          ['tensorloom', tlRuns!],
          ['torch-resident', residentRuns],
        )
        if (batchSize === 64) {
          torchPipeline = 1 / vsPipe.ratio
          torchDetail = `Tensorloom ${median(tlRuns!.map((r) => (r.seconds * 60_000) / r.samples)).toFixed(2)} s/epoch vs PyTorch DataLoader pipeline ${median(pipeRuns.map((r) => (r.seconds * 60_000) / r.samples)).toFixed(2)} s/epoch (medians; ratio = median of per-round ratios${vsPipe.cpuRatio ? `; CPU-time ratio ${(1 / vsPipe.cpuRatio).toFixed(2)}` : ''})`
        }
      }
    }
    // Accuracy: the fast path against the reference path, same seed, same batches.
    if (!skip.has('accuracy')) {
      log('Node wasm: reference path for the accuracy check')
      const steps = config.accuracySteps
      const reference = await tl.request<RunResult>({
        engine: 'tensorloom-reference',
        batchSize: 64,
        seed: 0,
        evaluate: true,
        ...(steps ? { steps } : {}),
      })
      log(`  node wasm tensorloom-reference b64: ${describeRun(reference)}`)
      results.measurements.push(summarize('node', 'wasm', 'tensorloom-reference', 64, [reference]))
      const fastRun = results.measurements.find(
        (m) => m.platform === 'node' && m.engine === 'tensorloom' && m.batchSize === 64,
      )
      results.accuracy = {
        fast: fastRun?.testAccuracy ?? null,
        reference: reference.testAccuracy,
        steps: steps ?? 'epoch',
      }
    }
    if (!skip.has('profile')) {
      log('Node wasm: tf.profile of one step per engine')
      for (const engine of ['tensorloom', 'tensorloom-reference'] as const) {
        results.profiles[`node wasm ${engine}`] = await tl.request<StepProfile>({ profile: engine })
      }
      results.profiles['node wasm tfjs-fit'] = await fit.request<StepProfile>({
        profile: 'tfjs-fit',
      })
    }
  } finally {
    await Promise.all([tl.close(), fit.close(), torch?.close()])
  }
}

// ---------------------------------------------------------------------------------------------
// Networks (src/networks.ts): residualMlp, smallCnn, smallResNet on Node wasm against model.fit
// and PyTorch; their Chromium rows run in the browser section.

async function networksNodeSection(): Promise<void> {
  const tl = nodeWorker('wasm', 'tensorloom')
  const fit = nodeWorker('wasm', 'tfjs-fit')
  const torch = torchAvailable()
    ? new LineWorker('torch', python, [join(here, 'torch/worker.py'), mnistDir], benchDir)
    : null
  try {
    await Promise.all([tl.ready(), fit.ready(), torch?.ready()])
    await networkNodeSection(
      ctx,
      config,
      { tensorloom: tl, fit, torch },
      { accuracy: !skip.has('accuracy') },
    )
  } finally {
    await Promise.all([tl.close(), fit.close(), torch?.close()])
  }
}

// ---------------------------------------------------------------------------------------------
// Node cpu (pure JavaScript): short runs, extrapolated.

async function cpuSection(): Promise<void> {
  const tl = nodeWorker('cpu', 'tensorloom')
  const fit = nodeWorker('cpu', 'tfjs-fit')
  await withWorker(tl, () =>
    withWorker(fit, async () => {
      const parity = await tl.request<{ reference: number[]; fast: number[] }>({
        parity: config.paritySteps,
      })
      results.parity.push({
        backend: 'node cpu',
        worstRelative: worstRelative(parity.reference, parity.fast),
        steps: config.paritySteps,
      })
      const runners: Runner[] = [
        { platform: 'node', backend: 'cpu', engine: 'tensorloom', run: (r) => tl.request(r) },
        { platform: 'node', backend: 'cpu', engine: 'tfjs-fit', run: (r) => fit.request(r) },
      ]
      log(`Node cpu, batch 64 (${config.cpuSteps} batches per run, extrapolated): warm-up`)
      for (const r of runners) await r.run({ engine: r.engine, batchSize: 64, seed: 99, steps: 3 })
      const runs = await alternate(runners, 64, { steps: config.cpuSteps })
      compare(
        'node',
        'cpu',
        64,
        ['tensorloom', runs.get(runners[0]!)!],
        ['tfjs-fit', runs.get(runners[1]!)!],
      )
    }),
  )
}

// ---------------------------------------------------------------------------------------------
// Headless Chromium: webgl (SwiftShader), wasm, wasm with threads (cross-origin isolated).

const PAGES: PageConfig[] = [
  { name: 'webgl', backend: 'webgl', isolated: false, threads: null },
  { name: 'wasm', backend: 'wasm', isolated: false, threads: null },
  { name: 'wasm-threads', backend: 'wasm', isolated: true, threads: 2 },
]

async function browserSection(): Promise<void> {
  const browser = await ChromiumBench.launch()
  try {
    // --pages webgl,wasm,wasm-threads: only these Chromium configurations (default: all).
    const only = new Set(args.pages!.split(',').filter(Boolean))
    for (const config_ of PAGES.filter((p) => only.size === 0 || only.has(p.name))) {
      const { page, info } = await browser.open(config_)
      try {
        results.notes.push(
          `Chromium ${config_.name}: backend ${info.backend}${info.threads !== null ? `, ${info.threads} wasm thread(s)` : ''}, cross-origin isolated: ${info.crossOriginIsolated}.`,
        )
        results.versions.chromium ??= /Chrome\/([\d.]+)/.exec(info.userAgent)?.[1] ?? 'unknown'
        if (config_.name !== 'wasm-threads') {
          const parity = (await page.evaluate(`bench.parity(${config.paritySteps})`)) as {
            reference: number[]
            fast: number[]
          }
          results.parity.push({
            backend: `chromium ${config_.name}`,
            worstRelative: worstRelative(parity.reference, parity.fast),
            steps: config.paritySteps,
          })
        }
        const steps = config.browserSteps[config_.name]!
        const warmupSteps = config.browserWarmup[config_.name]!
        const runners: Runner[] = (['tensorloom', 'tfjs-fit'] as const).map((engine) => ({
          platform: 'chromium' as const,
          backend: config_.name,
          engine,
          run: (r: RunRequest) => ChromiumBench.run(page, r),
        }))
        log(
          `Chromium ${config_.name}, batch 64 (${steps} batches per run after ${warmupSteps} warm-up): warm-up`,
        )
        // More than 20 batches: the Trainer reads 20 steps' results at once, and on webgl the
        // program stacking them compiles on first use (it used to land in the first timed run).
        for (const r of runners) {
          await r.run({ engine: r.engine, batchSize: 64, seed: 99, steps: 25, warmupSteps: 2 })
        }
        const runs = await alternate(runners, 64, { steps, warmupSteps })
        const c = compare(
          'chromium',
          config_.name,
          64,
          ['tensorloom', runs.get(runners[0]!)!],
          ['tfjs-fit', runs.get(runners[1]!)!],
        )
        if (config_.name === 'webgl') ratioTargets.webgl = c
        if (config_.name === 'wasm') ratioTargets.chromiumWasm = c
        if (config_.name === 'wasm' && !skip.has('networks')) {
          await networkBrowserRuns(ctx, config, page, config_.name)
        }
        if (config_.name === 'webgl' && !skip.has('profile')) {
          results.profiles['chromium webgl tensorloom'] = await page.evaluate(
            "bench.profile('tensorloom')",
          )
          results.profiles['chromium webgl tfjs-fit'] = await page.evaluate(
            "bench.profile('tfjs-fit')",
          )
        }
      } finally {
        await page.close()
      }
    }
  } finally {
    await browser.close()
  }
}

// ---------------------------------------------------------------------------------------------
// Ablation (--ablation): the fast path with techniques switched off, against the reference path.

const ABLATION: Array<[string, RunRequest['tuning'] | 'reference']> = [
  ['reference path (tape, one op per parameter)', 'reference'],
  [
    'manual backward, tfjs ops, host batches, unfused',
    { kernels: false, residentData: false, fusedMatMul: false },
  ],
  ['+ resident data', { kernels: false, fusedMatMul: false }],
  ['+ fused matmul/bias/ReLU', { kernels: false }],
  ['+ fused kernels (loss, ReLU grad, one optimizer op)', {}],
]

async function ablate(
  label: string,
  run: (r: RunRequest) => Promise<RunResult>,
  steps: number,
  warmupSteps: number,
) {
  const rows: Array<[string, number[]]> = ABLATION.map(([name]) => [name, []])
  for (let round = 0; round < config.rounds; round++) {
    for (const [i, [, tuning]] of ABLATION.entries()) {
      const r = await run({
        engine: tuning === 'reference' ? 'tensorloom-reference' : 'tensorloom',
        batchSize: 64,
        seed: round,
        steps,
        warmupSteps,
        ...(tuning === 'reference' ? {} : { tuning }),
      })
      rows[i]![1].push(r.samples / r.seconds)
    }
  }
  const base = median(rows[0]![1])
  for (const [name, sps] of rows) {
    const value = median(sps)
    results.notes.push(
      `Ablation, ${label}: ${name}: ${Math.round(value).toLocaleString('en-US')} samples/s (${(value / base).toFixed(1)}× the reference path)`,
    )
    log(`  ${label}: ${name}: ${Math.round(value)} samples/s`)
  }
}

async function ablationSection(): Promise<void> {
  const tl = nodeWorker('wasm', 'tensorloom')
  await withWorker(tl, () => ablate('Node wasm', (r) => tl.request(r), config.quick ? 50 : 200, 5))
  const browser = await ChromiumBench.launch()
  try {
    const { page } = await browser.open(PAGES[0]!)
    await ablate('Chromium webgl', (r) => ChromiumBench.run(page, r), config.quick ? 20 : 40, 10)
  } finally {
    await browser.close()
  }
}

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
  torchPipeline,
  1,
  (v) => v <= 1,
  `${torchPipeline?.toFixed(2) ?? '–'}: ${torchDetail}`,
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
