import type { EngineName, Measurement } from './protocol'
import type { SuiteResults } from './suite'

/** One group of bars: a platform and backend, with the engines measured there. */
interface Group {
  label: string
  bars: Array<{ engine: EngineName; value: number; note: string }>
}

const GROUPS: Array<{ label: string; platform: string; backend: string }> = [
  { label: 'Node · wasm', platform: 'node', backend: 'wasm' },
  { label: 'Node · cpu', platform: 'node', backend: 'cpu' },
  { label: 'Chromium · webgl', platform: 'chromium', backend: 'webgl' },
  { label: 'Chromium · wasm', platform: 'chromium', backend: 'wasm' },
  { label: 'Chromium · wasm, threads', platform: 'chromium', backend: 'wasm-threads' },
  { label: 'PyTorch 1.13 · CPU', platform: 'python', backend: 'torch' },
]

const ENGINE_STYLE: Record<EngineName, { name: string; color: string }> = {
  tensorloom: { name: 'Tensorloom', color: '#2563eb' },
  'tensorloom-reference': { name: 'Tensorloom (reference path)', color: '#93c5fd' },
  'tfjs-fit': { name: 'plain tfjs model.fit', color: '#9ca3af' },
  'torch-pipeline': { name: "PyTorch, the lesson's DataLoader", color: '#f97316' },
  'torch-resident': { name: 'PyTorch, dataset as one tensor', color: '#fdba74' },
}

const ORDER: EngineName[] = ['tensorloom', 'tfjs-fit', 'torch-pipeline', 'torch-resident']

const xml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function groupsOf(results: SuiteResults, batchSize: number): Group[] {
  const find = (platform: string, backend: string, engine: EngineName): Measurement | undefined =>
    results.measurements.find(
      (m) =>
        m.platform === platform &&
        m.backend === backend &&
        m.engine === engine &&
        m.batchSize === batchSize,
    )
  const groups: Group[] = []
  for (const g of GROUPS) {
    const bars: Group['bars'] = []
    for (const engine of ORDER) {
      const m = find(g.platform, g.backend, engine)
      if (!m) continue
      const vsFit = results.comparisons.find(
        (c) =>
          c.platform === g.platform &&
          c.backend === g.backend &&
          c.batchSize === batchSize &&
          c.a === engine &&
          c.b === 'tfjs-fit',
      )
      bars.push({
        engine,
        value: m.samplesPerSecond,
        note: vsFit ? ` (${vsFit.ratio.toFixed(2)}× model.fit)` : '',
      })
    }
    if (bars.length > 0) groups.push({ label: g.label, bars })
  }
  return groups
}

/** Sizes in SVG pixels: the plot sits between `left` (group labels) and `right` (bar labels). */
const LAYOUT = {
  width: 860,
  left: 190,
  right: 250,
  top: 56,
  barHeight: 18,
  barGap: 4,
  groupGap: 16,
}

/** Ticks 1, 2, 5, 10, 20, 50… × 1,000 covering [lo, hi]. */
function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = []
  for (let decade = 10 ** Math.floor(Math.log10(lo)); decade <= hi * 10; decade *= 10) {
    for (const step of [1, 2, 5]) {
      const t = decade * step
      if (t >= lo && t <= hi) ticks.push(t)
    }
  }
  return ticks
}

const compact = (v: number) =>
  v >= 1000 ? `${(v / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })}k` : `${v}`

/**
 * An SVG bar chart of training throughput (samples/s, log scale) per platform and backend:
 * Tensorloom against plain tfjs `model.fit` and PyTorch, at one batch size. Self-contained (no
 * scripts, no external fonts), so it renders as an image in a README.
 */
export function renderChart(results: SuiteResults, batchSize = 64): string {
  const groups = groupsOf(results, batchSize)
  const values = groups.flatMap((g) => g.bars.map((b) => b.value))
  const { width, left, right, top, barHeight, barGap, groupGap } = LAYOUT
  const plotWidth = width - left - right
  const lo = values.length > 0 ? 10 ** Math.floor(Math.log10(Math.min(...values))) : 1000
  const hi = values.length > 0 ? 10 ** Math.ceil(Math.log10(Math.max(...values))) : 100_000
  const x = (v: number) => left + (Math.log10(v / lo) / Math.log10(hi / lo)) * plotWidth
  const out: string[] = []
  let y = top
  for (const group of groups) {
    const groupTop = y
    for (const bar of group.bars) {
      const style = ENGINE_STYLE[bar.engine]
      const w = Math.max(1, x(bar.value) - left)
      out.push(
        `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${style.color}"><title>${xml(`${group.label}: ${style.name}`)}</title></rect>`,
        `<text x="${(left + w + 6).toFixed(1)}" y="${y + 13}" class="v">${xml(`${Math.round(bar.value).toLocaleString('en-US')}${bar.note}`)}</text>`,
      )
      y += barHeight + barGap
    }
    const mid = (groupTop + y - barGap) / 2
    out.push(
      `<text x="${left - 10}" y="${(mid + 4).toFixed(1)}" text-anchor="end" class="g">${xml(group.label)}</text>`,
    )
    y += groupGap
  }
  const bottom = y - groupGap + 8
  const grid = logTicks(lo, hi)
    .map(
      (t) =>
        `<line x1="${x(t).toFixed(1)}" y1="${top - 6}" x2="${x(t).toFixed(1)}" y2="${bottom}" class="grid"/><text x="${x(t).toFixed(1)}" y="${bottom + 16}" text-anchor="middle" class="t">${compact(t)}</text>`,
    )
    .join('')
  let lx = 12
  const legend = ORDER.filter((e) => groups.some((g) => g.bars.some((b) => b.engine === e)))
    .map((engine) => {
      const { name, color } = ENGINE_STYLE[engine]
      const item = `<rect x="${lx}" y="26" width="12" height="12" fill="${color}"/><text x="${lx + 17}" y="36" class="t">${xml(name)}</text>`
      lx += 17 + name.length * 6.6 + 18
      return item
    })
    .join('')
  const height = bottom + 44
  const title = `Training throughput, samples/s (log scale) — lesson network 784-128-10, Adam, batch ${batchSize}, ${results.date}`
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${xml(title)}">`,
    '<style>text{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:12px;fill:#111827}.g{font-weight:600}.t{fill:#4b5563}.v{font-size:11px}.grid{stroke:#e5e7eb}</style>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="16" class="g">${xml(title)}</text>`,
    legend,
    grid,
    ...out,
    `<text x="${left}" y="${height - 8}" class="t">${xml(`${results.machine.cpus} × ${results.machine.cpuModel.split(' ').slice(0, 2).join(' ')}; Chromium webgl is SwiftShader (software). Same machine, same run.`)}</text>`,
    '</svg>',
    '',
  ].join('\n')
}
