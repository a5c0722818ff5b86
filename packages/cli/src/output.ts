import { randomBytes } from 'node:crypto'
import type { Stats } from 'node:fs'
import { lstat, open, realpath, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { CliError, cliMessage } from './messages.js'

/** What a file that is not a regular file is, in words. */
export function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory'
  if (stats.isFIFO()) return 'a FIFO (named pipe)'
  if (stats.isCharacterDevice()) return 'a character device'
  if (stats.isBlockDevice()) return 'a block device'
  if (stats.isSocket()) return 'a socket'
  return 'not a regular file'
}

/** Why writing failed, in words, from Node's error code. */
export function writeReason(error: unknown, path: string): string {
  const code = (error as { code?: unknown }).code
  switch (code) {
    case 'ENOENT':
      return `the folder ${dirname(path)} does not exist`
    case 'ENOTDIR':
      return `${dirname(path)} is not a folder`
    case 'EISDIR':
      return 'it is a directory'
    case 'EACCES':
    case 'EPERM':
      return `permission denied (the folder ${dirname(path)} is not writable)`
    case 'EROFS':
      return 'the file system is read-only'
    case 'ENOSPC':
      return 'no space left on the device'
    case 'EDQUOT':
      return 'the disk quota is used up'
    default:
      return error instanceof Error ? error.message : String(error)
  }
}

/** The same file, by identity (device and inode) when both exist, else by resolved path. */
async function sameFile(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([stat(a).catch(() => null), stat(b).catch(() => null)])
  if (sa && sb) return sa.dev === sb.dev && sa.ino === sb.ino
  const real = async (p: string) => {
    const dir = await realpath(dirname(resolve(p))).catch(() => dirname(resolve(p)))
    return join(dir, basename(p))
  }
  return (await real(a)) === (await real(b))
}

/**
 * Checks, before any long work, that `path` can be written: it is not one of `inputs` (which
 * would be lost), not a directory, device or pipe, and its folder exists and takes a new file
 * (tried by creating and removing one, which also catches read-only file systems, as root too).
 * @throws {CliError} with a one-line message.
 */
export async function checkOutput(path: string, inputs: readonly string[]): Promise<void> {
  for (const input of inputs) {
    if (await sameFile(path, input))
      throw new CliError('OUTPUT_IS_INPUT', cliMessage('OUTPUT_IS_INPUT', { path }))
  }
  const existing = await lstat(path).catch(() => null)
  if (existing && !existing.isFile() && !existing.isSymbolicLink()) {
    throw new CliError(
      'CANNOT_WRITE',
      cliMessage('CANNOT_WRITE', { path, reason: `it is ${kindOf(existing)}` }),
    )
  }
  if (existing?.isSymbolicLink()) {
    const target = await stat(path).catch(() => null)
    if (target && !target.isFile()) {
      throw new CliError(
        'CANNOT_WRITE',
        cliMessage('CANNOT_WRITE', { path, reason: `it links to ${kindOf(target)}` }),
      )
    }
  }
  const probe = tempPath(path)
  try {
    const handle = await open(probe, 'wx')
    await handle.close()
  } catch (error) {
    throw new CliError(
      'CANNOT_WRITE',
      cliMessage('CANNOT_WRITE', { path, reason: writeReason(error, path) }),
    )
  } finally {
    await rm(probe, { force: true }).catch(() => {})
  }
}

function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
}

/**
 * Writes `data` to `path` atomically: into a temporary file next to it, flushed to disk, then
 * renamed over `path`. A failed write (a missing folder, a full disk) leaves `path` as it was and
 * no temporary file behind. A destination that is not a regular file (a directory, `/dev/full`)
 * is refused rather than replaced.
 * @throws {CliError} with a one-line message.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const existing = await stat(path).catch(() => null)
  if (existing && !existing.isFile()) {
    throw new CliError(
      'CANNOT_WRITE',
      cliMessage('CANNOT_WRITE', { path, reason: `it is ${kindOf(existing)}` }),
    )
  }
  const temp = tempPath(path)
  try {
    const handle = await open(temp, 'wx', existing ? existing.mode & 0o777 : 0o666)
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {})
    throw new CliError(
      'CANNOT_WRITE',
      cliMessage('CANNOT_WRITE', { path, reason: writeReason(error, path) }),
    )
  }
}
