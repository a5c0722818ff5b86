import type { EngineName, Measurement, Platform, RunResult } from './protocol'

/** The median of `values` (mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Summarises the runs of one configuration: medians of throughput, the last accuracy seen. */
export function summarize(
  platform: Platform,
  backend: string,
  engine: EngineName,
  batchSize: number,
  runs: RunResult[],
  epochSamples = 60_000,
): Measurement {
  const samplesPerSecond = median(runs.map((r) => r.samples / r.seconds))
  const accuracies = runs.map((r) => r.testAccuracy).filter((a): a is number => a !== null)
  const peaks = runs.map((r) => r.peakRssMB).filter((m): m is number => typeof m === 'number')
  const bytes = runs.map((r) => r.tfBytes).filter((m): m is number => typeof m === 'number')
  return {
    platform,
    backend,
    engine,
    batchSize,
    runs,
    samplesPerSecond,
    secondsPerEpoch: epochSamples / samplesPerSecond,
    extrapolated: runs.some((r) => r.samples < epochSamples),
    testAccuracy: accuracies.length > 0 ? accuracies[accuracies.length - 1]! : null,
    peakRssMB: peaks.length > 0 ? Math.max(...peaks) : null,
    tfBytes: bytes.length > 0 ? Math.max(...bytes) : null,
  }
}

/**
 * The ratio of two engines' throughput, `a / b`, from runs alternated in the same process or
 * run: the median of the per-round ratios (each round ran both back to back, so slow phases of a
 * shared machine hit both), which is steadier than a ratio of medians.
 */
export function pairedRatio(a: readonly RunResult[], b: readonly RunResult[]): number {
  const n = Math.min(a.length, b.length)
  const ratios: number[] = []
  for (let i = 0; i < n; i++) {
    ratios.push(a[i]!.samples / a[i]!.seconds / (b[i]!.samples / b[i]!.seconds))
  }
  return median(ratios)
}
