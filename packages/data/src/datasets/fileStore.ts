import type { DownloadSink } from '../download.js'
import { DatasetError } from '../errors.js'
import { nodeModules } from '../runtime.js'

const tempName = (dest: string): string =>
  `${dest}.${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}.part`

/**
 * A download sink writing to a temporary file next to `dest`; `commit` flushes it to disk and
 * renames it over `dest` (atomic on one file system), `abort` deletes it. So `dest` is either absent
 * or complete, never half-written.
 */
export async function fileSink(dest: string): Promise<DownloadSink> {
  const { fs } = await nodeModules()
  const temp = tempName(dest)
  const handle = await fs.open(temp, 'wx')
  let closed = false
  const close = async () => {
    if (!closed) {
      closed = true
      await handle.close()
    }
  }
  return {
    async write(chunk) {
      let offset = 0
      while (offset < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset)
        offset += bytesWritten
      }
    },
    async commit() {
      await handle.datasync()
      await close()
      await fs.rename(temp, dest)
    },
    async abort() {
      await close().catch(() => {})
      await fs.rm(temp, { force: true })
    },
  }
}

/** Writes `bytes` to `dest` atomically (temporary file + rename). */
export async function writeFileAtomic(dest: string, bytes: Uint8Array): Promise<void> {
  const sink = await fileSink(dest)
  try {
    await sink.write(bytes)
    await sink.commit()
  } catch (error) {
    await sink.abort()
    throw error
  }
}

/**
 * Reads a whole regular file, or returns undefined when it does not exist. A directory, FIFO or
 * device is refused with `DATASET_NOT_A_FILE`, and a file over `maxBytes` with
 * `DATASET_FILE_TOO_LARGE`, before any byte is read.
 */
export async function readIfExists(
  path: string,
  maxBytes: number,
): Promise<Uint8Array | undefined> {
  const { fs } = await nodeModules()
  let stats: import('node:fs').Stats
  try {
    stats = await fs.stat(path)
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined
    throw error
  }
  if (!stats.isFile()) {
    throw new DatasetError('DATASET_NOT_A_FILE', { file: path, kind: 'not a regular file' })
  }
  if (stats.size > maxBytes) {
    throw new DatasetError('DATASET_FILE_TOO_LARGE', {
      file: path,
      bytes: stats.size,
      limitBytes: maxBytes,
    })
  }
  const buffer = await fs.readFile(path)
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}

/** True when `path` exists. */
export async function exists(path: string): Promise<boolean> {
  const { fs } = await nodeModules()
  return fs.access(path).then(
    () => true,
    () => false,
  )
}
