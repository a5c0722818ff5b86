/**
 * Finding and checking an image folder's files from their headers alone: which files are images of
 * which class (torchvision's order), which are left out and why, and what {@link ImageFolder.load}
 * would load. Nothing is decoded here. Also the option checks that scan and load share.
 */

import { OptionError } from '../errors.js'
import { InputError } from '../InputError.js'
import {
  type HeaderProblem,
  type ImageHeader,
  isHeader,
  readImageHeader,
} from '../images/imageHeader.js'
import type { InputErrorCode } from '../inputErrors.js'
import { OWN_DATA_LIMITS } from '../ownDataLimits.js'
import { isNode } from '../runtime.js'
import type { ImageFolder } from './ImageFolder.js'
import {
  compareCodePoints,
  type InputFile,
  listTree,
  normalizePath,
  readEntry,
} from './inputFiles.js'

/** Where the images are and how much may be read. */
export interface ImageFolderSource {
  /**
   * Node: the folder holding one subfolder per class (`root/<class>/<image>`). With `files`: the
   * folder inside the files' paths that plays that role (default: found, e.g. `pets/` when every
   * path starts with `pets/<class>/`).
   */
  root?: string
  /** The files in memory instead (a dropped folder, {@link fromZip}); works everywhere. */
  files?: readonly InputFile[]
  /** Longest image side allowed, from the header, before decoding (default 8192). */
  maxImageSide?: number
  /** Most pixels of one image (default 4096 x 4096). */
  maxImagePixels?: number
  /** Most files (default 200,000). */
  maxFiles?: number
  /** Most bytes of decoded pixels in all (default 1 GiB). */
  maxTotalBytes?: number
}

/** A file the reader left out, and why. */
export interface SkippedFile {
  readonly path: string
  readonly reason: string
  /** For images that could not be loaded: the `InputError` code it would have thrown. */
  readonly code?: InputErrorCode
}

/** What {@link ImageFolder.scan} finds: everything a UI shows before loading, from headers only. */
export interface ImageFolderScan {
  /** The folder that holds the class folders. */
  readonly root: string
  /** Class names (the subfolders holding images), sorted as Python sorts them. */
  readonly classes: readonly string[]
  readonly classToIdx: Readonly<Record<string, number>>
  /** Images per class, in `classes` order. */
  readonly counts: readonly number[]
  /** Number of loadable images. */
  readonly imageCount: number
  /** Each `height x width` seen, with how many images have it, most common first. */
  readonly sizes: readonly { height: number; width: number; count: number }[]
  /** `[height, width]` when every image has that size. */
  readonly uniformSize: readonly [number, number] | undefined
  /** 1 when every image is grayscale, else 3 (what `channels: 'auto'` picks). */
  readonly channels: 1 | 3
  /** Images per format. */
  readonly formats: { readonly png: number; readonly jpeg: number }
  /** Files that are not images of a class: other files, hidden files, files outside class folders. */
  readonly skipped: readonly SkippedFile[]
  /** Images that cannot be loaded (0 bytes, too large, not PNG/JPEG, unreadable header). */
  readonly problems: readonly SkippedFile[]
}

/** The options of {@link ImageFolderSource}. */
export const SOURCE_OPTIONS = [
  'root',
  'files',
  'maxImageSide',
  'maxImagePixels',
  'maxFiles',
  'maxTotalBytes',
]

/** Extensions torchvision's ImageFolder takes (`IMG_EXTENSIONS`); only PNG and JPEG decode here. */
const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif', '.tiff', '.webp']
const HIDDEN = new Set(['thumbs.db', 'desktop.ini'])
/** Bytes of each file read to find its header while scanning. */
const HEAD_BYTES = 1 << 20

/** An image file found under a class folder, read on demand. */
export interface Candidate {
  readonly path: string
  readonly className: string
  readonly size: number
  read(head?: number): Promise<Uint8Array>
}

/** The size limits in force, each checked to be a positive integer. */
export function limitsOf(owner: string, o: ImageFolderSource) {
  const positive = (option: keyof ImageFolderSource, fallback: number): number => {
    const v = o[option] ?? fallback
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new OptionError('INVALID_OPTION', {
        owner,
        option,
        value: v,
        expected: 'a positive integer',
      })
    }
    return v
  }
  return {
    maxImageSide: positive('maxImageSide', OWN_DATA_LIMITS.maxImageSide),
    maxImagePixels: positive('maxImagePixels', OWN_DATA_LIMITS.maxImagePixels),
    maxFiles: positive('maxFiles', OWN_DATA_LIMITS.maxFiles),
    maxTotalBytes: positive('maxTotalBytes', OWN_DATA_LIMITS.maxTotalBytes),
  }
}

/** The files under the root, by class, in torchvision's order; and what was left out. */
async function collect(owner: string, options: ImageFolderSource) {
  const limits = limitsOf(owner, options)
  let rootName: string
  let all: { path: string; size: number; read: (head?: number) => Promise<Uint8Array> }[]
  if (options.files !== undefined) {
    if (
      !Array.isArray(options.files) ||
      !options.files.every((f) => typeof f?.path === 'string' && f.bytes instanceof Uint8Array)
    ) {
      throw new OptionError('INVALID_OPTION', {
        owner,
        option: 'files',
        value: options.files,
        expected: 'an array of { path: string, bytes: Uint8Array }',
      })
    }
    if (options.files.length > limits.maxFiles) {
      throw new InputError('TOO_MANY_FILES', {
        root: '<files>',
        count: options.files.length,
        maxFiles: limits.maxFiles,
      })
    }
    const files = options.files.map((f) => ({ path: normalizePath(f.path), bytes: f.bytes }))
    const prefix =
      options.root !== undefined
        ? `${normalizePath(options.root).replace(/\/$/, '')}/`
        : findRoot(files.map((f) => f.path))
    rootName = prefix === '/' || prefix === '' ? '<files>' : prefix.replace(/\/$/, '')
    all = files
      .filter((f) => prefix === '' || prefix === '/' || f.path.startsWith(prefix))
      .map((f) => ({
        path: prefix === '/' ? f.path : f.path.slice(prefix.length),
        size: f.bytes.length,
        read: async (head?: number) => (head === undefined ? f.bytes : f.bytes.subarray(0, head)),
      }))
  } else {
    if (!isNode() || typeof options.root !== 'string' || options.root === '') {
      throw new OptionError('INVALID_OPTION', {
        owner,
        option: 'root',
        value: options.root,
        expected: isNode()
          ? 'a directory path, or give files'
          : 'absent: in a browser give files (e.g. from fromZip)',
      })
    }
    rootName = options.root
    const tree = await listTree(options.root, limits.maxFiles).catch((error: unknown) => {
      if (
        (error as { code?: string }).code === 'ENOENT' ||
        (error as { code?: string }).code === 'ENOTDIR'
      ) {
        throw new InputError(
          'FOLDER_EMPTY',
          { root: options.root!, reason: 'no such folder' },
          { cause: error },
        )
      }
      throw error
    })
    all = tree.map((entry) => ({
      path: entry.path,
      size: entry.size,
      read: async (head?: number) => {
        const bytes = await readEntry(entry)
        return head === undefined ? bytes : bytes.subarray(0, head)
      },
    }))
  }
  const skipped: SkippedFile[] = []
  const candidates: Candidate[] = []
  const classNames = new Set<string>()
  for (const file of all) {
    const parts = file.path.split('/')
    const name = parts[parts.length - 1]!
    if (
      parts.some((p) => p.startsWith('.')) ||
      HIDDEN.has(name.toLowerCase()) ||
      parts[0] === '__MACOSX'
    ) {
      skipped.push({ path: file.path, reason: 'hidden file' })
      continue
    }
    if (parts.length < 2) {
      skipped.push({ path: file.path, reason: 'not in a class folder' })
      continue
    }
    const dot = name.lastIndexOf('.')
    const ext = dot < 0 ? '' : name.slice(dot).toLowerCase()
    if (!IMAGE_EXTENSIONS.includes(ext)) {
      skipped.push({ path: file.path, reason: `not an image (${ext || 'no extension'})` })
      continue
    }
    classNames.add(parts[0]!)
    candidates.push({ path: file.path, className: parts[0]!, size: file.size, read: file.read })
  }
  const classes = [...classNames].sort(compareCodePoints)
  const dirOf = (p: string) => p.slice(0, p.lastIndexOf('/'))
  const classIndex = new Map(classes.map((c, i) => [c, i]))
  candidates.sort(
    (a, b) =>
      classIndex.get(a.className)! - classIndex.get(b.className)! ||
      compareCodePoints(dirOf(a.path), dirOf(b.path)) ||
      compareCodePoints(a.path, b.path),
  )
  return { rootName, classes, candidates, skipped, limits }
}

/** The deepest folder that every file path starts with and below which files sit in class folders. */
function findRoot(paths: readonly string[]): string {
  const visible = paths.filter(
    (p) =>
      !p.split('/').some((s) => s.startsWith('.') || s === '__MACOSX') &&
      IMAGE_EXTENSIONS.some((ext) => p.toLowerCase().endsWith(ext)),
  )
  if (visible.length === 0) return ''
  const dirs = visible.map((p) => p.split('/').slice(0, -1))
  let common = dirs[0]!
  for (const d of dirs) {
    let k = 0
    while (k < common.length && k < d.length && common[k] === d[k]) k++
    common = common.slice(0, k)
  }
  // Images must sit at least one folder (their class) below the root.
  while (common.length > 0 && dirs.some((d) => d.length <= common.length))
    common = common.slice(0, -1)
  return common.length === 0 ? '' : `${common.join('/')}/`
}

function problemOf(
  path: string,
  header: ImageHeader | HeaderProblem,
  limits: ReturnType<typeof limitsOf>,
): (SkippedFile & { error: InputError }) | undefined {
  const fail = (error: InputError, reason: string) => ({ path, reason, code: error.code, error })
  if (!isHeader(header)) {
    if (header.kind === 'empty') {
      return fail(
        new InputError('IMAGE_CORRUPT', { file: path, format: 'image', reason: '0-byte file' }),
        'empty (0 bytes)',
      )
    }
    if (header.kind === 'other-image') {
      const reason = `${header.format} is not decoded here, only PNG and JPEG`
      return fail(new InputError('IMAGE_UNSUPPORTED', { file: path, reason }), reason)
    }
    if (header.kind === 'not-an-image') {
      const reason = `not a PNG or JPEG file (it starts with ${header.firstBytes})`
      return fail(new InputError('IMAGE_UNSUPPORTED', { file: path, reason }), reason)
    }
    return fail(
      new InputError('IMAGE_CORRUPT', {
        file: path,
        format: header.format.toUpperCase(),
        reason: header.reason,
      }),
      header.reason,
    )
  }
  const { width, height } = header
  if (
    width > limits.maxImageSide ||
    height > limits.maxImageSide ||
    width * height > limits.maxImagePixels
  ) {
    const error = new InputError('IMAGE_TOO_LARGE', { file: path, width, height, ...limits })
    return fail(error, `${width} x ${height} pixels is over the limit`)
  }
  return undefined
}

/** A scanned folder: the scan, the loadable images with their headers, and why the others fail. */
export interface Scanned {
  readonly scan: ImageFolderScan
  readonly images: readonly { candidate: Candidate; header: ImageHeader; label: number }[]
  readonly problemErrors: ReadonlyMap<string, InputError>
  readonly limits: ReturnType<typeof limitsOf>
}

/** Collects the files and reads each image's header (nothing is decoded). */
export async function scanFolder(owner: string, options: ImageFolderSource): Promise<Scanned> {
  const { rootName, classes, candidates, skipped, limits } = await collect(owner, options)
  const problems: SkippedFile[] = []
  const problemErrors = new Map<string, InputError>()
  const images: { candidate: Candidate; header: ImageHeader; label: number }[] = []
  const classToIdx = Object.fromEntries(classes.map((c, i) => [c, i]))
  for (const candidate of candidates) {
    const header = readImageHeader(await candidate.read(HEAD_BYTES))
    const problem = problemOf(candidate.path, header, limits)
    if (problem) {
      const { error, ...entry } = problem
      problems.push(entry)
      problemErrors.set(candidate.path, error)
      continue
    }
    images.push({
      candidate,
      header: header as ImageHeader,
      label: classToIdx[candidate.className]!,
    })
  }
  const counts = classes.map(() => 0)
  const sizeCounts = new Map<string, { height: number; width: number; count: number }>()
  const formats = { png: 0, jpeg: 0 }
  let gray = 0
  for (const { header, label } of images) {
    counts[label]!++
    const key = `${header.height}x${header.width}`
    const entry = sizeCounts.get(key) ?? { height: header.height, width: header.width, count: 0 }
    entry.count++
    sizeCounts.set(key, entry)
    formats[header.format]++
    if (header.channels === 1) gray++
  }
  const sizes = [...sizeCounts.values()].sort((a, b) => b.count - a.count)
  return {
    scan: {
      root: rootName,
      classes,
      classToIdx,
      counts,
      imageCount: images.length,
      sizes,
      uniformSize: sizes.length === 1 ? [sizes[0]!.height, sizes[0]!.width] : undefined,
      channels: gray === images.length && images.length > 0 ? 1 : 3,
      formats,
      skipped,
      problems,
    },
    images,
    problemErrors,
    limits,
  }
}

/** `options`, checked to be an object with only the `known` options. @throws {OptionError} */
export function checkOptions<T extends object>(
  owner: string,
  options: T,
  known: readonly string[],
): T {
  if (options === null || typeof options !== 'object') {
    throw new OptionError('INVALID_OPTION', {
      owner,
      option: 'options',
      value: options,
      expected: 'an object such as { root }',
    })
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const suggestion = known.find((k) => k.toLowerCase() === key.replace(/_/g, '').toLowerCase())
      throw new OptionError('UNKNOWN_OPTION', { owner, option: key, suggestion })
    }
  }
  return options
}
