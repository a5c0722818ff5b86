import { type DownloadAttempt, DownloadError } from './errors.js'
import { DEFAULT_IDLE_TIMEOUT_MS } from './limits.js'
import { Md5 } from './md5.js'
import { importNode, isNode, type NodeCrypto } from './runtime.js'

/** What `onProgress` hears while files are fetched. */
export type DownloadEvent =
  | { readonly type: 'start'; readonly file: string; readonly url: string }
  | {
      readonly type: 'progress'
      readonly file: string
      readonly url: string
      /** Bytes received so far. */
      readonly receivedBytes: number
      /** Size announced by the server (`Content-Length`), when it did. */
      readonly totalBytes: number | undefined
    }
  | {
      readonly type: 'mirror-failed'
      readonly file: string
      readonly url: string
      /** Why this mirror failed; the next one is tried. */
      readonly attempt: DownloadAttempt
    }
  | { readonly type: 'done'; readonly file: string; readonly url: string; readonly bytes: number }
  | {
      readonly type: 'cached'
      readonly file: string
      /** Where the file was found (a path in Node, a cache key in the browser). */
      readonly location: string
    }

/** Receives the bytes of one attempt; `commit` makes them visible, `abort` discards them. */
export interface DownloadSink {
  write(chunk: Uint8Array): Promise<void> | void
  commit(): Promise<void> | void
  abort(): Promise<void> | void
}

/** One file to fetch from a list of mirrors. */
export interface DownloadRequest {
  /** File name appended to each mirror (e.g. `train-images-idx3-ubyte.gz`); may be empty. */
  readonly file: string
  /** Name used in events and errors (defaults to `file`). */
  readonly displayName?: string
  /** Base URLs, tried in order. */
  readonly mirrors: readonly string[]
  /** Expected MD5 (hex); checked before `commit` when given. */
  readonly md5?: string
  readonly onProgress?: (event: DownloadEvent) => void
  /** Cancels the download (rethrown as is, no further mirrors tried). */
  readonly signal?: AbortSignal
  /** Abort an attempt when no bytes arrive for this long (ms). */
  readonly idleTimeoutMs?: number
  /** Abort an attempt that announces or sends more bytes than this (`TOO_LARGE`). */
  readonly maxBytes?: number
}

interface Hasher {
  update(chunk: Uint8Array): void
  digest(): string
}

async function createHasher(): Promise<Hasher> {
  if (isNode()) {
    const crypto = await importNode<NodeCrypto>('crypto')
    const hash = crypto.createHash('md5')
    return { update: (c) => void hash.update(c), digest: () => hash.digest('hex') }
  }
  const md5 = new Md5()
  return { update: (c) => void md5.update(c), digest: () => md5.digestHex() }
}

/** MD5 (hex) of `bytes`: `node:crypto` in Node, the built-in {@link Md5} elsewhere. */
export async function md5Of(bytes: Uint8Array): Promise<string> {
  const hasher = await createHasher()
  hasher.update(bytes)
  return hasher.digest()
}

/** Joins a base URL and a file name with exactly one slash. */
export function joinUrl(base: string, file: string): string {
  if (file === '') return base
  return base.endsWith('/') ? base + file : `${base}/${file}`
}

class AttemptFailure extends Error {
  constructor(readonly attempt: Omit<DownloadAttempt, 'url'>) {
    super(attempt.message)
  }
}

/**
 * Fetches `request.file` from each mirror in turn until one succeeds: streams the body into a fresh
 * sink, checks the announced length and the MD5, and only then commits. A failed attempt aborts its
 * sink (nothing half-written stays behind) and moves on to the next mirror.
 *
 * @returns the URL that succeeded.
 * @throws {DownloadError} `DOWNLOAD_FAILED` with one attempt per mirror when all fail.
 */
export async function downloadWithMirrors(
  request: DownloadRequest,
  createSink: () => Promise<DownloadSink> | DownloadSink,
): Promise<string> {
  const attempts: DownloadAttempt[] = []
  const file = request.displayName ?? request.file
  for (const mirror of request.mirrors) {
    const url = joinUrl(mirror, request.file)
    request.signal?.throwIfAborted()
    request.onProgress?.({ type: 'start', file, url })
    const sink = await createSink()
    try {
      const bytes = await fetchInto(url, request, sink)
      await sink.commit()
      request.onProgress?.({ type: 'done', file, url, bytes })
      return url
    } catch (error) {
      await sink.abort()
      if (request.signal?.aborted) throw request.signal.reason ?? error
      const attempt: DownloadAttempt =
        error instanceof AttemptFailure
          ? { url, ...error.attempt }
          : {
              url,
              reason: 'NETWORK_ERROR',
              message: describeNetworkError(error),
            }
      attempts.push(attempt)
      request.onProgress?.({ type: 'mirror-failed', file, url, attempt })
    }
  }
  throw new DownloadError('DOWNLOAD_FAILED', { file, attempts })
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = (error as { cause?: unknown }).cause
  const detail = cause instanceof Error ? `: ${cause.message}` : ''
  return `${error.message}${detail}`
}

async function fetchInto(
  url: string,
  request: DownloadRequest,
  sink: DownloadSink,
): Promise<number> {
  const controller = new AbortController()
  const onAbort = () => controller.abort(request.signal?.reason)
  request.signal?.addEventListener('abort', onAbort, { once: true })
  const idleMs = request.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS
  let timedOut = false
  let timer: ReturnType<typeof setTimeout> | undefined
  const arm = () => {
    if (timer !== undefined) clearTimeout(timer)
    timer = setTimeout(() => {
      timedOut = true
      controller.abort()
    }, idleMs)
  }
  try {
    arm()
    let response: Response
    try {
      response = await fetch(url, { signal: controller.signal })
    } catch (error) {
      if (timedOut) throw timeoutFailure(idleMs)
      throw error
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel().catch(() => {})
      throw new AttemptFailure({
        reason: 'HTTP_ERROR',
        status: response.status,
        message: `HTTP ${response.status} ${response.statusText}`.trim(),
      })
    }
    if ((response.headers.get('content-type') ?? '').startsWith('text/html')) {
      await response.body.cancel().catch(() => {})
      throw new AttemptFailure({
        reason: 'HTTP_ERROR',
        status: response.status,
        message: 'the server answered with an HTML page, not the file',
      })
    }
    const lengthHeader = response.headers.get('content-length')
    const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity'
    const total = lengthHeader !== null && !encoded ? Number(lengthHeader) : undefined
    const maxBytes = request.maxBytes ?? Number.POSITIVE_INFINITY
    if (total !== undefined && total > maxBytes) {
      await response.body.cancel().catch(() => {})
      throw tooLarge(`the server announced ${total} bytes`, maxBytes)
    }
    const hasher = request.md5 ? await createHasher() : undefined
    const reader = response.body.getReader()
    let received = 0
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        arm()
        received += value.length
        if (received > maxBytes) {
          await reader.cancel().catch(() => {})
          throw tooLarge(`more than ${maxBytes} bytes arrived`, maxBytes)
        }
        hasher?.update(value)
        await sink.write(value)
        request.onProgress?.({
          type: 'progress',
          file: request.displayName ?? request.file,
          url,
          receivedBytes: received,
          totalBytes: total,
        })
      }
    } catch (error) {
      if (error instanceof AttemptFailure) throw error
      if (timedOut) throw timeoutFailure(idleMs)
      if (request.signal?.aborted) throw error
      throw new AttemptFailure({
        reason: 'INCOMPLETE',
        message: `connection lost after ${received} bytes${total === undefined ? '' : ` of ${total}`} (${describeNetworkError(error)})`,
      })
    }
    if (total !== undefined && Number.isFinite(total) && received !== total) {
      throw new AttemptFailure({
        reason: 'INCOMPLETE',
        message: `received ${received} bytes, but the server announced ${total}`,
      })
    }
    if (hasher && request.md5) {
      const actual = hasher.digest()
      if (actual !== request.md5.toLowerCase()) {
        throw new AttemptFailure({
          reason: 'MD5_MISMATCH',
          message: `MD5 mismatch: expected ${request.md5}, got ${actual}`,
          expectedMd5: request.md5,
          actualMd5: actual,
        })
      }
    }
    return received
  } finally {
    if (timer !== undefined) clearTimeout(timer)
    request.signal?.removeEventListener('abort', onAbort)
  }
}

function tooLarge(what: string, maxBytes: number): AttemptFailure {
  return new AttemptFailure({
    reason: 'TOO_LARGE',
    message: `${what}, more than maxInflatedBytes (${maxBytes}) allows for one file`,
  })
}

function timeoutFailure(ms: number): AttemptFailure {
  return new AttemptFailure({ reason: 'TIMEOUT', message: `no data for ${ms} ms` })
}

/** A sink that keeps the bytes in memory; `result()` returns them after `commit`. */
export function memorySink(): DownloadSink & { result(): Uint8Array } {
  let chunks: Uint8Array[] = []
  let committed: Uint8Array | undefined
  return {
    write: (chunk) => void chunks.push(chunk),
    commit: () => {
      committed = concat(chunks)
      chunks = []
    },
    abort: () => {
      chunks = []
    },
    result: () => {
      if (!committed) throw new Error('memorySink: nothing committed')
      return committed
    },
  }
}

/** Concatenates byte chunks. */
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}
