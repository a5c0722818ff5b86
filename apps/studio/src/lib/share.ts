import type { GraphDocument } from '@tensorloom/graph'
import { safeParseGraph } from '@tensorloom/graph'
import { deflateSync, strToU8 } from 'fflate'
import { inflateCapped } from './inflateCapped'
import { MAX_DOCUMENT_BYTES, MAX_SHARE_LINK_CHARS } from './limits'

/** The URL hash key that carries a shared graph: `#graph=<deflate+base64url>`. */
export const SHARE_KEY = 'graph'

function toBase64Url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/')
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4))
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}

/** Compresses a graph into a URL-safe string for the hash. */
export function encodeGraph(doc: GraphDocument): string {
  return toBase64Url(deflateSync(strToU8(JSON.stringify(doc)), { level: 9 }))
}

const damaged = {
  ok: false,
  message: 'The shared link is damaged: its graph could not be decompressed.',
} as const

/**
 * Decodes a shared graph; returns an error message when the text is not a valid graph. Bounded:
 * a link longer than `MAX_SHARE_LINK_CHARS` is refused unread, and the graph is inflated as a
 * stream that stops at the document limit (`MAX_DOCUMENT_BYTES`), so a decompression bomb costs
 * no more memory than a legitimate 5 MiB document.
 */
export function decodeGraph(
  text: string,
): { ok: true; doc: GraphDocument } | { ok: false; message: string } {
  if (text.length > MAX_SHARE_LINK_CHARS) {
    return {
      ok: false,
      message: `The shared link is too long (${text.length.toLocaleString('en-US')} characters; at most ${MAX_SHARE_LINK_CHARS.toLocaleString('en-US')} are read).`,
    }
  }
  let bytes: Uint8Array | null
  try {
    bytes = fromBase64Url(text)
  } catch {
    bytes = null
  }
  if (!bytes) return damaged
  const inflated = inflateCapped(bytes, MAX_DOCUMENT_BYTES, 'deflate')
  if (!inflated.ok) {
    return inflated.reason === 'corrupt'
      ? damaged
      : {
          ok: false,
          message: `The shared link's graph is too large: ${inflated.detail}, more than the ${MAX_DOCUMENT_BYTES.toLocaleString('en-US')}-byte limit of a graph document. Decompressing stopped there.`,
        }
  }
  let json: string
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(inflated.data)
  } catch {
    return damaged
  }
  const parsed = safeParseGraph(json)
  return parsed.ok ? parsed : { ok: false, message: parsed.error.message }
}

/**
 * The text of a graph file the user opened: read only when it is at most the document limit, and
 * inflated (capped at it) when it is gzip-compressed (`.json.gz`). An error message otherwise.
 */
export async function readGraphFile(
  file: Blob,
): Promise<{ ok: true; text: string } | { ok: false; message: string }> {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer())
  const gzip = head[0] === 0x1f && head[1] === 0x8b
  if (file.size > MAX_DOCUMENT_BYTES) {
    return {
      ok: false,
      message: `the file is ${file.size.toLocaleString('en-US')} bytes, more than the ${MAX_DOCUMENT_BYTES.toLocaleString('en-US')}-byte limit of a graph document: is it the right file?`,
    }
  }
  if (!gzip) return { ok: true, text: await file.text() }
  const inflated = inflateCapped(
    new Uint8Array(await file.arrayBuffer()),
    MAX_DOCUMENT_BYTES,
    'gzip',
  )
  if (!inflated.ok) {
    return {
      ok: false,
      message:
        inflated.reason === 'too-large'
          ? `the compressed file is too large: ${inflated.detail}, more than the ${MAX_DOCUMENT_BYTES.toLocaleString('en-US')}-byte limit of a graph document`
          : `the compressed file is damaged (${inflated.detail})`,
    }
  }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(inflated.data) }
  } catch {
    return { ok: false, message: 'the file is not UTF-8 text' }
  }
}

/** A full share URL for `doc`, based on `location`. */
export function shareUrl(doc: GraphDocument, location: { origin: string; pathname: string }) {
  return `${location.origin}${location.pathname}#${SHARE_KEY}=${encodeGraph(doc)}`
}

/** Reads the shared graph text out of a location hash, if there is one. */
export function sharedGraphFromHash(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''))
  return params.get(SHARE_KEY)
}
