import { describe, expect, it } from 'vitest'
import { axisWidth, formatTick, TICK_INCREMENTS } from './axisTicks'

describe('formatTick', () => {
  it('keeps small values plain and shortens large ones', () => {
    expect(formatTick(0)).toBe('0')
    expect(formatTick(0.25)).toBe('0.25')
    expect(formatTick(2.1234567)).toBe('2.1235')
    expect(formatTick(1000)).toBe('1,000')
    expect(formatTick(79_795_580)).toBe('79.8M')
    expect(formatTick(-2_500_000_000)).toBe('-2.5B')
    expect(formatTick(3.4e38)).toBe('3.4e+38')
    expect(formatTick(1e35)).toBe('1e+35')
    expect(formatTick(-2.5e20)).toBe('-2.5e+20')
    expect(formatTick(Number.POSITIVE_INFINITY)).toBe('Infinity')
  })
})

describe('axisWidth', () => {
  it('fits the widest label, measured or estimated, and never goes below the default', () => {
    expect(axisWidth([])).toBe(32)
    expect(axisWidth(['0', '1', '2'])).toBe(32)
    expect(axisWidth(['0', '40M', '100M'])).toBeGreaterThan(axisWidth(['0', '1']))
    // uPlot's tick and gap (15px) beside the widest measured label.
    const measure = (label: string) => (label === '100M' ? 30.4 : 10)
    expect(axisWidth(['0', '40M', '100M'], measure)).toBeGreaterThanOrEqual(30.4 + 15)
  })
})

describe('TICK_INCREMENTS', () => {
  it('rises from 1e-16 to past 1e300, so any finite loss gets ticks', () => {
    expect(TICK_INCREMENTS[0]).toBe(1e-16)
    expect(TICK_INCREMENTS).toContain(0.25)
    expect(TICK_INCREMENTS).toContain(5e37)
    expect(TICK_INCREMENTS.at(-1)).toBeGreaterThan(1e307)
    for (let i = 1; i < TICK_INCREMENTS.length; i++)
      expect(TICK_INCREMENTS[i]!).toBeGreaterThan(TICK_INCREMENTS[i - 1]!)
  })
})
