import { md5Hex } from '@tensorloom/data'

/** Cache Storage name of downloaded datasets (the same as @tensorloom/data's browser default). */
export const DATASET_CACHE = 'tensorloom-datasets'

/** Bytes received of one file, while downloading. */
export type DownloadProgress = (file: string, loaded: number, total: number | null) => void

/** A mirror's URL without the scheme and the file name, for messages. */
const shortUrl = (url: string) => url.replace(/^[a-z]+:\/\//, '').replace(/[^/]*$/, '')

const joinUrl = (base: string, file: string) => `${base.replace(/\/+$/, '')}/${file}`

async function openCache(): Promise<Cache | null> {
  try {
    return (await globalThis.caches?.open(DATASET_CACHE)) ?? null
  } catch {
    return null
  }
}

async function fetchBytes(url: string, file: string, onProgress: DownloadProgress) {
  const response = await fetch(url)
  if (!response.ok) throw new Error(`HTTP ${response.status}`)
  const length = Number(response.headers.get('content-length'))
  const total = Number.isFinite(length) && length > 0 ? length : null
  if (!response.body) return new Uint8Array(await response.arrayBuffer())
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let loaded = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    loaded += value.length
    onProgress(file, loaded, total)
  }
  const bytes = new Uint8Array(loaded)
  let at = 0
  for (const chunk of chunks) {
    bytes.set(chunk, at)
    at += chunk.length
  }
  return bytes
}

/**
 * One file of a dataset, as torchvision's `download` gets it: from Cache Storage when a copy with
 * the right MD5 is there, else from the first mirror that sends it with that MD5 (a copy that does
 * not match is never kept). The error lists every mirror and why it failed.
 */
export async function fetchVerified(options: {
  file: string
  mirrors: readonly string[]
  md5: string
  onProgress: DownloadProgress
}): Promise<{ bytes: Uint8Array; url: string; cached: boolean }> {
  const { file, mirrors, md5, onProgress } = options
  const cache = await openCache()
  const urls = mirrors.map((m) => joinUrl(m, file))
  if (cache) {
    for (const url of urls) {
      const hit = await cache.match(url)
      if (!hit) continue
      const bytes = new Uint8Array(await hit.arrayBuffer())
      if (md5Hex(bytes) === md5) return { bytes, url, cached: true }
      await cache.delete(url)
    }
  }
  const failures: string[] = []
  for (const url of urls) {
    let bytes: Uint8Array
    try {
      bytes = await fetchBytes(url, file, onProgress)
    } catch (error) {
      // fetch says only "Failed to fetch" for a refused connection, a missing CORS header or a
      // CSP block alike.
      failures.push(`${shortUrl(url)} (${(error as Error).message})`)
      continue
    }
    const got = md5Hex(bytes)
    if (got !== md5) {
      failures.push(`${shortUrl(url)} (MD5 ${got}, expected ${md5})`)
      continue
    }
    await cache
      ?.put(
        url,
        new Response(bytes.slice().buffer, { headers: { 'content-length': String(bytes.length) } }),
      )
      .catch(() => {})
    return { bytes, url, cached: false }
  }
  throw new Error(`${file} from ${failures.join(', ')}`)
}
