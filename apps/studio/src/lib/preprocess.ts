/** A grayscale image: row-major values in [0, 1], 0 = background (black), 1 = ink. */
export interface Gray {
  width: number
  height: number
  data: Float32Array
}

/** Each step of MNIST's preprocessing, kept so the studio can show them. */
export interface DigitSteps {
  /** The drawing cropped to the bounding box of its ink. */
  cropped: Gray
  /** The crop scaled (aspect kept) so its longer side is 20 pixels. */
  scaled: Gray
  /** The scaled digit placed in 28x28 with its centre of mass at the centre. */
  centred: Gray
}

const INK_THRESHOLD = 0.05

/** The bounding box of pixels brighter than the threshold, or null for an empty image. */
export function inkBounds(img: Gray): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = img.width
  let y0 = img.height
  let x1 = -1
  let y1 = -1
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      if (img.data[y * img.width + x]! > INK_THRESHOLD) {
        if (x < x0) x0 = x
        if (x > x1) x1 = x
        if (y < y0) y0 = y
        if (y > y1) y1 = y
      }
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 }
}

export function crop(img: Gray, box: { x0: number; y0: number; x1: number; y1: number }): Gray {
  const width = box.x1 - box.x0
  const height = box.y1 - box.y0
  const data = new Float32Array(width * height)
  for (let y = 0; y < height; y++) {
    const row = (box.y0 + y) * img.width + box.x0
    data.set(img.data.subarray(row, row + width), y * width)
  }
  return { width, height, data }
}

/** Resamples one axis with an exact box filter (each output pixel averages the area it covers). */
function resampleAxis(src: Float32Array, n: number, m: number, count: number, stride: number) {
  // src holds `count` lines of length n (elements `stride` apart); returns lines of length m.
  const out = new Float32Array(count * m)
  const scale = n / m
  for (let line = 0; line < count; line++) {
    for (let j = 0; j < m; j++) {
      const start = j * scale
      const end = start + scale
      let sum = 0
      for (let i = Math.floor(start); i < Math.ceil(end) && i < n; i++) {
        const overlap = Math.min(end, i + 1) - Math.max(start, i)
        sum += overlap * src[stride === 1 ? line * n + i : i * count + line]!
      }
      out[stride === 1 ? line * m + j : j * count + line] = sum / scale
    }
  }
  return out
}

/** Area-averaging resize, the anti-aliased downscale MNIST's digits went through. */
export function resizeArea(img: Gray, width: number, height: number): Gray {
  const rows = resampleAxis(img.data, img.width, width, img.height, 1)
  const data = resampleAxis(rows, img.height, height, width, width)
  return { width, height, data }
}

/** Centre of mass (x, y) of an image's intensity. */
export function centreOfMass(img: Gray): { x: number; y: number } {
  let total = 0
  let sx = 0
  let sy = 0
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const v = img.data[y * img.width + x]!
      total += v
      sx += v * (x + 0.5)
      sy += v * (y + 0.5)
    }
  }
  return total === 0 ? { x: img.width / 2, y: img.height / 2 } : { x: sx / total, y: sy / total }
}

/**
 * Turns a drawing into an MNIST-like 28x28 image the way MNIST was made: crop to the ink, scale the
 * longer side to 20 pixels keeping the aspect ratio, then place it in 28x28 so the centre of mass is
 * at the centre. Returns null when nothing is drawn.
 */
export function preprocessDigit(drawing: Gray): DigitSteps | null {
  const box = inkBounds(drawing)
  if (!box) return null
  const cropped = crop(drawing, box)
  const factor = 20 / Math.max(cropped.width, cropped.height)
  const scaled = resizeArea(
    cropped,
    Math.max(1, Math.round(cropped.width * factor)),
    Math.max(1, Math.round(cropped.height * factor)),
  )
  const com = centreOfMass(scaled)
  const dx = Math.round(14 - com.x)
  const dy = Math.round(14 - com.y)
  const centred = new Float32Array(28 * 28)
  for (let y = 0; y < scaled.height; y++) {
    for (let x = 0; x < scaled.width; x++) {
      const tx = x + dx
      const ty = y + dy
      if (tx >= 0 && tx < 28 && ty >= 0 && ty < 28) {
        centred[ty * 28 + tx] = Math.min(1, scaled.data[y * scaled.width + x]!)
      }
    }
  }
  return { cropped, scaled, centred: { width: 28, height: 28, data: centred } }
}
