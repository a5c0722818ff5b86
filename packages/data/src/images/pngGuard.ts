import { Unzlib } from 'fflate'
import type { ImageHeader } from './imageHeader.js'

const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }

/** Bytes the filtered, inflated image data of a PNG takes (one filter byte per row, per pass). */
export function pngInflatedSize(header: ImageHeader): number {
  const { bitDepth, colorType, interlace } = header.png!
  const bits = SAMPLES[colorType]! * bitDepth
  const rowBytes = (w: number) => 1 + Math.ceil((w * bits) / 8)
  const { width: w, height: h } = header
  if (interlace === 0) return h * rowBytes(w)
  // Adam7: [x0, y0, dx, dy] of the seven passes.
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ] as const
  let total = 0
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.ceil((w - x0) / dx)
    const ph = Math.ceil((h - y0) / dy)
    if (pw > 0 && ph > 0) total += ph * rowBytes(pw)
  }
  return total
}

/**
 * Checks a PNG's chunk structure and that its image data inflates to no more than its header
 * needs (plus `slack`), inflating in a stream that stops at once when it passes that: a PNG whose
 * compressed data would inflate to gigabytes costs at most its declared size. Returns a copy with
 * only the chunks a decoder needs (IHDR, PLTE, tRNS, IDAT, IEND), so no compressed ancillary chunk
 * (iCCP, zTXt, iTXt) is ever inflated; or throws an Error saying what is wrong.
 */
export function guardPng(bytes: Uint8Array, header: ImageHeader, slack: number): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const kept: Uint8Array[] = [bytes.subarray(0, 8)]
  const idat: Uint8Array[] = []
  let at = 8
  let ended = false
  while (at < bytes.length) {
    if (at + 12 > bytes.length)
      throw new Error(`truncated: a chunk header at byte ${at} is cut off`)
    const length = view.getUint32(at)
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8))
    if (at + 12 + length > bytes.length) {
      throw new Error(
        `truncated: the ${type} chunk at byte ${at} needs ${length} bytes, ${bytes.length - at - 12} remain`,
      )
    }
    const chunk = bytes.subarray(at, at + 12 + length)
    if (['IHDR', 'PLTE', 'tRNS', 'IDAT'].includes(type)) kept.push(chunk)
    if (type === 'IDAT') idat.push(bytes.subarray(at + 8, at + 8 + length))
    at += 12 + length
    if (type === 'IEND') {
      kept.push(chunk)
      ended = true
      break
    }
  }
  if (idat.length === 0) throw new Error('truncated: no image data (IDAT)')
  if (!ended) throw new Error('truncated: no IEND chunk')
  const cap = pngInflatedSize(header) + slack
  let produced = 0
  let done = false
  const inflater = new Unzlib((chunk, final) => {
    produced += chunk.length
    if (produced > cap)
      throw new Error(
        `the image data inflates past the ${cap} bytes its header needs (a decompression bomb?)`,
      )
    if (final) done = true
  })
  try {
    for (const part of idat) {
      // 1 KiB of deflate data inflates to at most about 1 MiB: what passing the cap can cost.
      for (let i = 0; i < part.length; i += 1024) inflater.push(part.subarray(i, i + 1024), false)
    }
    inflater.push(new Uint8Array(0), true)
  } catch (error) {
    const message = (error as Error).message
    throw new Error(
      message.includes('inflates past') ? message : `the image data is corrupt (${message})`,
    )
  }
  if (!done || produced < pngInflatedSize(header)) {
    throw new Error(
      `truncated: the image data inflates to ${produced} bytes, the header needs ${pngInflatedSize(header)}`,
    )
  }
  const out = new Uint8Array(kept.reduce((n, c) => n + c.length, 0))
  let o = 0
  for (const c of kept) {
    out.set(c, o)
    o += c.length
  }
  return out
}
