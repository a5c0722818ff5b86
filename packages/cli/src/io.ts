import { constants } from 'node:fs'
import { open } from 'node:fs/promises'
import { MAX_DOCUMENT_BYTES, READ_CHUNK_BYTES } from './limits.js'
import { cliMessage } from './messages.js'
import { checkOutput, kindOf, writeFileAtomic } from './output.js'

/** What the CLI reads and writes; tests pass an in-memory one. */
export interface CliIO {
  /** Writes to standard output (text includes its newlines). */
  stdout(text: string): void
  /** Writes to standard error. */
  stderr(text: string): void
  /** Reads a UTF-8 file. */
  readFile(path: string): Promise<string>
  /** Writes a UTF-8 file (atomically, in the real one). */
  writeFile(path: string, text: string): Promise<void>
  /** Writes a binary file (atomically, in the real one). */
  writeBytes?(path: string, bytes: Uint8Array): Promise<void>
  /**
   * Throws a `CliError` when `path` cannot be written or is one of `inputs`; called before long
   * work. Without it, only an output named exactly like an input is refused.
   */
  checkOutput?(path: string, inputs: readonly string[]): Promise<void>
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
  writeFile: (path, text) => writeFileAtomic(path, text),
  writeBytes: (path, bytes) => writeFileAtomic(path, bytes),
  checkOutput,
}

/**
 * Reads a UTF-8 file of at most `limit` bytes. Only a regular file is read: a FIFO, device or
 * socket is refused before any byte is read (opened non-blocking, so not even the open can hang).
 * Reads in chunks and stops past the limit, so a huge input fails fast instead of filling memory.
 */
export async function readTextFile(path: string, limit: number): Promise<string> {
  const file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const stats = await file.stat()
    if (!stats.isFile()) throw new Error(cliMessage('NOT_A_FILE', { kind: kindOf(stats) }))
    if (stats.size > limit) throw new Error(cliMessage('DOCUMENT_TOO_LARGE', { limit }))
    const chunks: Uint8Array[] = []
    let total = 0
    for (;;) {
      const chunk = new Uint8Array(Math.min(READ_CHUNK_BYTES, limit + 1 - total))
      const { bytesRead } = await file.read(chunk, 0, chunk.length, null)
      if (bytesRead === 0) break
      chunks.push(chunk.subarray(0, bytesRead))
      total += bytesRead
      if (total > limit) throw new Error(cliMessage('DOCUMENT_TOO_LARGE', { limit }))
    }
    return new TextDecoder().decode(Buffer.concat(chunks))
  } finally {
    await file.close()
  }
}
