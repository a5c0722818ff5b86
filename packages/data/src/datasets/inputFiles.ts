import { unzipSync } from 'fflate'
import { InputError } from '../InputError.js'
import { OWN_DATA_LIMITS } from '../ownDataLimits.js'
import { nodeModules } from '../runtime.js'

/**
 * A file given in memory: what a browser gets from a dropped folder (`webkitRelativePath` and the
 * bytes) or from an unzipped archive ({@link fromZip}). `path` uses `/` between folders.
 */
export interface InputFile {
  readonly path: string
  readonly bytes: Uint8Array
}

/** Options of {@link fromZip}. */
export interface FromZipOptions {
  /** Name of the zip for errors (default `'<zip>'`). */
  name?: string
  /** Most bytes all entries may inflate to together, as their directory declares (default 1 GiB). */
  maxInflatedBytes?: number
  /** Most entries (default 200,000). */
  maxFiles?: number
}

/** `/` separators, no leading `./` or `/`. */
export function normalizePath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/|\/)+/, '')
}

/**
 * The files of a zip archive, for the readers' `files` option (in a browser: the bytes of a `.zip`
 * the user picked). Folders and macOS's `__MACOSX/` metadata are left out. Each entry's inflated size
 * comes from the zip's directory and is checked against `maxInflatedBytes` (all entries together)
 * BEFORE anything is inflated, and each entry inflates into a buffer of exactly its declared size,
 * so a zip bomb fails with `ZIP_TOO_LARGE` having cost nothing, and an entry that lies about its size
 * is cut there (and then fails to decode, naming it).
 *
 * @throws {InputError} `ZIP_TOO_LARGE`, `TOO_MANY_FILES`, `ZIP_CORRUPT`.
 */
export function fromZip(bytes: Uint8Array, options: FromZipOptions = {}): InputFile[] {
  const name = options.name ?? '<zip>'
  const maxInflatedBytes = options.maxInflatedBytes ?? OWN_DATA_LIMITS.maxZipInflatedBytes
  const maxFiles = options.maxFiles ?? OWN_DATA_LIMITS.maxFiles
  let total = 0
  let count = 0
  let entries: Record<string, Uint8Array>
  try {
    entries = unzipSync(bytes, {
      filter(file) {
        const path = normalizePath(file.name)
        if (path.endsWith('/') || path.startsWith('__MACOSX/')) return false
        count++
        if (count > maxFiles) {
          throw new InputError('TOO_MANY_FILES', { root: name, count, maxFiles })
        }
        total += file.originalSize
        if (total > maxInflatedBytes) {
          throw new InputError('ZIP_TOO_LARGE', {
            file: name,
            entry: file.name,
            declaredBytes: total,
            maxInflatedBytes,
          })
        }
        return true
      },
    })
  } catch (error) {
    if (error instanceof InputError) throw error
    throw new InputError(
      'ZIP_CORRUPT',
      { file: name, reason: (error as Error).message },
      { cause: error },
    )
  }
  return Object.entries(entries).map(([path, data]) => ({ path: normalizePath(path), bytes: data }))
}

/** One file found under a directory, not yet read. */
export interface TreeEntry {
  /** Path relative to the root, `/`-separated. */
  readonly path: string
  /** Absolute path. */
  readonly fullPath: string
  readonly size: number
}

/**
 * Lists the regular files under `root` (Node), following no symbolic links and skipping anything
 * that is not a regular file (sockets, FIFOs, devices). Stops with `TOO_MANY_FILES` past `maxFiles`.
 */
export async function listTree(root: string, maxFiles: number): Promise<TreeEntry[]> {
  const { fs, path } = await nodeModules()
  const out: TreeEntry[] = []
  const walk = async (dir: string, rel: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true })
    for (const entry of entries) {
      const full = path.join(dir, entry.name)
      const relPath = rel ? `${rel}/${entry.name}` : entry.name
      if (entry.isDirectory()) {
        await walk(full, relPath)
      } else if (entry.isFile()) {
        if (out.length >= maxFiles) {
          throw new InputError('TOO_MANY_FILES', { root, count: out.length + 1, maxFiles })
        }
        const stat = await fs.stat(full)
        out.push({ path: relPath, fullPath: full, size: stat.size })
      }
    }
  }
  await walk(root, '')
  return out
}

/** Reads one file (Node). */
export async function readEntry(entry: TreeEntry): Promise<Uint8Array> {
  const { fs } = await nodeModules()
  const buffer = await fs.readFile(entry.fullPath)
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}

/** Python's string order (code points), which `sorted()` uses. */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]()
  const ib = b[Symbol.iterator]()
  for (;;) {
    const x = ia.next()
    const y = ib.next()
    if (x.done || y.done) return x.done ? (y.done ? 0 : -1) : 1
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!
    if (d !== 0) return d
  }
}
