import { ENGINES, type Measurement } from './protocol'
import type { SuiteResults } from './suite'

const fmt = (v: number | null | undefined, digits = 1) =>
  v === null || v === undefined || Number.isNaN(v) ? '–' : v.toFixed(digits)

const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(2)}%`)

/** A horizontal bar chart in text (renders anywhere, including a terminal and GitHub). */
export function barChart(rows: Array<[string, number]>, width = 40): string {
  const max = Math.max(...rows.map(([, v]) => v), 1)
  const label = Math.max(...rows.map(([l]) => l.length))
  return rows
    .map(
      ([l, v]) =>
        `${l.padEnd(label)} ${'█'.repeat(Math.max(1, Math.round((v / max) * width)))} ${Math.round(v).toLocaleString('en-US')}`,
    )
    .join('\n')
}

function measurementRow(m: Measurement, results: SuiteResults): string {
  const vsFit = results.comparisons.find(
    (c) =>
      c.network === m.network &&
      c.platform === m.platform &&
      c.backend === m.backend &&
      c.batchSize === m.batchSize &&
      c.a === m.engine &&
      c.b === 'tfjs-fit',
  )
  const epoch = `${fmt(m.secondsPerEpoch, 2)}${m.extrapolated ? '*' : ''}`
  const mem = m.peakRssMB !== null ? `${Math.round(m.peakRssMB)} MB` : '–'
  const tf = m.tfBytes !== null ? `${Math.round(m.tfBytes / 2 ** 20)} MB` : '–'
  return `| ${m.network ?? 'lesson'} | ${m.platform} | ${m.backend} | ${m.engine} | ${m.batchSize} | ${Math.round(m.samplesPerSecond).toLocaleString('en-US')} | ${epoch} | ${pct(m.testAccuracy)} | ${mem} | ${tf} | ${vsFit ? `${fmt(vsFit.ratio, 2)}×` : ''} | ${m.runs.length} |`
}

/**
 * What the WebGL profile of the fast path can and cannot say (it misled once: the gather looked
 * like 4 of a step's ~12 ms while the matmuls looked free).
 */
export const WEBGL_PROFILE_NOTE =
  "On webgl, `tf.profile` times tfjs' programs with GPU timer queries. The fast path's raw " +
  "multi-target draws (RowsMatMul: the first layer's two matmuls; OptimizerStep) are not tfjs " +
  'programs: they read 0 ms, and the next timed program can absorb their time. ' +
  '`tsx src/webglLab.ts step` times each kernel of a step alone (wall and CPU).'

/** The markdown report: targets, the table, the chart, parity, profiles. */
export function renderMarkdown(results: SuiteResults): string {
  const lines: string[] = []
  lines.push(`# Tensorloom bench — ${results.date}${results.quick ? ' (quick)' : ''}`)
  lines.push('')
  const m = results.machine
  lines.push(
    `${m.cpus} × ${m.cpuModel}, ${m.memoryGB} GB, load average ${m.loadAverage.start.map((l) => l.toFixed(1)).join('/')} at start, ${m.loadAverage.end.map((l) => l.toFixed(1)).join('/')} at end; Node ${m.node}; ${Object.entries(
      results.versions,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}. ${Math.round(results.seconds)} s in all.`,
  )
  lines.push('')
  lines.push('## Targets')
  lines.push('')
  lines.push('```')
  for (const t of results.targets) lines.push(`${t.status} ${t.id} ${t.description}: ${t.detail}`)
  lines.push('```')
  lines.push('')
  lines.push('## Throughput')
  lines.push('')
  lines.push(
    'Medians over alternated runs. `×fit` is the median of the per-round ratios of samples/s against plain tfjs `model.fit` on the same backend. `*`: extrapolated from a fixed number of batches.',
  )
  lines.push('')
  lines.push(
    '| model | platform | backend | engine | batch | samples/s | s/epoch | test acc. | peak RSS | tfjs memory | ×fit | runs |',
  )
  lines.push('| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const measurement of results.measurements) lines.push(measurementRow(measurement, results))
  lines.push('')
  lines.push(
    'Ratios (median of per-round ratios; CPU: the same with CPU seconds instead of wall seconds):',
  )
  lines.push('')
  lines.push('| model | platform | backend | batch | comparison | wall ratio | CPU ratio |')
  lines.push('| --- | --- | --- | ---: | --- | ---: | ---: |')
  for (const c of results.comparisons) {
    lines.push(
      `| ${c.network ?? 'lesson'} | ${c.platform} | ${c.backend} | ${c.batchSize} | ${c.a} / ${c.b} (samples/s) | ${fmt(c.ratio, 2)}× | ${c.cpuRatio === null ? '–' : `${fmt(c.cpuRatio, 2)}×`} |`,
    )
  }
  lines.push('')
  const chartRows = results.measurements
    .filter((x) => x.batchSize === 64 && !x.network)
    .map((x) => [`${x.platform} ${x.backend} ${x.engine}`, x.samplesPerSecond] as [string, number])
  if (chartRows.length > 0) {
    lines.push('Samples/s at batch 64:')
    lines.push('')
    lines.push('```')
    lines.push(barChart(chartRows))
    lines.push('```')
    lines.push('')
  }
  lines.push('## Same math')
  lines.push('')
  for (const p of results.parity) {
    lines.push(
      `- ${p.backend}: per-step losses of the fast and the reference path over ${p.steps} steps (same init, same batches) differ by at most ${p.worstRelative.toExponential(1)} (relative).`,
    )
  }
  if (results.accuracy) {
    const { fast, reference, steps } = results.accuracy
    lines.push(
      `- Test accuracy after ${steps === 'epoch' ? 'one epoch' : `${steps} batches`} (Node wasm, seed 0): fast ${pct(fast)}, reference ${pct(reference)}.`,
    )
  }
  for (const p of results.networkParity ?? []) {
    lines.push(
      `- ${p.network} (${p.backend}, ${p.engine} engine): per-step losses over ${p.steps} steps differ from the reference path's by at most ${p.worstRelative.toExponential(1)}; the reference path against itself with each batch reversed (the same math summed in another order): ${p.referenceSpread.toExponential(1)}.`,
    )
  }
  for (const a of results.networkAccuracy ?? []) {
    lines.push(
      `- ${a.network}: test accuracy after ${a.steps} batches (Node wasm, seed 0): ${a.engine} engine ${pct(a.fast)}, reference ${pct(a.reference)}.`,
    )
  }
  lines.push('')
  if (results.inferShapes) {
    lines.push('## inferShapes (packages/graph)')
    lines.push('')
    lines.push('```')
    lines.push(...results.inferShapes)
    lines.push('```')
    lines.push('')
  }
  const profiles = Object.entries(results.profiles) as Array<
    [string, { kernels: number; rows: Array<{ kernel: string; count: number; ms: number | null }> }]
  >
  if (profiles.length > 0) {
    lines.push('## Where a step goes (tf.profile, one batch of 64)')
    lines.push('')
    for (const [name, p] of profiles) {
      const top = p.rows
        .slice(0, 6)
        .map((r) => `${r.kernel} ×${r.count}${r.ms === null ? '' : ` ${r.ms.toFixed(2)} ms`}`)
      lines.push(`- ${name}: ${p.kernels} kernels; ${top.join(', ')}`)
    }
    if (profiles.some(([name]) => name.includes('webgl tensorloom'))) {
      lines.push('')
      lines.push(WEBGL_PROFILE_NOTE)
    }
    lines.push('')
  }
  if (results.notes.length > 0) {
    lines.push('## Notes')
    lines.push('')
    for (const n of results.notes) lines.push(`- ${n}`)
    lines.push('')
  }
  lines.push('Engines:')
  lines.push('')
  for (const [name, what] of Object.entries(ENGINES)) lines.push(`- \`${name}\`: ${what}`)
  lines.push('')
  return lines.join('\n')
}
