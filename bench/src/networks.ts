// The network rows of `pnpm bench`: the graph templates residualMlp, smallCnn and smallResNet,
// trained by Tensorloom (compileGraph + Trainer, default engine), by plain tfjs (`tf.model` +
// `model.fit`, src/engines/fitGraph.ts) and by PyTorch (the script `toPyTorch` exports, on
// resident tensors), alternated on Node wasm and in Chromium on wasm; plus loss parity and test
// accuracy of the default engine against the reference path.
import type { Page } from '@playwright/test'
import { templates, toPyTorch } from '@tensorloom/graph'
import {
  alternate,
  compare,
  describeRun,
  type Runner,
  type SuiteContext,
  target,
  worstRelative,
} from './alternation'
import { ChromiumBench } from './browser/chromium'
import type { LineWorker } from './LineWorker'
import type { EngineName, NetworkName, RunResult } from './protocol'
import type { Comparison, SuiteConfig } from './suite'

export const NETWORKS: readonly NetworkName[] = ['residualMlp', 'smallCnn', 'smallResNet']

/** The comparisons the network targets read, filled by the sections below. */
const measured = {
  nodeFit: new Map<NetworkName, Comparison>(),
  chromiumFit: new Map<NetworkName, Comparison>(),
  torch: new Map<NetworkName, Comparison>(),
}

const runnerOf = (
  platform: Runner['platform'],
  backend: string,
  engine: EngineName,
  run: Runner['run'],
): Runner => ({ platform, backend, engine, run })

/**
 * Node wasm (and PyTorch when `torch` is given): per template, 20 steps of loss parity, then the
 * engines alternated over `networkSteps` batches; last, the test accuracy of the default engine
 * and of the reference path after `networkAccuracySteps` batches from the same seed.
 */
export async function networkNodeSection(
  ctx: SuiteContext,
  config: SuiteConfig,
  workers: { tensorloom: LineWorker; fit: LineWorker; torch: LineWorker | null },
  options: { accuracy: boolean },
): Promise<void> {
  const { tensorloom: tl, fit, torch } = workers
  ctx.results.networkParity ??= []
  ctx.results.networkAccuracy ??= []
  for (const network of NETWORKS) {
    if (torch) await torch.request({ define: network, source: toPyTorch(templates[network]) })
    const parity = await tl.request<{
      fast: number[]
      reference: number[]
      reversed: number[]
      engine: string | null
    }>({ networkParity: { network, steps: config.paritySteps } })
    const entry = {
      network,
      backend: 'node wasm',
      worstRelative: worstRelative(parity.reference, parity.fast),
      referenceSpread: worstRelative(parity.reference, parity.reversed),
      steps: config.paritySteps,
      engine: parity.engine,
    }
    ctx.results.networkParity.push(entry)
    ctx.log(
      `Node wasm ${network}: ${parity.engine} engine; per-step losses within ${entry.worstRelative.toExponential(1)} of the reference path (reference vs itself on reversed batches: ${entry.referenceSpread.toExponential(1)})`,
    )
    const runners: Runner[] = [
      runnerOf('node', 'wasm', 'tensorloom', (r) => tl.request<RunResult>(r)),
      runnerOf('node', 'wasm', 'tfjs-fit', (r) => fit.request<RunResult>(r)),
    ]
    if (torch) {
      runners.push(runnerOf('python', 'torch', 'torch-resident', (r) => torch.request(r)))
    }
    const steps = config.networkSteps[network]
    const warmupSteps = config.networkWarmup
    ctx.log(`Node wasm ${network}, batch 64 (${steps} batches per run): warm-up`)
    for (const r of runners) {
      await r.run({ engine: r.engine, network, batchSize: 64, seed: 99, steps: 3, warmupSteps: 2 })
    }
    const runs = await alternate(ctx, runners, 64, { network, steps, warmupSteps })
    const [tlRuns, fitRuns, torchRuns] = runners.map((r) => runs.get(r)!)
    measured.nodeFit.set(
      network,
      compare(ctx, 'node', 'wasm', 64, ['tensorloom', tlRuns!], ['tfjs-fit', fitRuns!], network),
    )
    if (torchRuns) {
      const vsTorch = compare(
        ctx,
        'node',
        'wasm vs torch',
        64,
        ['tensorloom', tlRuns!],
        ['torch-resident', torchRuns],
        network,
      )
      measured.torch.set(network, vsTorch)
    }
  }
  if (!options.accuracy) return
  for (const network of NETWORKS) {
    const steps = config.networkAccuracySteps
    const results: RunResult[] = []
    for (const engine of ['tensorloom', 'tensorloom-reference'] as const) {
      const r = await tl.request<RunResult>({
        engine,
        network,
        batchSize: 64,
        seed: 0,
        steps,
        evaluate: true,
      })
      ctx.log(`  node wasm ${network} ${engine}, accuracy run: ${describeRun(r)}`)
      results.push(r)
    }
    ctx.results.networkAccuracy.push({
      network,
      fast: results[0]!.testAccuracy,
      reference: results[1]!.testAccuracy,
      steps,
      engine: results[0]!.engine ?? null,
    })
  }
}

/** Chromium wasm: per template, Tensorloom and `model.fit` alternated in `page`. */
export async function networkBrowserRuns(
  ctx: SuiteContext,
  config: SuiteConfig,
  page: Page,
  backend: string,
): Promise<void> {
  for (const network of NETWORKS) {
    const runners = (['tensorloom', 'tfjs-fit'] as const).map((engine) =>
      runnerOf('chromium', backend, engine, (r) => ChromiumBench.run(page, r)),
    )
    const steps = config.networkSteps[network]
    ctx.log(`Chromium ${backend} ${network}, batch 64 (${steps} batches per run): warm-up`)
    for (const r of runners) {
      await r.run({ engine: r.engine, network, batchSize: 64, seed: 99, steps: 3, warmupSteps: 2 })
    }
    const runs = await alternate(ctx, runners, 64, {
      network,
      steps,
      warmupSteps: config.networkWarmup,
    })
    const [tlRuns, fitRuns] = runners.map((r) => runs.get(r)!)
    const c = compare(
      ctx,
      'chromium',
      backend,
      64,
      ['tensorloom', tlRuns!],
      ['tfjs-fit', fitRuns!],
      network,
    )
    if (backend === 'wasm') measured.chromiumFit.set(network, c)
  }
}

const ratioDetail = (c: Comparison | undefined, against: string) =>
  c
    ? `${c.ratio.toFixed(2)}× samples/s of ${against} (median of per-round ratios; CPU-time ratio ${c.cpuRatio?.toFixed(2) ?? '–'}×)`
    : 'not measured'

/**
 * The network targets: 5a/5b Tensorloom ≥ 2× `model.fit` on wasm in Node and in Chromium, 5c
 * smallCnn ≥ 0.5× PyTorch on resident tensors, 5d test accuracy within 0.3 points of the
 * reference path, 5e per-step losses within 1e-4 of the reference path, or within twice the
 * reference path's own spread where that is larger (batch norm).
 */
export function networkTargets(ctx: SuiteContext): void {
  for (const network of NETWORKS) {
    const c = measured.nodeFit.get(network)
    const value = c?.ratio ?? null
    target(
      ctx,
      `5a ${network}`,
      `Node wasm ${network}: Tensorloom >= 2x tf.model + model.fit`,
      value,
      2,
      (v) => v >= 2,
      ratioDetail(c, 'model.fit'),
    )
  }
  for (const network of NETWORKS) {
    const c = measured.chromiumFit.get(network)
    const value = c?.ratio ?? null
    target(
      ctx,
      `5b ${network}`,
      `Chromium wasm ${network}: Tensorloom >= 2x tf.model + model.fit`,
      value,
      2,
      (v) => v >= 2,
      ratioDetail(c, 'model.fit'),
    )
  }
  const torch = measured.torch.get('smallCnn')
  target(
    ctx,
    '5c smallCnn',
    'Node wasm smallCnn: Tensorloom >= 0.5x PyTorch on resident tensors',
    torch?.ratio ?? null,
    0.5,
    (v) => v >= 0.5,
    ratioDetail(torch, 'PyTorch (1 thread, resident tensors)'),
  )
  for (const a of ctx.results.networkAccuracy ?? []) {
    const gap =
      a.fast !== null && a.reference !== null ? Math.abs(a.fast - a.reference) * 100 : null
    target(
      ctx,
      `5d ${a.network}`,
      `${a.network}: test accuracy of the default engine within 0.3 points of the reference path`,
      gap,
      0.3,
      (v) => v <= 0.3,
      `${a.engine} engine ${pct(a.fast)}, reference ${pct(a.reference)} after ${a.steps} batches, same seed: ${gap?.toFixed(2) ?? '–'} points`,
    )
  }
  for (const p of ctx.results.networkParity ?? []) {
    const bound = Math.max(1e-4, 2 * p.referenceSpread)
    target(
      ctx,
      `5e ${p.network}`,
      `${p.network}: per-step losses within 1e-4 (relative) of the reference path, or 2x its own spread`,
      p.worstRelative,
      bound,
      (v) => v <= bound,
      `${p.backend}, ${p.engine} engine, ${p.steps} steps: ${p.worstRelative.toExponential(1)}; the reference path against itself on reversed batches: ${p.referenceSpread.toExponential(1)} (bound ${bound.toExponential(1)})`,
    )
  }
}

const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(2)}%`)
