import { DatasetError, IdxError } from '../errors.js'
import { isGzip } from '../gunzip.js'
import { peekIdxHeader } from '../idxHeader.js'
import { MAX_IDX_HEADER_BYTES } from '../limits.js'
import { nodeModules } from '../runtime.js'

type Stats = import('node:fs').Stats

/** What a file that is not a regular file is, in words. */
function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory'
  if (stats.isFIFO()) return 'a FIFO (named pipe)'
  if (stats.isCharacterDevice()) return 'a character device'
  if (stats.isBlockDevice()) return 'a block device'
  if (stats.isSocket()) return 'a socket'
  return 'not a regular file'
}

/**
 * How many bytes of a data file are worth reading, from its first bytes (`head`) and its size on
 * disk: a gzip file up to `maxBytes`; an IDX file up to the size its header declares (a larger
 * file is refused at once, without reading it); anything else just its head, which is enough for
 * `parseIdx` to say what is wrong.
 */
function readLimit(head: Uint8Array, size: number, file: string, maxBytes: number): number {
  const tooLarge = () =>
    new DatasetError('DATASET_FILE_TOO_LARGE', { file, bytes: size, limitBytes: maxBytes })
  if (isGzip(head)) {
    if (size > maxBytes) throw tooLarge()
    return maxBytes
  }
  const header = peekIdxHeader(head)
  if (header === 'more' || header === 'bad') return head.length
  const declared = header.headerBytes + header.dataBytes
  if (size > declared) {
    const { shape, dtype, dataBytes, headerBytes } = header
    throw new IdxError('IDX_SIZE_MISMATCH', {
      file,
      shape,
      dtype,
      expectedBytes: dataBytes,
      actualBytes: size - headerBytes,
    })
  }
  if (size > maxBytes) throw tooLarge()
  return Math.min(declared, maxBytes)
}

type Handle = Awaited<ReturnType<typeof import('node:fs/promises').open>>

/** Reads into `buffer` from `at` until it is full or the file ends; returns the new length. */
async function fill(handle: Handle, buffer: Uint8Array, at: number): Promise<number> {
  let length = at
  while (length < buffer.length) {
    const want = Math.min(buffer.length - length, 1 << 24)
    const { bytesRead } = await handle.read(buffer, length, want, null)
    if (bytesRead === 0) break
    length += bytesRead
  }
  return length
}

/**
 * Reads a dataset file (Node), or returns undefined when it does not exist. Only regular files
 * are read: a FIFO, a device (`/dev/zero`, `/dev/stdin`), a socket or a directory is refused with
 * `DATASET_NOT_A_FILE` before any byte is read (it is opened non-blocking, so even opening a FIFO
 * cannot hang). What is read is capped: a gzip file at `maxBytes`, an IDX file at the size its
 * header declares (one larger on disk is refused unread with `IDX_SIZE_MISMATCH`) and at
 * `maxBytes`, anything else at its first bytes. So no file, however large or however it grows
 * while being read, is read past what it may hold.
 *
 * @throws {DatasetError} `DATASET_NOT_A_FILE`, `DATASET_FILE_TOO_LARGE`. {@link IdxError}
 *   `IDX_SIZE_MISMATCH` for an IDX file larger than its header says.
 */
export async function readDataFile(
  path: string,
  maxBytes: number,
): Promise<Uint8Array | undefined> {
  const { fs } = await nodeModules()
  let handle: Handle
  try {
    handle = await fs.open(path, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0))
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined
    throw error
  }
  try {
    const stats = await handle.stat()
    if (!stats.isFile()) {
      throw new DatasetError('DATASET_NOT_A_FILE', { file: path, kind: kindOf(stats) })
    }
    const head = new Uint8Array(MAX_IDX_HEADER_BYTES)
    const headLength = await fill(handle, head, 0)
    if (headLength < head.length) return head.subarray(0, headLength)
    const limit = readLimit(head, stats.size, path, maxBytes)
    if (limit <= head.length) return head.subarray(0, limit)
    // One byte past the limit shows a file that grew while it was read (or lied about its size).
    let buffer = new Uint8Array(Math.min(limit, Math.max(stats.size, head.length)) + 1)
    buffer.set(head)
    let length = await fill(handle, buffer, head.length)
    while (length === buffer.length && length <= limit) {
      const grown = new Uint8Array(Math.min(limit + 1, 2 * buffer.length))
      grown.set(buffer)
      buffer = grown
      length = await fill(handle, buffer, length)
    }
    if (length > limit && (isGzip(head) || limit === maxBytes)) {
      throw new DatasetError('DATASET_FILE_TOO_LARGE', {
        file: path,
        bytes: length,
        limitBytes: maxBytes,
      })
    }
    return buffer.subarray(0, length)
  } finally {
    await handle.close()
  }
}
