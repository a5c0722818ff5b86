import { describe, expect, it } from 'vitest'
import { OptionError } from '../errors.js'
import type { TensorDataset } from '../TensorDataset.js'
import { blobs, circles, moons, spirals, xor } from './toyDatasets.js'

const points = (d: TensorDataset) =>
  Array.from(
    { length: d.length },
    (_, i) => [d.features[2 * i]!, d.features[2 * i + 1]!, d.targets[i]!] as const,
  )

describe('toy problems', () => {
  it('moons: the half circles of make_moons, balanced, seeded', () => {
    const d = moons({ nSamples: 101, generator: 1 })
    expect(d.length).toBe(101)
    expect(d.shape).toEqual([2])
    const pts = points(d)
    expect(pts.filter((p) => p[2] === 0)).toHaveLength(50)
    for (const [x, y, label] of pts) {
      const r = label === 0 ? Math.hypot(x, y) : Math.hypot(x - 1, y - 0.5)
      expect(r).toBeCloseTo(1, 5)
    }
    expect(moons({ nSamples: 50, noise: 0.1, generator: 3 }).features).toEqual(
      moons({ nSamples: 50, noise: 0.1, generator: 3 }).features,
    )
    expect(moons({ nSamples: 50, noise: 0.1, generator: 3 }).features).not.toEqual(
      moons({ nSamples: 50, noise: 0.1, generator: 4 }).features,
    )
    const unshuffled = points(moons({ nSamples: 4, shuffle: false }))
    expect(unshuffled.map((p) => p[2])).toEqual([0, 0, 1, 1])
    expect(unshuffled[0]![0]).toBeCloseTo(1, 6)
  })

  it('noise is Gaussian with the given standard deviation', () => {
    const clean = moons({ nSamples: 4000, shuffle: false })
    const noisy = moons({ nSamples: 4000, shuffle: false, noise: 0.2, generator: 7 })
    let sum = 0
    let sq = 0
    for (let i = 0; i < clean.features.length; i++) {
      const d = noisy.features[i]! - clean.features[i]!
      sum += d
      sq += d * d
    }
    const m = sum / 8000
    expect(Math.abs(m)).toBeLessThan(0.01)
    expect(Math.sqrt(sq / 8000 - m * m)).toBeCloseTo(0.2, 2)
  })

  it('circles: radius 1 and factor', () => {
    for (const [x, y, label] of points(circles({ nSamples: 60, factor: 0.5, generator: 0 }))) {
      expect(Math.hypot(x, y)).toBeCloseTo(label === 0 ? 1 : 0.5, 5)
    }
    expect(() => circles({ factor: 1 })).toThrow(/option factor/)
  })

  it('blobs: points around their centre', () => {
    const d = blobs({
      nSamples: 3000,
      centers: [
        [0, 0],
        [10, 10],
        [-10, 5],
      ],
      clusterStd: 0.5,
      generator: 2,
    })
    const centers = [
      [0, 0],
      [10, 10],
      [-10, 5],
    ]
    const counts = [0, 0, 0]
    for (const [x, y, label] of points(d)) {
      counts[label]!++
      expect(Math.hypot(x - centers[label]![0]!, y - centers[label]![1]!)).toBeLessThan(3)
    }
    expect(counts).toEqual([1000, 1000, 1000])
    expect(blobs({ nSamples: 10, generator: 1 }).classes).toEqual(['0', '1', '2'])
  })

  it("spirals and xor: TensorFlow Playground's data", () => {
    const s = points(spirals({ nSamples: 200, generator: 1 }))
    expect(s.filter((p) => p[2] === 1)).toHaveLength(100)
    expect(Math.max(...s.map(([x, y]) => Math.hypot(x, y)))).toBeLessThan(5)
    expect(s[0]).toEqual([0, 0, 0])
    const x = points(xor({ nSamples: 500, generator: 1 }))
    for (const [a, b, label] of x) {
      expect(Math.abs(a)).toBeGreaterThanOrEqual(0.3)
      expect(label).toBe(a * b >= 0 ? 1 : 0)
    }
    const noisy = points(xor({ nSamples: 2000, noise: 0.5, generator: 1 }))
    const flipped = noisy.filter(([a, b, label]) => label !== (a * b >= 0 ? 1 : 0)).length
    expect(flipped).toBeGreaterThan(50)
  })

  it('refuses bad options', () => {
    expect(() => moons({ nSamples: 0 })).toThrow(OptionError)
    expect(() => moons({ noise: -1 })).toThrow(/option noise/)
    expect(() => xor({ n_samples: 3 } as never)).toThrow(/did you mean nSamples/i)
  })
})
