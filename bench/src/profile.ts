import type * as tf from '@tensorflow/tfjs-core'

/** Kernels of one profiled step, aggregated by name. */
export interface ProfileRow {
  kernel: string
  count: number
  /** Summed kernel time (ms); null where the backend cannot time kernels. */
  ms: number | null
}

/** The result of `tf.profile` over one training step. */
export interface StepProfile {
  kernels: number
  wallMs: number
  peakBytes: number
  rows: ProfileRow[]
}

/** Aggregates `tf.profile` output by kernel name, slowest first (op wrappers left out). */
export function aggregate(
  info: Awaited<ReturnType<typeof tf.profile>>,
  wallMs: number,
): StepProfile {
  const rows = new Map<string, ProfileRow>()
  for (const k of info.kernels) {
    // `fusedMatMul__op`-style entries are op wrappers around kernels that are listed too.
    if (k.name.endsWith('__op')) continue
    const row = rows.get(k.name) ?? { kernel: k.name, count: 0, ms: 0 }
    row.count++
    const t = k.kernelTimeMs as number | { error: string }
    row.ms = typeof t === 'number' && row.ms !== null ? row.ms + t : null
    rows.set(k.name, row)
  }
  return {
    kernels: [...rows.values()].reduce((a, r) => a + r.count, 0),
    wallMs,
    peakBytes: info.peakBytes,
    // The 12 costliest kinds: enough to see where a step goes, small enough to commit.
    rows: [...rows.values()]
      .sort((a, b) => (b.ms ?? 0) - (a.ms ?? 0) || b.count - a.count)
      .slice(0, 12),
  }
}
