/**
 * Pixel operations on 8-bit images ({@link RawImage}), written to give the very pixels that
 * torchvision's transforms give on PIL images (Pillow's resampling, affine and colour-conversion
 * arithmetic, reproduced step by step), so no tensor backend is needed and results are exact.
 */
import type { RawImage } from '../Dataset.js'

/** Height, width and channels of an image. */
export function dims(image: RawImage): [h: number, w: number, c: number] {
  return [image.shape[0], image.shape[1], image.shape[2] ?? 1]
}

/** A new image of the same layout (`[H, W]` stays 2-D). */
export function makeImage(
  data: Uint8Array | Uint8ClampedArray,
  h: number,
  w: number,
  c: number,
  like: RawImage,
): RawImage {
  return { data, shape: like.shape.length === 2 && c === 1 ? [h, w] : [h, w, c] }
}

const PRECISION_BITS = 32 - 8 - 2

/** Pillow's `precompute_coeffs` for the bilinear filter, normalised to its 8-bit fixed point. */
function coefficients(
  inSize: number,
  outSize: number,
): { bounds: Int32Array; kk: Int32Array; ksize: number } {
  const scale = inSize / outSize
  const filterscale = Math.max(scale, 1)
  const support = 1 * filterscale
  const ksize = Math.ceil(support) * 2 + 1
  const bounds = new Int32Array(outSize * 2)
  const kk = new Int32Array(outSize * ksize)
  const weights = new Float64Array(ksize)
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale
    const ss = 1 / filterscale
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0)
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin
    let ww = 0
    for (let x = 0; x < xmax; x++) {
      const t = Math.abs((x + xmin - center + 0.5) * ss)
      const w = t < 1 ? 1 - t : 0
      weights[x] = w
      ww += w
    }
    for (let x = 0; x < ksize; x++) {
      let k = x < xmax ? weights[x]! : 0
      if (x < xmax && ww !== 0) k /= ww
      const scaled = k * (1 << PRECISION_BITS)
      kk[xx * ksize + x] = k < 0 ? Math.trunc(-0.5 + scaled) : Math.trunc(0.5 + scaled)
    }
    bounds[xx * 2] = xmin
    bounds[xx * 2 + 1] = xmax
  }
  return { bounds, kk, ksize }
}

const clip8 = (ss: number): number => {
  const v = ss >> PRECISION_BITS
  return v < 0 ? 0 : Math.min(v, 255)
}

/**
 * Bilinear resize with antialiasing, exactly as Pillow's `Image.resize(size, BILINEAR)` (what
 * torchvision's `Resize` does to PIL images): a horizontal pass, then a vertical one, each rounding
 * to 8 bits.
 */
export function resizeBilinear(image: RawImage, outH: number, outW: number): RawImage {
  const [h, w, c] = dims(image)
  if (h === outH && w === outW) return makeImage(image.data.slice(), h, w, c, image)
  let src: Uint8Array | Uint8ClampedArray = image.data
  let curH = h
  let curW = w
  const vert = coefficients(h, outH)
  if (w !== outW) {
    const horiz = coefficients(w, outW)
    // Only the rows the vertical pass reads.
    const first = vert.bounds[0]!
    const last = vert.bounds[outH * 2 - 2]! + vert.bounds[outH * 2 - 1]!
    const rows = h === outH ? h : last - first
    const offset = h === outH ? 0 : first
    const out = new Uint8Array(rows * outW * c)
    for (let y = 0; y < rows; y++) {
      const rowIn = (y + offset) * w * c
      for (let xx = 0; xx < outW; xx++) {
        const xmin = horiz.bounds[xx * 2]!
        const xmax = horiz.bounds[xx * 2 + 1]!
        const k = xx * horiz.ksize
        for (let ch = 0; ch < c; ch++) {
          let ss = 1 << (PRECISION_BITS - 1)
          for (let x = 0; x < xmax; x++) ss += src[rowIn + (x + xmin) * c + ch]! * horiz.kk[k + x]!
          out[(y * outW + xx) * c + ch] = clip8(ss)
        }
      }
    }
    if (h !== outH) for (let i = 0; i < outH; i++) vert.bounds[i * 2]! -= first
    src = out
    curH = rows
    curW = outW
  }
  if (h === outH) return makeImage(src as Uint8Array, outH, outW, c, image)
  const out = new Uint8Array(outH * curW * c)
  for (let yy = 0; yy < outH; yy++) {
    const ymin = vert.bounds[yy * 2]!
    const ymax = vert.bounds[yy * 2 + 1]!
    const k = yy * vert.ksize
    for (let x = 0; x < curW * c; x++) {
      let ss = 1 << (PRECISION_BITS - 1)
      for (let y = 0; y < ymax; y++) ss += src[(y + ymin) * curW * c + x]! * vert.kk[k + y]!
      out[yy * curW * c + x] = clip8(ss)
    }
  }
  void curH
  return makeImage(out, outH, outW, c, image)
}

/** Pillow's COORD: -1 for negatives, else truncation. */
const coord = (v: number): number => (v < 0 ? -1 : Math.trunc(v))

/**
 * Nearest-neighbour resize, exactly as Pillow's `Image.resize(size, NEAREST)` (its scaling affine
 * transform, sampling at pixel centres with the same floating-point steps).
 */
export function resizeNearest(image: RawImage, outH: number, outW: number): RawImage {
  const [h, w, c] = dims(image)
  if (h === outH && w === outW) return makeImage(image.data.slice(), h, w, c, image)
  const a0 = w / outW
  const a4 = h / outH
  const xin = new Int32Array(outW)
  let xo = a0 * 0.5
  for (let x = 0; x < outW; x++) {
    xin[x] = Math.min(coord(xo), w - 1)
    xo += a0
  }
  const out = new Uint8Array(outH * outW * c)
  let yo = a4 * 0.5
  for (let y = 0; y < outH; y++) {
    const yi = coord(yo)
    yo += a4
    if (yi < 0 || yi >= h) continue
    for (let x = 0; x < outW; x++) {
      const from = (yi * w + xin[x]!) * c
      for (let ch = 0; ch < c; ch++) out[(y * outW + x) * c + ch] = image.data[from + ch]!
    }
  }
  return makeImage(out, outH, outW, c, image)
}

/** How {@link pad} fills the border, as torchvision's `padding_mode`. */
export type PaddingMode = 'constant' | 'edge' | 'reflect' | 'symmetric'

/** Pads left, top, right, bottom, like torchvision's `F.pad` on PIL images. */
export function pad(
  image: RawImage,
  [left, top, right, bottom]: readonly [number, number, number, number],
  fill: number | readonly number[] = 0,
  mode: PaddingMode = 'constant',
): RawImage {
  const [h, w, c] = dims(image)
  const outH = h + top + bottom
  const outW = w + left + right
  const out = new Uint8Array(outH * outW * c)
  const fills = Array.from({ length: c }, (_, ch) =>
    typeof fill === 'number' ? fill : (fill[ch] ?? fill[0] ?? 0),
  )
  const source = (i: number, n: number): number => {
    if (i >= 0 && i < n) return i
    if (mode === 'edge') return i < 0 ? 0 : n - 1
    if (mode === 'reflect') {
      const period = 2 * (n - 1)
      if (period === 0) return 0
      let m = ((i % period) + period) % period
      if (m >= n) m = period - m
      return m
    }
    // symmetric: the edge pixel repeats
    const period = 2 * n
    let m = ((i % period) + period) % period
    if (m >= n) m = period - 1 - m
    return m
  }
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const sy = y - top
      const sx = x - left
      const o = (y * outW + x) * c
      if (mode === 'constant' && (sy < 0 || sy >= h || sx < 0 || sx >= w)) {
        for (let ch = 0; ch < c; ch++) out[o + ch] = fills[ch]!
        continue
      }
      const i = (source(sy, h) * w + source(sx, w)) * c
      for (let ch = 0; ch < c; ch++) out[o + ch] = image.data[i + ch]!
    }
  }
  return makeImage(out, outH, outW, c, image)
}

/** The `height x width` region at row `top`, column `left` (zeros where it leaves the image), like `F.crop`. */
export function crop(
  image: RawImage,
  top: number,
  left: number,
  height: number,
  width: number,
): RawImage {
  const [h, w, c] = dims(image)
  const out = new Uint8Array(height * width * c)
  for (let y = 0; y < height; y++) {
    const sy = top + y
    if (sy < 0 || sy >= h) continue
    for (let x = 0; x < width; x++) {
      const sx = left + x
      if (sx < 0 || sx >= w) continue
      const i = (sy * w + sx) * c
      const o = (y * width + x) * c
      for (let ch = 0; ch < c; ch++) out[o + ch] = image.data[i + ch]!
    }
  }
  return makeImage(out, height, width, c, image)
}

/** Mirrors left to right. */
export function hflip(image: RawImage): RawImage {
  const [h, w, c] = dims(image)
  const out = new Uint8Array(h * w * c)
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * c
      const o = (y * w + (w - 1 - x)) * c
      for (let ch = 0; ch < c; ch++) out[o + ch] = image.data[i + ch]!
    }
  }
  return makeImage(out, h, w, c, image)
}

/** Python's `round(x, 15)` closely enough for cosines and sines. */
const round15 = (x: number): number => Math.round(x * 1e15) / 1e15

/**
 * Rotates by `angle` degrees counter-clockwise about the centre, keeping the size, with nearest
 * neighbour sampling and `fill` outside: Pillow's `Image.rotate(angle, NEAREST, fillcolor=fill)`
 * (as torchvision's `F.rotate` calls it), including its 16.16 fixed-point affine stepping.
 */
export function rotateNearest(
  image: RawImage,
  angle: number,
  fill: number | readonly number[] = 0,
): RawImage {
  const [h, w, c] = dims(image)
  const a = ((angle % 360) + 360) % 360
  if (a === 0) return makeImage(image.data.slice(), h, w, c, image)
  const fills = Array.from({ length: c }, (_, ch) =>
    typeof fill === 'number' ? fill : (fill[ch] ?? fill[0] ?? 0),
  )
  if (a === 180) {
    const out = new Uint8Array(h * w * c)
    for (let p = 0; p < h * w; p++) {
      for (let ch = 0; ch < c; ch++) out[(h * w - 1 - p) * c + ch] = image.data[p * c + ch]!
    }
    return makeImage(out, h, w, c, image)
  }
  if ((a === 90 || a === 270) && w === h) {
    const out = new Uint8Array(h * w * c)
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        // 90: out(x', y') = in(w-1-y', x'); 270: out = in(y', h-1-x')
        const [sy, sx] = a === 90 ? [x, w - 1 - y] : [h - 1 - x, y]
        for (let ch = 0; ch < c; ch++)
          out[(y * w + x) * c + ch] = image.data[(sy * w + sx) * c + ch]!
      }
    }
    return makeImage(out, h, w, c, image)
  }
  const theta = (-a * Math.PI) / 180
  const m = [
    round15(Math.cos(theta)),
    round15(Math.sin(theta)),
    0,
    round15(-Math.sin(theta)),
    round15(Math.cos(theta)),
    0,
  ]
  const cx = w / 2
  const cy = h / 2
  m[2] = m[0]! * -cx + m[1]! * -cy + m[2]! + cx
  m[5] = m[3]! * -cx + m[4]! * -cy + m[5]! + cy
  const out = new Uint8Array(h * w * c)
  for (let p = 0; p < h * w; p++) for (let ch = 0; ch < c; ch++) out[p * c + ch] = fills[ch]!
  const fits = (x: number, y: number) =>
    Math.abs(x * m[0]! + y * m[1]! + m[2]!) < 32768 &&
    Math.abs(x * m[3]! + y * m[4]! + m[5]!) < 32768
  const sample = (y: number, x: number, xin: number, yin: number) => {
    if (xin >= 0 && xin < w && yin >= 0 && yin < h) {
      const i = (yin * w + xin) * c
      const o = (y * w + x) * c
      for (let ch = 0; ch < c; ch++) out[o + ch] = image.data[i + ch]!
    }
  }
  if (fits(0, 0) && fits(w, h) && fits(0, h) && fits(w, 0)) {
    const fix = (v: number) => Math.floor(v * 65536 + 0.5) | 0
    const a0 = fix(m[0]!)
    const a1 = fix(m[1]!)
    const a3 = fix(m[3]!)
    const a4 = fix(m[4]!)
    let a2 = fix(m[2]! + m[0]! * 0.5 + m[1]! * 0.5)
    let a5 = fix(m[5]! + m[3]! * 0.5 + m[4]! * 0.5)
    for (let y = 0; y < h; y++) {
      let xx = a2
      let yy = a5
      for (let x = 0; x < w; x++) {
        sample(y, x, xx >> 16, yy >> 16)
        xx = (xx + a0) | 0
        yy = (yy + a3) | 0
      }
      a2 = (a2 + a1) | 0
      a5 = (a5 + a4) | 0
    }
  } else {
    let xo = m[2]! + m[1]! * 0.5 + m[0]! * 0.5
    let yo = m[5]! + m[4]! * 0.5 + m[3]! * 0.5
    for (let y = 0; y < h; y++) {
      let xx = xo
      let yy = yo
      for (let x = 0; x < w; x++) {
        sample(y, x, coord(xx), coord(yy))
        xx += m[0]!
        yy += m[3]!
      }
      xo += m[1]!
      yo += m[4]!
    }
  }
  return makeImage(out, h, w, c, image)
}

/**
 * ITU-R 601-2 luma, `L = (19595 R + 38470 G + 7471 B + 32768) >> 16`: Pillow's `convert('L')`, what
 * torchvision's `Grayscale` does to PIL images. `outChannels` 3 repeats L three times.
 */
export function toGrayscale(image: RawImage, outChannels: 1 | 3 = 1): RawImage {
  const [h, w, c] = dims(image)
  const n = h * w
  const out = new Uint8Array(n * outChannels)
  for (let p = 0; p < n; p++) {
    const l =
      c >= 3
        ? (image.data[p * c]! * 19595 +
            image.data[p * c + 1]! * 38470 +
            image.data[p * c + 2]! * 7471 +
            0x8000) >>>
          16
        : image.data[p * c]!
    for (let ch = 0; ch < outChannels; ch++) out[p * outChannels + ch] = l
  }
  return outChannels === 1 ? { data: out, shape: [h, w] } : { data: out, shape: [h, w, 3] }
}

/** Python 3's `round(x)`: halves to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x)
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r
}
