import { describe, expect, it } from 'vitest'
import { renderChart } from './chart'
import type { EngineName, Measurement, Platform } from './protocol'
import type { SuiteResults } from './suite'

function measurement(
  platform: Platform,
  backend: string,
  engine: EngineName,
  samplesPerSecond: number,
  batchSize = 64,
): Measurement {
  return {
    platform,
    backend,
    engine,
    batchSize,
    runs: [],
    samplesPerSecond,
    secondsPerEpoch: 60_000 / samplesPerSecond,
    extrapolated: false,
    testAccuracy: null,
    peakRssMB: null,
    tfBytes: null,
  }
}

function results(measurements: Measurement[]): SuiteResults {
  return {
    date: '2026-11-29',
    quick: false,
    machine: {
      cpus: 2,
      cpuModel: 'AMD EPYC 7B13',
      memoryGB: 24,
      loadAverage: { start: [], end: [] },
      node: 'v20',
      platform: 'linux x64',
    },
    versions: {},
    measurements,
    comparisons: [
      {
        platform: 'node',
        backend: 'wasm',
        batchSize: 64,
        a: 'tensorloom',
        b: 'tfjs-fit',
        ratio: 4.03,
        cpuRatio: null,
        extrapolated: false,
      },
    ],
    targets: [],
    parity: [],
    accuracy: null,
    profiles: {},
    inferShapes: null,
    notes: [],
    seconds: 1,
  }
}

const widths = (svg: string) =>
  [...svg.matchAll(/<rect x="190" y="[\d.]+" width="([\d.]+)"[^>]*><title>([^<]+)<\/title>/g)].map(
    (m) => ({ width: Number(m[1]), title: m[2] }),
  )

describe('renderChart', () => {
  const svg = renderChart(
    results([
      measurement('node', 'wasm', 'tensorloom', 28_000),
      measurement('node', 'wasm', 'tfjs-fit', 7_000),
      measurement('node', 'wasm', 'tensorloom', 99_000, 256),
      measurement('chromium', 'webgl', 'tensorloom', 2_800),
      measurement('python', 'torch', 'torch-pipeline', 15_000),
    ]),
  )

  it('draws one bar per engine measured at the batch size, grouped by platform and backend', () => {
    expect(widths(svg).map((b) => b.title)).toEqual([
      'Node · wasm: Tensorloom',
      'Node · wasm: plain tfjs model.fit',
      'Chromium · webgl: Tensorloom',
      "PyTorch 1.13 · CPU: PyTorch, the lesson's DataLoader",
    ])
    expect(svg).not.toContain('Node · cpu')
  })

  it('scales bars logarithmically: 4× the samples/s is the same length step anywhere', () => {
    const [loom, fit, webgl] = widths(svg).map((b) => b.width)
    const perDecade = (loom! - fit!) / Math.log10(28_000 / 7_000)
    expect((loom! - webgl!) / Math.log10(28_000 / 2_800)).toBeCloseTo(perDecade, 0)
  })

  it('labels bars with samples/s and the ratio against model.fit', () => {
    expect(svg).toContain('28,000 (4.03× model.fit)')
    expect(svg).toContain('>7,000<')
  })

  it('is a standalone SVG with escaped text', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
    expect(svg).not.toMatch(/<script/)
    expect(svg).toContain('batch 64')
  })
})
