import { open, writeFile } from 'node:fs/promises'
import { MAX_DOCUMENT_BYTES } from '@tensorloom/graph'

/** What the CLI reads and writes; tests pass an in-memory one. */
export interface CliIO {
  /** Writes to standard output (text includes its newlines). */
  stdout(text: string): void
  /** Writes to standard error. */
  stderr(text: string): void
  /** Reads a UTF-8 file. */
  readFile(path: string): Promise<string>
  /** Writes a UTF-8 file. */
  writeFile(path: string, text: string): Promise<void>
}

/** The real terminal and file system. */
export const nodeIO: CliIO = {
  stdout: (text) => {
    process.stdout.write(text)
  },
  stderr: (text) => {
    process.stderr.write(text)
  },
  readFile: (path) => readTextFile(path, MAX_DOCUMENT_BYTES),
  writeFile: (path, text) => writeFile(path, text, 'utf8'),
}

/**
 * Reads a UTF-8 file of at most `limit` bytes. Reads in chunks and stops past the limit, so
 * endless or huge inputs (`/dev/zero`, a 2 GB file) fail fast instead of filling memory.
 */
export async function readTextFile(path: string, limit: number): Promise<string> {
  const file = await open(path, 'r')
  try {
    const chunks: Uint8Array[] = []
    let total = 0
    for (;;) {
      const chunk = new Uint8Array(Math.min(1 << 20, limit + 1 - total))
      const { bytesRead } = await file.read(chunk, 0, chunk.length, null)
      if (bytesRead === 0) break
      chunks.push(chunk.subarray(0, bytesRead))
      total += bytesRead
      if (total > limit) {
        throw new Error(
          `[DOCUMENT_TOO_LARGE] the file is larger than the ${limit.toLocaleString('en-US')}-byte limit of a graph document: is it the right file?`,
        )
      }
    }
    return new TextDecoder().decode(Buffer.concat(chunks))
  } finally {
    await file.close()
  }
}
