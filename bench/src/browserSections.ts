// The Chromium sections of `pnpm bench`: each page configuration, and the ablation (--ablation).
import { type Runner, worstRelative } from './alternation'
import { ChromiumBench, type PageConfig } from './browser/chromium'
import { networkBrowserRuns } from './networks'
import type { RunRequest, RunResult } from './protocol'
import {
  alternate,
  args,
  compare,
  config,
  ctx,
  log,
  nodeWorker,
  ratioTargets,
  results,
  skip,
  withWorker,
} from './run'
import { median } from './stats'

// ---------------------------------------------------------------------------------------------
// Headless Chromium: webgl (SwiftShader), wasm, wasm with threads (cross-origin isolated).

const PAGES: PageConfig[] = [
  { name: 'webgl', backend: 'webgl', isolated: false, threads: null },
  { name: 'wasm', backend: 'wasm', isolated: false, threads: null },
  { name: 'wasm-threads', backend: 'wasm', isolated: true, threads: 2 },
]

/** Tensorloom against model.fit in each Chromium page configuration (`--pages`). */
export async function browserSection(): Promise<void> {
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

/** What each technique of the fast path brings, on Node wasm and Chromium webgl. */
export async function ablationSection(): Promise<void> {
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
