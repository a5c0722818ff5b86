import { createGenerator } from '@tensorloom/random'
import { describe, expect, it } from 'vitest'
import type { RawImage } from '../Dataset.js'
import { type DataError, OptionError, TransformError } from '../errors.js'
import fixture from '../fixtures/ownData.json'
import { rotateNearest } from '../images/ops.js'
import { CenterCrop } from './CenterCrop.js'
import { Compose } from './Compose.js'
import { Grayscale } from './Grayscale.js'
import { RandomCrop } from './RandomCrop.js'
import { RandomHorizontalFlip } from './RandomHorizontalFlip.js'
import { RandomRotation } from './RandomRotation.js'
import { Resize } from './Resize.js'
import { ToTensor } from './ToTensor.js'

function decode(img: { shape: number[]; data: string }): RawImage {
  return {
    data: new Uint8Array(Buffer.from(img.data, 'base64')),
    shape: img.shape as [number, number] | [number, number, number],
  }
}

const inputs = { rgb: decode(fixture.transforms.rgb), gray: decode(fixture.transforms.gray) }

/** Largest absolute difference and how many values differ. */
function compare(actual: RawImage, expected: RawImage): { maxDiff: number; differing: number } {
  expect([...actual.shape]).toEqual([...expected.shape])
  let maxDiff = 0
  let differing = 0
  for (let i = 0; i < expected.data.length; i++) {
    const d = Math.abs(actual.data[i]! - expected.data[i]!)
    if (d > 0) differing++
    maxDiff = Math.max(maxDiff, d)
  }
  return { maxDiff, differing }
}

describe("deterministic image transforms equal torchvision's on PIL images", () => {
  const cases = fixture.transforms.cases.map(
    (c, i) => [`${c.name} ${c.input} ${JSON.stringify(c.args)} #${i}`, c] as const,
  )
  it.each(cases)('%s', (_, c) => {
    const input = inputs[c.input as 'rgb' | 'gray']
    const args = c.args as { size?: number | number[]; numOutputChannels?: 1 | 3; angle?: number }
    let out: RawImage
    if (c.name === 'Resize') out = new Resize(args.size as number).apply(input)
    else if (c.name === 'ResizeNearest')
      out = new Resize(args.size as [number, number], { interpolation: 'nearest' }).apply(input)
    else if (c.name === 'CenterCrop')
      out = new CenterCrop(args.size as [number, number]).apply(input)
    else if (c.name === 'Grayscale') out = new Grayscale(args.numOutputChannels).apply(input)
    else out = rotateNearest(input, args.angle!)
    // Exact: the arithmetic is Pillow's, step by step (tolerance 0).
    expect(compare(out, decode(c.output))).toEqual({ maxDiff: 0, differing: 0 })
  })
})

describe('random transforms', () => {
  it("draw what torchvision draws from torch's generator with the same seed", () => {
    const { seed, angles, crops, flips } = fixture.random
    const g = createGenerator(seed)
    const rotation = new RandomRotation([-30, 30], { generator: g })
    for (const a of angles) expect(rotation.angle()).toBe(Math.fround(a))
    const crop = new RandomCrop(32, { generator: g })
    for (const [i, j] of crops) {
      const image: RawImage = { data: new Uint8Array(40 * 50), shape: [40, 50] }
      image.data.forEach((_, k) => {
        image.data[k] = k % 251
      })
      const out = crop.apply(image)
      expect(out.data[0]).toBe((i! * 50 + j!) % 251)
    }
    const flip = new RandomHorizontalFlip(0.3, { generator: g })
    const row: RawImage = { data: Uint8Array.from([1, 2]), shape: [1, 2] }
    expect(flips.map(() => flip.apply(row).data[0] === 2)).toEqual(flips)
  })

  it("Compose([RandomCrop(10, padding 2), RandomHorizontalFlip(), RandomRotation(20)]) gives torchvision's images", () => {
    for (const p of fixture.random.pipelines) {
      const g = createGenerator(p.seed)
      const pipeline = new Compose<RawImage, RawImage>([
        new RandomCrop(10, { padding: 2, generator: g }),
        new RandomHorizontalFlip(0.5, { generator: g }),
        new RandomRotation(20, { generator: g }),
      ])
      for (const expected of p.outputs) {
        expect(
          compare(pipeline.apply(inputs[p.input as 'rgb' | 'gray']), decode(expected)),
        ).toEqual({
          maxDiff: 0,
          differing: 0,
        })
      }
    }
  })

  it('flip about p of the time and crop every offset about equally often', () => {
    const g = createGenerator(1)
    const flip = new RandomHorizontalFlip(0.3, { generator: g })
    const row: RawImage = { data: Uint8Array.from([1, 2]), shape: [1, 2] }
    let flipped = 0
    for (let i = 0; i < 10_000; i++) if (flip.apply(row).data[0] === 2) flipped++
    expect(flipped / 10_000).toBeGreaterThan(0.28)
    expect(flipped / 10_000).toBeLessThan(0.32)
    const crop = new RandomCrop(2, { padding: 1, generator: g })
    const image: RawImage = { data: Uint8Array.from([1, 2, 3, 4]), shape: [2, 2] }
    const counts = new Map<string, number>()
    for (let i = 0; i < 9000; i++) {
      const key = Array.from(crop.apply(image).data).join()
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    expect(counts.size).toBe(9) // 3 x 3 offsets in the 4 x 4 padded image
    for (const n of counts.values()) expect(Math.abs(n - 1000)).toBeLessThan(150)
    const rotation = new RandomRotation([10, 20], { generator: g })
    const drawn = Array.from({ length: 2000 }, () => rotation.angle())
    expect(Math.min(...drawn)).toBeGreaterThanOrEqual(10)
    expect(Math.max(...drawn)).toBeLessThan(20)
    expect(drawn.reduce((a, b) => a + b, 0) / 2000).toBeCloseTo(15, 0)
  })

  it('keep their properties: sizes, channels, flips are mirror images, 0 degrees is the identity', () => {
    const rgb = inputs.rgb
    const g = createGenerator(3)
    expect(new RandomCrop([5, 7], { generator: g }).apply(rgb).shape).toEqual([5, 7, 3])
    expect(new RandomCrop(20, { padIfNeeded: true, generator: g }).apply(rgb).shape).toEqual([
      20, 20, 3,
    ])
    const always = new RandomHorizontalFlip(1, { generator: g })
    expect(always.apply(always.apply(rgb)).data).toEqual(rgb.data)
    expect(new RandomRotation(0, { generator: g }).apply(rgb).data).toEqual(rgb.data)
    expect(new RandomCrop(13, { generator: 5 }).apply(inputs.gray).shape).toEqual([13, 13])
  })
})

describe('transform options and inputs', () => {
  const codeOf = (fn: () => unknown) => {
    try {
      fn()
    } catch (e) {
      return (e as DataError).code
    }
    return 'no error'
  }

  it('compose before ToTensor, and ask to be put before it when given a tensor', () => {
    const t = new Compose([new Resize([4, 6]), new Grayscale(), new ToTensor()])
    expect(String(t)).toContain('Resize(size=[4, 6]')
    expect(() => new Resize(4).apply(new ToTensor() as never)).toThrow(TransformError)
    expect(() => new CenterCrop(2).apply({ data: new Uint8Array(3), shape: [2, 2] })).toThrow(
      /put CenterCrop before ToTensor/,
    )
  })

  it('refuse bad options, naming them', () => {
    expect(codeOf(() => new Resize(0))).toBe('INVALID_OPTION')
    expect(() => new Resize([2, 3, 4] as never)).toThrow(OptionError)
    expect(() => new RandomCrop(4, { padding: -1 })).toThrow(/option padding/)
    expect(() => new RandomHorizontalFlip(2)).toThrow(/option p/)
    expect(() => new RandomRotation(-5)).toThrow(/option degrees/)
    expect(() => new Grayscale(2 as never)).toThrow(/numOutputChannels/)
    expect(() => new RandomCrop(40).apply(inputs.rgb)).toThrow(/at least 40 x 40/)
  })

  it('Resize with one number matches the smaller edge like torchvision', () => {
    const r = new Resize(10)
    expect(r.outputSize(13, 17)).toEqual([10, 13])
    expect(r.outputSize(17, 13)).toEqual([13, 10])
    expect(new Resize(10, { maxSize: 12 }).outputSize(13, 17)).toEqual([9, 12])
  })
})
