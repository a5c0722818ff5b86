import { describe, expect, it } from 'vitest'
import type { Gray } from './preprocess'
import { centreOfMass, inkBounds, preprocessDigit, resizeArea } from './preprocess'

function blank(width: number, height: number): Gray {
  return { width, height, data: new Float32Array(width * height) }
}

function fillRect(img: Gray, x0: number, y0: number, x1: number, y1: number, value = 1) {
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) img.data[y * img.width + x] = value
}

describe('preprocessDigit', () => {
  it('returns null for an empty drawing', () => {
    expect(preprocessDigit(blank(280, 280))).toBeNull()
  })

  it('finds the bounding box of the ink', () => {
    const img = blank(100, 100)
    fillRect(img, 10, 20, 30, 70)
    expect(inkBounds(img)).toEqual({ x0: 10, y0: 20, x1: 30, y1: 70 })
  })

  it('scales the longer side to 20 pixels, keeping the aspect ratio', () => {
    const img = blank(280, 280)
    fillRect(img, 200, 10, 240, 170) // 40 wide, 160 tall, in a corner
    const steps = preprocessDigit(img)!
    expect([steps.cropped.width, steps.cropped.height]).toEqual([40, 160])
    expect([steps.scaled.width, steps.scaled.height]).toEqual([5, 20])
  })

  it('centres the digit by its centre of mass in 28x28', () => {
    const img = blank(280, 280)
    fillRect(img, 0, 0, 60, 60) // top-left corner of the pad
    const { centred } = preprocessDigit(img)!
    const com = centreOfMass(centred)
    expect(com.x).toBeCloseTo(14, 0)
    expect(com.y).toBeCloseTo(14, 0)
    expect(centred.data.every((v) => v >= 0 && v <= 1)).toBe(true)
  })

  it('keeps the total ink when resizing by area', () => {
    const img = blank(40, 40)
    fillRect(img, 0, 0, 20, 40)
    const small = resizeArea(img, 10, 10)
    const sum = (g: Gray) => g.data.reduce((a, b) => a + b, 0)
    expect(sum(small) * 16).toBeCloseTo(sum(img), 3)
    expect(small.data[0]).toBeCloseTo(1)
    expect(small.data[9]).toBeCloseTo(0)
  })
})
