import { Gunzip, Inflate } from 'fflate'
import { MAX_DEFLATE_RATIO } from './limits'

/** Compressed bytes pushed per step: small enough that no step can inflate far past the cap. */
const MIN_STEP = 1024
const MAX_STEP = 65536

/** Why {@link inflateCapped} gave up. */
export type InflateFailure = { ok: false; reason: 'too-large' | 'corrupt'; detail: string }

/**
 * Inflates raw deflate (`format: 'deflate'`, what share links hold) or gzip data as a stream,
 * stopping as soon as the output passes `maxBytes`: it is fed in steps whose worst-case output
 * (deflate inflates at most about 1032-fold) just fits what is left, so a 1 MB bomb that would
 * inflate to gigabytes costs at most about `maxBytes` of memory. Never throws.
 */
export function inflateCapped(
  bytes: Uint8Array,
  maxBytes: number,
  format: 'deflate' | 'gzip',
): { ok: true; data: Uint8Array } | InflateFailure {
  const chunks: Uint8Array[] = []
  let length = 0
  let over = false
  let ended = false
  const onData = (chunk: Uint8Array, final: boolean) => {
    if (over) return
    if (length + chunk.length > maxBytes) {
      over = true
      return
    }
    chunks.push(chunk)
    length += chunk.length
    if (final) ended = true
  }
  const stream = format === 'gzip' ? new Gunzip(onData) : new Inflate(onData)
  try {
    let at = 0
    while (at < bytes.length && !over) {
      const room = Math.ceil((maxBytes - length) / MAX_DEFLATE_RATIO) + 1
      const step = Math.min(MAX_STEP, Math.max(MIN_STEP, room))
      const end = Math.min(bytes.length, at + step)
      stream.push(bytes.subarray(at, end), end >= bytes.length)
      at = end
    }
    if (bytes.length === 0) stream.push(new Uint8Array(0), true)
  } catch (error) {
    if (over) return tooLarge(maxBytes)
    return {
      ok: false,
      reason: 'corrupt',
      detail: error instanceof Error ? error.message : String(error),
    }
  }
  if (over) return tooLarge(maxBytes)
  if (!ended && format === 'deflate') {
    return {
      ok: false,
      reason: 'corrupt',
      detail: 'the data ends before the compressed stream does',
    }
  }
  const data = new Uint8Array(length)
  let offset = 0
  for (const chunk of chunks) {
    data.set(chunk, offset)
    offset += chunk.length
  }
  return { ok: true, data }
}

const tooLarge = (maxBytes: number): InflateFailure => ({
  ok: false,
  reason: 'too-large',
  detail: `it inflates to more than ${maxBytes.toLocaleString('en-US')} bytes`,
})
