import { OWN_DATA_LIMITS } from '../ownDataLimits.js'
import { isNode } from '../runtime.js'
import type { ImageHeader } from './imageHeader.js'
import { guardPng } from './pngGuard.js'

/**
 * Decoded pixels, 8 bits per sample, row-major, `channels` samples per pixel: 1 (gray), 2 (gray and
 * alpha), 3 (RGB) or 4 (RGBA).
 */
export interface DecodedPixels {
  readonly data: Uint8Array | Uint8ClampedArray
  readonly width: number
  readonly height: number
  readonly channels: 1 | 2 | 3 | 4
}

/**
 * Turns the bytes of a PNG or JPEG file into pixels. The readers call it only after the header
 * passed the size limits. Throws an `Error` whose message says what is wrong with the file (the
 * reader adds the file name).
 */
export interface ImageDecoder {
  /** `'library'` (fast-png and jpeg-js, pure JavaScript) or `'browser'` (the browser's decoders). */
  readonly name: string
  decode(bytes: Uint8Array, header: ImageHeader): Promise<DecodedPixels>
}

/**
 * Decodes with pure-JavaScript libraries: fast-png (PNG: every bit depth, colour type, palette and
 * interlacing) and jpeg-js (baseline and progressive JPEG). Runs anywhere; the default in Node. The
 * libraries are imported on first use, so a browser bundle that never uses this decoder does not
 * load them. Before fast-png sees a PNG, its compressed data is inflated in a capped stream (see
 * `guardPng`), and jpeg-js is given the pixel and memory limits too.
 */
export function libraryImageDecoder(limits: { maxImagePixels?: number } = {}): ImageDecoder {
  const maxPixels = limits.maxImagePixels ?? OWN_DATA_LIMITS.maxImagePixels
  return {
    name: 'library',
    async decode(bytes, header) {
      if (header.format === 'png') {
        const png = await import('fast-png')
        const decoded = png.decode(guardPng(bytes, header, OWN_DATA_LIMITS.pngInflateSlackBytes))
        let data = decoded.data
        let channels = decoded.channels
        if (decoded.palette) {
          data = png.convertIndexedToRgb(decoded)
          channels = decoded.palette[0]?.length === 4 ? 4 : 3
        }
        if (data instanceof Uint16Array) {
          const eight = new Uint8Array(data.length)
          for (let i = 0; i < data.length; i++) eight[i] = data[i]! >> 8
          data = eight
        }
        return {
          data,
          width: decoded.width,
          height: decoded.height,
          channels: channels as 1 | 2 | 3 | 4,
        }
      }
      const mod = (await import('jpeg-js')) as unknown as { default?: JpegJs } & JpegJs
      const jpeg = mod.default ?? mod
      const decoded = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: false,
        tolerantDecoding: false,
        maxResolutionInMP: Math.ceil(maxPixels / 1e6),
        maxMemoryUsageInMB: Math.ceil((maxPixels * 4 * 3) / 2 ** 20) + 16,
      })
      const { width, height } = decoded
      if (header.channels === 1) {
        // jpeg-js writes gray JPEGs as RGB with three equal samples: keep one.
        const gray = new Uint8Array(width * height)
        for (let p = 0; p < gray.length; p++) gray[p] = decoded.data[p * 3]!
        return { data: gray, width, height, channels: 1 }
      }
      return { data: decoded.data, width, height, channels: 3 }
    },
  }
}

interface JpegJs {
  decode(
    data: Uint8Array,
    options: {
      useTArray: true
      formatAsRGBA: boolean
      tolerantDecoding: boolean
      maxResolutionInMP: number
      maxMemoryUsageInMB: number
    },
  ): { width: number; height: number; data: Uint8Array }
}

/** The browser globals {@link browserImageDecoder} uses. */
interface BrowserImageGlobals {
  createImageBitmap(
    image: Blob,
    options?: { colorSpaceConversion?: 'none'; premultiplyAlpha?: 'none' },
  ): Promise<{ width: number; height: number; close(): void }>
  OffscreenCanvas: new (
    width: number,
    height: number,
  ) => {
    getContext(
      kind: '2d',
      options?: { willReadFrequently?: boolean },
    ): {
      drawImage(image: unknown, x: number, y: number): void
      getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray }
    } | null
  }
}

/**
 * Decodes with the browser's own decoders, in a page or a Web Worker: `createImageBitmap` (with no
 * colour-space conversion and no alpha premultiplication, so pixels are the file's) drawn on an
 * `OffscreenCanvas` and read back as RGBA. The size was checked from the header before, so the
 * browser never gets an oversized image.
 */
export function browserImageDecoder(): ImageDecoder {
  const g = globalThis as unknown as BrowserImageGlobals
  return {
    name: 'browser',
    async decode(bytes, header) {
      const type = header.format === 'png' ? 'image/png' : 'image/jpeg'
      let bitmap: Awaited<ReturnType<BrowserImageGlobals['createImageBitmap']>>
      try {
        bitmap = await g.createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), {
          colorSpaceConversion: 'none',
          premultiplyAlpha: 'none',
        })
      } catch (error) {
        throw new Error(`the browser cannot decode it (${(error as Error).message})`)
      }
      try {
        const { width, height } = bitmap
        const canvas = new g.OffscreenCanvas(width, height)
        const context = canvas.getContext('2d', { willReadFrequently: true })
        if (!context) throw new Error('no 2d context on OffscreenCanvas')
        context.drawImage(bitmap, 0, 0)
        return { data: context.getImageData(0, 0, width, height).data, width, height, channels: 4 }
      } finally {
        bitmap.close()
      }
    },
  }
}

/** True where {@link browserImageDecoder} can run: a browser page or worker, not Node. */
export function hasBrowserImageDecoding(): boolean {
  const g = globalThis as Partial<BrowserImageGlobals>
  return (
    !isNode() &&
    typeof g.createImageBitmap === 'function' &&
    typeof g.OffscreenCanvas === 'function'
  )
}

/**
 * The decoder the readers use unless given one: {@link browserImageDecoder} where the browser's
 * `createImageBitmap` and `OffscreenCanvas` exist (pages and workers of current browsers), else
 * {@link libraryImageDecoder} (Node, and older workers).
 */
export function defaultImageDecoder(limits: { maxImagePixels?: number } = {}): ImageDecoder {
  return hasBrowserImageDecoding() ? browserImageDecoder() : libraryImageDecoder(limits)
}

/**
 * Converts decoded pixels to 1 (gray) or 3 (RGB) channels as Pillow's `convert('L')` /
 * `convert('RGB')` do: alpha is dropped (not blended), gray is repeated, RGB becomes
 * `(19595 R + 38470 G + 7471 B + 32768) >> 16`.
 */
export function toChannels(pixels: DecodedPixels, channels: 1 | 3): Uint8Array {
  const { data, width, height, channels: c } = pixels
  const n = width * height
  if (channels === c)
    return data instanceof Uint8Array
      ? data
      : new Uint8Array(data.buffer, data.byteOffset, data.length)
  const out = new Uint8Array(n * channels)
  for (let p = 0; p < n; p++) {
    const i = p * c
    if (channels === 1) {
      out[p] =
        c >= 3
          ? (data[i]! * 19595 + data[i + 1]! * 38470 + data[i + 2]! * 7471 + 0x8000) >>> 16
          : data[i]!
    } else if (c >= 3) {
      out[p * 3] = data[i]!
      out[p * 3 + 1] = data[i + 1]!
      out[p * 3 + 2] = data[i + 2]!
    } else {
      out[p * 3] = out[p * 3 + 1] = out[p * 3 + 2] = data[i]!
    }
  }
  return out
}
