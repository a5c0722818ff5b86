import { Gunzip } from 'fflate'
import { IdxError } from './errors.js'

const FHCRC = 2
const FEXTRA = 4
const FNAME = 8
const FCOMMENT = 16

/** Deflate's largest expansion: one input byte inflates to at most about 1032 output bytes. */
const MAX_DEFLATE_RATIO = 1032
/** Compressed bytes pushed per step while the first output decides the size, and at most after. */
const HEAD_STEP = 1024
const MAX_STEP = 65536

/** True when `bytes` starts with the gzip magic number (0x1f 0x8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b
}

let crcTable: Uint32Array | undefined

/** CRC-32 (IEEE 802.3), as stored in gzip trailers. */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      crcTable[n] = c >>> 0
    }
  }
  const table = crcTable
  let crc = 0xffffffff
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

/**
 * What the first inflated bytes say about the whole output: its exact size in bytes, `'more'` while
 * they do not tell yet, or `'stop'` when they already show the data is unusable (inflating stops and
 * the bytes so far are returned). May throw to reject the data outright.
 */
export type SizeFromHead = (head: Uint8Array) => number | 'more' | 'stop'

/** Bounds of {@link gunzip}. */
export interface GunzipOptions {
  /** The most bytes the output may have (default: no cap). */
  maxBytes?: number
  /** Consulted as output arrives until it returns a size or `'stop'`; a size lowers the cap. */
  sizeFromHead?: SizeFromHead
}

/** What {@link gunzip} inflated. */
export interface Gunzipped {
  /** The output: all of it, or what came before inflating stopped. */
  data: Uint8Array
  /**
   * Why inflating stopped early, with the trailer unchecked: `'head'` when `sizeFromHead` said stop,
   * `'limit'` when the output grew past `limit`. Unset when the whole member was inflated and its
   * trailer checked.
   */
  stopped?: 'head' | 'limit'
  /** The cap in force at the end (`maxBytes`, or the size `sizeFromHead` gave if smaller). */
  limit: number
}

/** Checks the header of the gzip member at the start of `bytes`; throws `IDX_BAD_GZIP`. */
function checkHeader(bytes: Uint8Array, fail: (reason: string) => never): void {
  if (!isGzip(bytes)) fail('missing gzip magic number 0x1f 0x8b')
  if (bytes.length < 18) fail(`only ${bytes.length} bytes, shorter than any gzip file`)
  if (bytes[2] !== 8) fail(`unsupported compression method ${bytes[2]} (only deflate, 8, exists)`)
  const flags = bytes[3]!
  let pos = 10
  if (flags & FEXTRA) pos += 2 + (bytes[pos]! | (bytes[pos + 1]! << 8))
  const skipZeroTerminated = () => {
    while (pos < bytes.length && bytes[pos] !== 0) pos++
    pos++
  }
  if (flags & FNAME) skipZeroTerminated()
  if (flags & FCOMMENT) skipZeroTerminated()
  if (flags & FHCRC) pos += 2
  if (pos + 8 > bytes.length) fail('the header runs past the end of the data')
}

/** Checks a member's trailer (CRC-32 and length, the 8 bytes before `end`) against its output. */
function checkTrailer(
  bytes: Uint8Array,
  end: number,
  crc: number,
  length: number,
  member: number,
  fail: (reason: string) => never,
): void {
  if (end < 8) fail('the trailer is missing')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const storedCrc = view.getUint32(end - 8, true)
  const storedSize = view.getUint32(end - 4, true)
  const which = member > 0 ? ` of member ${member + 1}` : ''
  if (storedSize !== length % 2 ** 32) {
    fail(`inflated to ${length} bytes${which}, but the trailer says ${storedSize}`)
  }
  if (storedCrc !== crc) {
    fail(
      `CRC-32 of the inflated data${which} is ${crc.toString(16).padStart(8, '0')}, but the trailer says ${storedCrc.toString(16).padStart(8, '0')}`,
    )
  }
}

/**
 * Inflates a gzip file as a stream, stopping as soon as the output passes its cap (`maxBytes`,
 * lowered to what `sizeFromHead` reads from the first bytes), so a small file cannot inflate to
 * exhaust memory. Multi-member files (what `cat a.gz b.gz` makes) inflate to their members' data
 * in order, as gzip(1) and zlib do. Every complete member has its trailer (CRC-32 and length)
 * checked, so a truncated or damaged file is reported instead of silently producing wrong data.
 * Throws {@link IdxError} `IDX_BAD_GZIP` naming `file`.
 */
export function gunzip(
  bytes: Uint8Array,
  file = '<bytes>',
  options: GunzipOptions = {},
): Gunzipped {
  const fail = (reason: string, cause?: unknown): never => {
    throw new IdxError('IDX_BAD_GZIP', { file, reason }, { cause })
  }
  checkHeader(bytes, fail)
  const { sizeFromHead } = options
  let limit = options.maxBytes ?? Number.POSITIVE_INFINITY
  let decided = sizeFromHead === undefined
  let stopped: Gunzipped['stopped']
  let out = new Uint8Array(Math.min(limit, Math.max(HEAD_STEP, 4 * bytes.length)))
  let length = 0
  // The member being inflated: its index, where its output starts.
  let member = 0
  let memberStart = 0
  const inflater = new Gunzip((chunk) => {
    if (stopped) return
    const fits = Math.min(chunk.length, limit - length)
    if (length + fits > out.length) {
      const grown = new Uint8Array(Math.min(limit, Math.max(length + fits, 2 * out.length)))
      grown.set(out.subarray(0, length))
      out = grown
    }
    out.set(chunk.subarray(0, fits), length)
    length += fits
    if (!decided && sizeFromHead) {
      const verdict = sizeFromHead(out.subarray(0, length))
      if (verdict === 'stop') {
        stopped = 'head'
        return
      }
      if (verdict !== 'more') {
        decided = true
        limit = Math.min(limit, verdict)
      }
    }
    if (fits < chunk.length || length > limit) stopped = 'limit'
  })
  // A new member starts at `offset`: the previous one ended with its trailer just before.
  inflater.onmember = (offset) => {
    if (stopped) return
    checkHeader(bytes.subarray(offset), fail)
    const data = out.subarray(memberStart, length)
    checkTrailer(bytes, offset, crc32(data), data.length, member, fail)
    member++
    memberStart = length
  }
  try {
    let at = 0
    do {
      // Small steps until the size is known, then steps whose worst-case output just fits the cap.
      const room = Math.ceil((limit - length) / MAX_DEFLATE_RATIO) + 1
      const step = decided ? Math.min(MAX_STEP, Math.max(HEAD_STEP, room)) : HEAD_STEP
      inflater.push(bytes.subarray(at, at + step), at + step >= bytes.length)
      at += step
    } while (at < bytes.length && !stopped)
  } catch (error) {
    if (error instanceof IdxError) throw error
    return fail(error instanceof Error ? error.message : String(error), error)
  }
  const data = length === out.length ? out : out.slice(0, length)
  if (stopped) return { data, stopped, limit }
  const last = data.subarray(memberStart)
  checkTrailer(bytes, bytes.length, crc32(last), last.length, member, fail)
  return { data, limit }
}
