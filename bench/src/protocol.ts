/** What each benchmarked engine is. */
export const ENGINES = {
  tensorloom: "Tensorloom's Trainer (fast path)",
  'tensorloom-reference': "Tensorloom's Trainer (reference path)",
  'tfjs-fit':
    'plain tfjs: tf.sequential (the lesson) or tf.model (the networks) + model.fit on tensors uploaded once',
  'torch-pipeline': "PyTorch, the lesson's torchvision DataLoader pipeline",
  'torch-resident': 'PyTorch, dataset kept as one tensor (shuffled indexing)',
} as const

export type EngineName = keyof typeof ENGINES

/** The graph templates of the network rows (`@tensorloom/graph`'s `templates`). */
export type NetworkName = 'residualMlp' | 'smallCnn' | 'smallResNet'

/** Where an engine runs. */
export type Platform = 'node' | 'chromium' | 'python'

/** One training run, sent to a worker. */
export interface RunRequest {
  engine: EngineName
  /** A graph template instead of the lesson's network (Tensorloom: compiled from the document). */
  network?: NetworkName
  batchSize: number
  seed: number
  /** Stop after this many batches (the epoch time is then extrapolated); absent: one full epoch. */
  steps?: number
  /** Untimed batches trained first, in the same run (webgl compiles its shaders then). */
  warmupSteps?: number
  /** Fast-path switches (Tensorloom only), to measure what each technique brings. */
  tuning?: { kernels?: boolean; residentData?: boolean; fusedMatMul?: boolean }
  /** Measure test accuracy on the 10,000 test images afterwards (not timed). */
  evaluate?: boolean
}

/** What a worker answers. */
export interface RunResult {
  /** Seconds of training (setup and evaluation excluded). */
  seconds: number
  steps: number
  samples: number
  /** Mean training loss over the run. */
  trainLoss: number | null
  testAccuracy: number | null
  /** Peak resident memory of the worker process (MB), when known. */
  peakRssMB?: number | null
  /** Bytes held by tfjs right after training (dataset copies, weights, optimizer state). */
  tfBytes?: number | null
  /** Tensors left behind by the run (should be 0). */
  leakedTensors?: number | null
  /**
   * CPU seconds the timed part used (the worker process; in Chromium all its processes, GPU
   * included). Steadier than wall time on a shared machine; null where unknown.
   */
  cpuSeconds?: number | null
  /** Seconds spent before training (uploading the dataset, building the model). */
  setupSeconds?: number | null
  /** Tensorloom: the engine the Trainer chose (`fast` or `reference`). */
  engine?: string | null
}

/** One measured configuration: an engine on a backend at a batch size, over several rounds. */
export interface Measurement {
  /** The graph template, for the network rows (absent: the lesson's network). */
  network?: NetworkName
  platform: Platform
  /** tfjs backend (`wasm`, `wasm-threads`, `webgl`, `cpu`) or `torch`. */
  backend: string
  engine: EngineName
  batchSize: number
  /** Runs, in the order they were alternated with the other engines. */
  runs: RunResult[]
  /** Median samples per second over the runs. */
  samplesPerSecond: number
  /** 60,000 / samplesPerSecond. */
  secondsPerEpoch: number
  /** True when runs were shorter than an epoch and `secondsPerEpoch` is extrapolated. */
  extrapolated: boolean
  testAccuracy: number | null
  peakRssMB: number | null
  tfBytes: number | null
}
