import type { GraphDocument } from '@tensorloom/graph'
import { safeParseGraph } from '@tensorloom/graph'
import { deflateSync, inflateSync, strFromU8, strToU8 } from 'fflate'

/** The URL hash key that carries a shared graph: `#graph=<deflate+base64url>`. */
export const SHARE_KEY = 'graph'

function toBase64Url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function fromBase64Url(text: string): Uint8Array {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/')
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4))
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}

/** Compresses a graph into a URL-safe string for the hash. */
export function encodeGraph(doc: GraphDocument): string {
  return toBase64Url(deflateSync(strToU8(JSON.stringify(doc)), { level: 9 }))
}

/** Decodes a shared graph; returns an error message when the text is not a valid graph. */
export function decodeGraph(
  text: string,
): { ok: true; doc: GraphDocument } | { ok: false; message: string } {
  let json: string
  try {
    json = strFromU8(inflateSync(fromBase64Url(text)))
  } catch {
    return {
      ok: false,
      message: 'The shared link is damaged: its graph could not be decompressed.',
    }
  }
  const parsed = safeParseGraph(json)
  return parsed.ok ? parsed : { ok: false, message: parsed.error.message }
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
