import { describe, expect, it } from 'vitest'
import type { RunResult } from './protocol'
import { barChart } from './report'
import { median, pairedRatio, summarize } from './stats'

const run = (samples: number, seconds: number, extra: Partial<RunResult> = {}): RunResult => ({
  seconds,
  steps: Math.ceil(samples / 64),
  samples,
  trainLoss: null,
  testAccuracy: null,
  ...extra,
})

describe('stats', () => {
  it('median of odd and even counts, NaN when empty', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([])).toBeNaN()
  })

  it('pairedRatio is the median of per-round ratios, so one slow round does not decide it', () => {
    // Round 2 ran while the machine was busy: both engines slowed down, the ratio held.
    const a = [run(6400, 1), run(6400, 3), run(6400, 1.1)]
    const b = [run(6400, 4), run(6400, 12), run(6400, 4)]
    expect(pairedRatio(a, b)).toBeCloseTo(4, 10)
  })

  it('summarize: median throughput, epoch time, extrapolation, peak memory, last accuracy', () => {
    const m = summarize('node', 'wasm', 'tensorloom', 64, [
      run(60_000, 3, { testAccuracy: 0.96, peakRssMB: 600, tfBytes: 2e8 }),
      run(60_000, 2, { peakRssMB: 650 }),
      run(60_000, 4),
    ])
    expect(m.samplesPerSecond).toBe(20_000)
    expect(m.secondsPerEpoch).toBe(3)
    expect(m.extrapolated).toBe(false)
    expect(m.testAccuracy).toBe(0.96)
    expect(m.peakRssMB).toBe(650)
    expect(m.tfBytes).toBe(2e8)
    expect(summarize('node', 'cpu', 'tfjs-fit', 64, [run(1920, 2)]).extrapolated).toBe(true)
  })

  it('barChart scales bars to the largest value', () => {
    const chart = barChart(
      [
        ['fast', 1000],
        ['slow', 250],
      ],
      8,
    )
    expect(chart.split('\n')).toEqual(['fast ████████ 1,000', 'slow ██ 250'])
  })
})
