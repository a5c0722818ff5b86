import { resolve } from 'node:path'
import type { CliIO } from '../io.js'
import { CliError, cliMessage } from '../messages.js'

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error))

/**
 * Whether `path` may be written, before any long work: the one-line message saying why not, or
 * null. An output that is one of `inputs` is refused (it would be lost); the real file system also
 * checks the folder, the file's kind and that a file can be created there.
 */
export async function outputProblem(
  io: CliIO,
  path: string,
  inputs: readonly string[],
): Promise<string | null> {
  if (inputs.some((input) => resolve(input) === resolve(path))) {
    return cliMessage('OUTPUT_IS_INPUT', { path })
  }
  try {
    await io.checkOutput?.(path, inputs)
    return null
  } catch (error) {
    if (error instanceof CliError) return error.message
    return cliMessage('CANNOT_WRITE', { path, reason: reasonOf(error) })
  }
}

/** Writes `data` to `path`; the one-line message saying why it failed, or null. */
export async function writeOutput(
  io: CliIO,
  path: string,
  data: string | Uint8Array,
): Promise<string | null> {
  try {
    if (typeof data === 'string') await io.writeFile(path, data)
    else if (io.writeBytes) await io.writeBytes(path, data)
    else throw new Error('this CliIO cannot write binary files (no writeBytes)')
    return null
  } catch (error) {
    if (error instanceof CliError) return error.message
    return cliMessage('CANNOT_WRITE', { path, reason: reasonOf(error) })
  }
}
