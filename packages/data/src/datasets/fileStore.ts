import type { DownloadSink } from '../download.js'
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

/** True when `path` exists. */
export async function exists(path: string): Promise<boolean> {
  const { fs } = await nodeModules()
  return fs.access(path).then(
    () => true,
    () => false,
  )
}
