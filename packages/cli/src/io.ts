import { readFile, writeFile } from 'node:fs/promises'

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
  readFile: (path) => readFile(path, 'utf8'),
  writeFile: (path, text) => writeFile(path, text, 'utf8'),
}
