/**
 * What an image file's first bytes say, read without decoding it: format, size and colour type.
 * Enough to refuse a 50,000 x 50,000 image before a single pixel is allocated, and to report the
 * sizes and channels of a folder without decoding it.
 */

/** A PNG or JPEG header. */
export interface ImageHeader {
  readonly format: 'png' | 'jpeg'
  readonly width: number
  readonly height: number
  /** 1 for grayscale (PNG colour types 0 and 4, one-component JPEG), 3 otherwise. */
  readonly channels: 1 | 3
  /** PNG only: bit depth, colour type and interlace method of the IHDR chunk. */
  readonly png?: { bitDepth: number; colorType: number; interlace: number }
}

/** Why a file's header could not be read. */
export type HeaderProblem =
  | { readonly kind: 'empty' }
  | { readonly kind: 'other-image'; readonly format: string }
  | { readonly kind: 'not-an-image'; readonly firstBytes: string }
  | { readonly kind: 'corrupt'; readonly format: 'png' | 'jpeg'; readonly reason: string }

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

const startsWith = (bytes: Uint8Array, prefix: readonly number[]) =>
  bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b)

/** Other image formats, recognised to say so (they are not decoded). */
function otherFormat(b: Uint8Array): string | undefined {
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to))
  if (ascii(0, 4) === 'GIF8') return 'GIF'
  if (ascii(0, 2) === 'BM') return 'BMP'
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'WebP'
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a]))
    return 'TIFF'
  if (/^P[1-6]\s/.test(ascii(0, 3))) return 'PNM'
  if (ascii(4, 12) === 'ftypavif' || ascii(4, 12) === 'ftypheic') return 'AVIF/HEIC'
  return undefined
}

/** Reads the header of a PNG or JPEG file, or says why it cannot. */
export function readImageHeader(bytes: Uint8Array): ImageHeader | HeaderProblem {
  if (bytes.length === 0) return { kind: 'empty' }
  if (startsWith(bytes, PNG_SIGNATURE)) return readPngHeader(bytes)
  if (startsWith(bytes, [0xff, 0xd8])) return readJpegHeader(bytes)
  const other = otherFormat(bytes)
  if (other) return { kind: 'other-image', format: other }
  const firstBytes = Array.from(bytes.subarray(0, 4), (v) => v.toString(16).padStart(2, '0')).join(
    ' ',
  )
  return { kind: 'not-an-image', firstBytes }
}

/** True when `header` is a readable header rather than a problem. */
export function isHeader(header: ImageHeader | HeaderProblem): header is ImageHeader {
  return 'format' in header && 'width' in header
}

function readPngHeader(b: Uint8Array): ImageHeader | HeaderProblem {
  const corrupt = (reason: string): HeaderProblem => ({ kind: 'corrupt', format: 'png', reason })
  if (b.length < 33) return corrupt(`truncated: ${b.length} bytes, the header alone needs 33`)
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength)
  if (view.getUint32(8) !== 13 || String.fromCharCode(...b.subarray(12, 16)) !== 'IHDR') {
    return corrupt('the first chunk is not a 13-byte IHDR')
  }
  const width = view.getUint32(16)
  const height = view.getUint32(20)
  const bitDepth = b[24]!
  const colorType = b[25]!
  const interlace = b[28]!
  const depths: Record<number, number[]> = {
    0: [1, 2, 4, 8, 16],
    2: [8, 16],
    3: [1, 2, 4, 8],
    4: [8, 16],
    6: [8, 16],
  }
  if (!depths[colorType]?.includes(bitDepth)) {
    return corrupt(`invalid colour type ${colorType} with bit depth ${bitDepth}`)
  }
  if (width === 0 || height === 0) return corrupt(`zero size ${width} x ${height}`)
  if (interlace > 1) return corrupt(`unknown interlace method ${interlace}`)
  const channels = colorType === 0 || colorType === 4 ? 1 : 3
  return { format: 'png', width, height, channels, png: { bitDepth, colorType, interlace } }
}

function readJpegHeader(b: Uint8Array): ImageHeader | HeaderProblem {
  const corrupt = (reason: string): HeaderProblem => ({ kind: 'corrupt', format: 'jpeg', reason })
  let i = 2
  while (i < b.length) {
    if (b[i] !== 0xff) return corrupt(`expected a marker at byte ${i}`)
    while (b[i] === 0xff) i++
    const marker = b[i++]
    if (marker === undefined) break
    if (marker === 0xd9 || marker === 0xda)
      return corrupt('no frame header (SOF) before the image data')
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue
    if (i + 2 > b.length) break
    const length = (b[i]! << 8) | b[i + 1]!
    if (length < 2) return corrupt(`segment length ${length} at byte ${i}`)
    const isSof =
      marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
    if (isSof) {
      if (i + 8 > b.length) break
      const height = (b[i + 3]! << 8) | b[i + 4]!
      const width = (b[i + 5]! << 8) | b[i + 6]!
      const components = b[i + 7]!
      if (width === 0 || height === 0) return corrupt(`zero size ${width} x ${height}`)
      if (![1, 3, 4].includes(components)) return corrupt(`${components} colour components`)
      return { format: 'jpeg', width, height, channels: components === 1 ? 1 : 3 }
    }
    i += length
  }
  return corrupt(`truncated: ${b.length} bytes end before the frame header`)
}
