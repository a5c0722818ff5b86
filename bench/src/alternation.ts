// How the suite measures: engines alternated round by round, a measurement per engine, ratios as
// medians of per-round ratios (wall and CPU), and PASS/FAIL target lines. Shared by the lesson's
// sections (main.ts) and the network rows (networks.ts).
import type { EngineName, NetworkName, Platform, RunRequest, RunResult } from './protocol'
import { median, pairedRatio, summarize } from './stats'
import type { Comparison, SuiteResults } from './suite'

/** Something that can run a request: a Node or Python worker, or a Chromium page. */
export interface Runner {
  platform: Platform
  backend: string
  engine: EngineName
  run(request: RunRequest): Promise<RunResult>
}

/** Where measurements go, how many rounds, and the progress log. */
export interface SuiteContext {
  results: SuiteResults
  rounds: number
  log(message: string): void
}

export const describeRun = (r: RunResult) =>
  `${Math.round(r.samples / r.seconds).toLocaleString('en-US')} samples/s (${r.steps} batches in ${r.seconds.toFixed(2)} s${r.cpuSeconds ? `, ${(r.samples / r.cpuSeconds).toFixed(0)} per CPU s` : ''}${r.testAccuracy != null ? `, test accuracy ${(r.testAccuracy * 100).toFixed(2)}%` : ''}${r.engine ? `, ${r.engine} engine` : ''})`

/**
 * Runs every runner `rounds` times at `batchSize`, alternating them (the order rotates each
 * round), and records a measurement per runner. Returns the runs by engine.
 */
export async function alternate(
  ctx: SuiteContext,
  runners: Runner[],
  batchSize: number,
  request: Omit<RunRequest, 'engine' | 'batchSize' | 'seed'>,
  evaluateFirst = false,
): Promise<Map<Runner, RunResult[]>> {
  const runs = new Map<Runner, RunResult[]>(runners.map((r) => [r, []]))
  const label = request.network ? ` ${request.network}` : ''
  for (let round = 0; round < ctx.rounds; round++) {
    const order = runners.map((_, i) => runners[(i + round) % runners.length]!)
    for (const runner of order) {
      const result = await runner.run({
        ...request,
        engine: runner.engine,
        batchSize,
        seed: round,
        evaluate: evaluateFirst && round === 0,
      })
      runs.get(runner)!.push(result)
      ctx.log(
        `  ${runner.platform} ${runner.backend}${label} ${runner.engine} b${batchSize}: ${describeRun(result)}`,
      )
    }
  }
  for (const runner of runners) {
    const m = summarize(
      runner.platform,
      runner.backend,
      runner.engine,
      batchSize,
      runs.get(runner)!,
    )
    ctx.results.measurements.push(request.network ? { network: request.network, ...m } : m)
  }
  return runs
}

/** Records a / b (samples per second) from alternated runs. */
export function compare(
  ctx: SuiteContext,
  platform: string,
  backend: string,
  batchSize: number,
  a: [EngineName, RunResult[]],
  b: [EngineName, RunResult[]],
  network?: NetworkName,
): Comparison {
  const cpu = (runs: RunResult[]) =>
    runs.every((r) => typeof r.cpuSeconds === 'number' && r.cpuSeconds > 0)
  const cpuRatio =
    cpu(a[1]) && cpu(b[1])
      ? median(
          a[1].slice(0, b[1].length).map((r, i) => {
            const other = b[1][i]!
            return r.samples / r.cpuSeconds! / (other.samples / other.cpuSeconds!)
          }),
        )
      : null
  const comparison: Comparison = {
    ...(network ? { network } : {}),
    platform,
    backend,
    batchSize,
    a: a[0],
    b: b[0],
    ratio: pairedRatio(a[1], b[1]),
    cpuRatio,
    extrapolated: [...a[1], ...b[1]].some((r) => r.samples < 60_000),
  }
  ctx.results.comparisons.push(comparison)
  return comparison
}

/** Adds a PASS/FAIL line (SKIP when `value` is null or NaN). */
export function target(
  ctx: SuiteContext,
  id: string,
  description: string,
  value: number | null,
  threshold: number,
  pass: (v: number) => boolean,
  detail: string,
): void {
  ctx.results.targets.push({
    id,
    description,
    status: value === null || Number.isNaN(value) ? 'SKIP' : pass(value) ? 'PASS' : 'FAIL',
    value,
    threshold,
    detail,
  })
}

/** The largest |a − b| / |a| over the steps. */
export function worstRelative(a: number[], b: number[]): number {
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]!) / Math.abs(v)))
}
