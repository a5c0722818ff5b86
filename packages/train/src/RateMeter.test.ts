import { describe, expect, it } from 'vitest'
import { RateMeter } from './RateMeter'

describe('RateMeter', () => {
  it('divides the samples of the latest measurements by their seconds', () => {
    const meter = new RateMeter(3)
    expect(meter.add(0, 0)).toBeNull()
    expect(meter.add(256, 0.1)).toBeCloseTo(2560)
    // A short last window that took long (a GC pause) moves the rate little.
    expect(meter.add(256, 0.1)).toBeCloseTo(2560)
    expect(meter.add(128, 0.2)).toBeCloseTo(640 / 0.4)
    // Only the latest three count: the first (0 samples in 0 s) and second have left.
    expect(meter.add(256, 0.1)).toBeCloseTo(640 / 0.4)
    expect(meter.add(256, 0.1)).toBeCloseTo(640 / 0.4)
    expect(meter.add(256, 0.1)).toBeCloseTo(2560)
    meter.reset()
    expect(meter.add(100, 1)).toBeCloseTo(100)
  })
})
