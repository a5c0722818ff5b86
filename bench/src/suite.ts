import type { StudioMeasurement } from './browser/studio'
import type { EngineName, Measurement, NetworkName } from './protocol'

/** How much the suite runs. */
export interface SuiteConfig {
  quick: boolean
  /** Alternation rounds per comparison (medians over these). */
  rounds: number
  /** Node wasm: batches per timed run at each batch size (undefined: one full epoch). */
  nodeSteps: Record<number, number | undefined>
  batchSizes: number[]
  /** Node cpu: batches per timed run (extrapolated to an epoch). */
  cpuSteps: number
  /** Chromium: batches per timed run, and untimed warm-up batches before them, per backend. */
  browserSteps: Record<string, number>
  browserWarmup: Record<string, number>
  /** Steps compared for loss parity. */
  paritySteps: number
  /** Accuracy check: batches of the fast and the reference run (undefined: one full epoch). */
  accuracySteps: number | undefined
  /** Network rows: timed batches per run, per template (after `networkWarmup` untimed ones). */
  networkSteps: Record<NetworkName, number>
  networkWarmup: number
  /** Network rows: batches of the fast and the reference run before comparing test accuracy. */
  networkAccuracySteps: number
}

export function suiteConfig(quick: boolean, rounds?: number): SuiteConfig {
  return quick
    ? {
        quick,
        rounds: rounds ?? 1,
        nodeSteps: { 64: 200, 256: 60, 1024: 20 },
        batchSizes: [64],
        cpuSteps: 10,
        browserSteps: { webgl: 20, wasm: 100, 'wasm-threads': 100 },
        browserWarmup: { webgl: 5, wasm: 10, 'wasm-threads': 10 },
        paritySteps: 20,
        accuracySteps: 200,
        networkSteps: { residualMlp: 100, smallCnn: 30, smallResNet: 15 },
        networkWarmup: 3,
        networkAccuracySteps: 100,
      }
    : {
        quick,
        rounds: rounds ?? 3,
        nodeSteps: { 64: undefined, 256: undefined, 1024: undefined },
        batchSizes: [64, 256, 1024],
        cpuSteps: 30,
        browserSteps: { webgl: 60, wasm: 300, 'wasm-threads': 300 },
        browserWarmup: { webgl: 10, wasm: 20, 'wasm-threads': 20 },
        paritySteps: 20,
        accuracySteps: undefined,
        networkSteps: { residualMlp: 300, smallCnn: 100, smallResNet: 50 },
        networkWarmup: 5,
        networkAccuracySteps: 300,
      }
}

/** A PASS/FAIL/SKIP line of the report. */
export interface TargetResult {
  id: string
  description: string
  status: 'PASS' | 'FAIL' | 'SKIP'
  value: number | null
  threshold: number
  detail: string
}

/** Throughput ratios of one comparison (a / b, samples per second). */
export interface Comparison {
  /** The graph template, for the network rows (absent: the lesson's network). */
  network?: NetworkName
  platform: string
  backend: string
  batchSize: number
  a: EngineName
  b: EngineName
  /** Median of the per-round wall-clock ratios. */
  ratio: number
  /** Median of the per-round CPU-time ratios (work done per CPU second), when measured. */
  cpuRatio: number | null
  extrapolated: boolean
}

/** Everything one `pnpm bench` run produced. */
export interface SuiteResults {
  date: string
  quick: boolean
  machine: {
    cpus: number
    cpuModel: string
    memoryGB: number
    loadAverage: { start: number[]; end: number[] }
    node: string
    platform: string
  }
  versions: Record<string, string>
  measurements: Measurement[]
  comparisons: Comparison[]
  targets: TargetResult[]
  parity: Array<{ backend: string; worstRelative: number; steps: number }>
  accuracy: { fast: number | null; reference: number | null; steps: number | 'epoch' } | null
  /** Network rows: fast and reference test accuracy per template after the same batches. */
  networkAccuracy?: Array<{
    network: NetworkName
    fast: number | null
    reference: number | null
    steps: number
    engine: string | null
  }>
  /** Network rows: per-step losses, default engine and reference path (and the reference on
   * reversed batches: its own spread), per template and platform. */
  networkParity?: Array<{
    network: NetworkName
    backend: string
    worstRelative: number
    referenceSpread: number
    steps: number
    engine: string | null
  }>
  profiles: Record<string, unknown>
  inferShapes: string[] | null
  /** Target 4: the studio's main thread while it trains. */
  studio?: StudioMeasurement | null
  notes: string[]
  seconds: number
}
