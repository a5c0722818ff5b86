import { type InputErrorDetails, inputErrorMessages } from './inputErrors.js'

/** The element types an IDX file can hold, named like the tensor dtypes they decode to. */
export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64'

/** Why one download attempt from one mirror failed. */
export interface DownloadAttempt {
  /** The URL that was tried. */
  readonly url: string
  /**
   * `HTTP_ERROR` (status not 2xx), `NETWORK_ERROR`, `TIMEOUT`, `INCOMPLETE` (body shorter than
   * announced), `MD5_MISMATCH` or `TOO_LARGE` (more bytes than `maxInflatedBytes`, announced or
   * received).
   */
  readonly reason:
    | 'HTTP_ERROR'
    | 'NETWORK_ERROR'
    | 'TIMEOUT'
    | 'INCOMPLETE'
    | 'MD5_MISMATCH'
    | 'TOO_LARGE'
  /** What went wrong, in words. */
  readonly message: string
  /** The HTTP status, for `HTTP_ERROR`. */
  readonly status?: number
  /** The MD5 the file should have, for `MD5_MISMATCH`. */
  readonly expectedMd5?: string
  /** The MD5 of what was received, for `MD5_MISMATCH`. */
  readonly actualMd5?: string
}

/** The values each error code carries, keyed by code. */
export interface DataErrorDetails extends InputErrorDetails {
  IDX_TRUNCATED: {
    file: string
    section: 'header' | 'dimensions' | 'data'
    expectedBytes: number
    actualBytes: number
    /** The shape the header promises (for a truncated data section). */
    shape?: readonly number[]
    dtype?: IdxDtype
  }
  IDX_BAD_MAGIC: { file: string; magic: readonly number[] }
  IDX_UNKNOWN_DTYPE: { file: string; dtypeCode: number }
  IDX_SIZE_MISMATCH: {
    file: string
    shape: readonly number[]
    dtype: IdxDtype
    expectedBytes: number
    actualBytes: number
  }
  IDX_BAD_GZIP: { file: string; reason: string }
  IDX_GZIP_TOO_LARGE: {
    file: string
    /**
     * Which cap was hit: `header`, the exact size the IDX header declares (the data inflates past
     * it), or `maxInflatedBytes`, the overall cap (the header declares more, or has not been read).
     */
    limit: 'header' | 'maxInflatedBytes'
    /** The cap, in inflated bytes; inflating stopped once the output passed it. */
    limitBytes: number
    /** Size of the gzip data. */
    compressedBytes: number
    /** Header plus data, as the IDX header declares them (once it was read). */
    declaredBytes?: number
    shape?: readonly number[]
    dtype?: IdxDtype
  }
  DATASET_NOT_FOUND: { dataset: string; file: string; searched: readonly string[] }
  DATASET_NOT_A_FILE: {
    file: string
    /** What it is instead: `a directory`, `a FIFO (named pipe)`, `a character device`, … */
    kind: string
  }
  DATASET_FILE_TOO_LARGE: { file: string; bytes: number; limitBytes: number }
  DATASET_BAD_FORMAT: { dataset: string; file: string; expected: string; actual: string }
  DATASET_COUNT_MISMATCH: {
    dataset: string
    imagesFile: string
    labelsFile: string
    images: number
    labels: number
  }
  DATASET_BAD_LABEL: {
    dataset: string
    file: string
    index: number
    label: number
    numClasses: number
  }
  INDEX_OUT_OF_RANGE: { index: number; length: number }
  DOWNLOAD_FAILED: { file: string; attempts: readonly DownloadAttempt[] }
  INVALID_OPTION: { owner: string; option: string; value: unknown; expected: string }
  UNKNOWN_OPTION: { owner: string; option: string; suggestion: string | undefined }
  NORMALIZE_STD_ZERO: { std: readonly number[]; channel: number }
  NORMALIZE_LENGTH_MISMATCH: { mean: readonly number[]; std: readonly number[] }
  CHANNEL_MISMATCH: {
    transform: string
    shape: readonly number[]
    channels: number
    expected: number
  }
  TRANSFORM_BAD_INPUT: { transform: string; expected: string; actual: string }
  BATCH_UNSUPPORTED: { transform: string }
  COLLATE_UNSUPPORTED: { what: 'image' | 'label'; index: number; actual: string }
}

/** Every stable error code of `@tensorloom/data`. */
export type DataErrorCode = keyof DataErrorDetails

const show = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`
  if (typeof value === 'bigint') return `${value}n`
  if (value !== null && typeof value === 'object') {
    const name = value.constructor?.name
    return name && name !== 'Object' ? `a ${name}` : 'an object'
  }
  return String(value)
}

const bytes = (n: number): string => `${n.toLocaleString('en-US')} byte${n === 1 ? '' : 's'}`

type Describe = {
  [C in DataErrorCode]: (d: DataErrorDetails[C]) => [message: string, hint: string]
}

/**
 * Every message `@tensorloom/data` reports, keyed by its stable code: what is wrong (with the
 * values involved) and how to fix it.
 */
const describe: Describe = {
  ...inputErrorMessages,
  IDX_TRUNCATED: (d) => [
    `${d.file}: IDX file is truncated in its ${d.section}: needs ${bytes(d.expectedBytes)}${d.shape ? ` (shape [${d.shape.join(', ')}] of ${d.dtype})` : ''}, has ${bytes(d.actualBytes)}`,
    'The file is incomplete (an interrupted download or copy): delete it and download it again.',
  ],
  IDX_BAD_MAGIC: (d) => [
    `${d.file}: not an IDX file: the first bytes are ${d.magic.map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ')}, but an IDX file starts with 0x00 0x00 <type> <rank>`,
    'Check that the path points at an MNIST-style IDX file (optionally gzip-compressed).',
  ],
  IDX_UNKNOWN_DTYPE: (d) => [
    `${d.file}: unknown IDX data type 0x${d.dtypeCode.toString(16).padStart(2, '0')}; known types are 0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double`,
    'The file is corrupt or not an IDX file: download it again.',
  ],
  IDX_SIZE_MISMATCH: (d) => [
    `${d.file}: the header promises shape [${d.shape.join(', ')}] of ${d.dtype} (${bytes(d.expectedBytes)} of data), but the file holds ${bytes(d.actualBytes)} of data`,
    d.actualBytes < d.expectedBytes
      ? 'The file is incomplete: delete it and download it again.'
      : 'The file has trailing bytes or a wrong header: download it again.',
  ],
  IDX_BAD_GZIP: (d) => [
    `${d.file}: gzip data is corrupt (${d.reason})`,
    'The compressed file is damaged or incomplete: delete it and download it again.',
  ],
  IDX_GZIP_TOO_LARGE: (d) => {
    const declared = d.shape ? ` (shape [${d.shape.join(', ')}] of ${d.dtype} with its header)` : ''
    const packed = `${bytes(d.compressedBytes)} of gzip`
    if (d.limit === 'header') {
      return [
        `${d.file}: ${packed} inflates to more than the ${bytes(d.limitBytes)} its IDX header declares${declared}; inflating stopped there`,
        'The file is corrupt or crafted to exhaust memory (a gzip bomb): delete it and download it again from a trusted source.',
      ]
    }
    const what =
      d.declaredBytes === undefined
        ? `${packed} inflates to more than`
        : `the IDX header in ${packed} declares ${bytes(d.declaredBytes)}${declared}, more than`
    const cap = d.declaredBytes ?? 2 * d.limitBytes
    return [
      `${d.file}: ${what} maxInflatedBytes (${bytes(d.limitBytes)}); inflating stopped there`,
      Number.isSafeInteger(cap)
        ? `If the file is genuine, raise the cap, e.g. { maxInflatedBytes: ${cap} } (default 1 GiB); otherwise it is corrupt or a gzip bomb: don't use it.`
        : 'No file is that large: it is corrupt or a gzip bomb. Delete it and download it again from a trusted source.',
    ]
  },
  DATASET_NOT_FOUND: (d) => [
    `${d.dataset}: dataset not found: ${d.file} is not in ${d.searched.map(show).join(' or ')}`,
    'You can use download: true to download it, or point `source` at a directory, URL or bytes that hold the files.',
  ],
  DATASET_NOT_A_FILE: (d) => [
    `${d.file} is ${d.kind}, not a regular file`,
    'Point at the IDX file itself: devices, pipes and sockets may never end or block forever, so they are not read.',
  ],
  DATASET_FILE_TOO_LARGE: (d) => [
    `${d.file} holds more than ${bytes(d.limitBytes)}${d.bytes > d.limitBytes ? ` (${bytes(d.bytes)})` : ''}, more than maxInflatedBytes lets a dataset file have; it was not read`,
    Number.isSafeInteger(d.bytes) && d.bytes > d.limitBytes
      ? `If the file is genuine, raise the cap, e.g. { maxInflatedBytes: ${d.bytes} } (default 1 GiB); otherwise it is not a dataset file.`
      : 'If the file is genuine, raise maxInflatedBytes (default 1 GiB); otherwise it is not a dataset file.',
  ],
  DATASET_BAD_FORMAT: (d) => [
    `${d.dataset}: ${d.file} holds ${d.actual}, but ${d.expected} was expected`,
    'Check that the images and labels files are not swapped and belong to this dataset.',
  ],
  DATASET_COUNT_MISMATCH: (d) => [
    `${d.dataset}: ${d.imagesFile} has ${d.images.toLocaleString('en-US')} images but ${d.labelsFile} has ${d.labels.toLocaleString('en-US')} labels`,
    'Images and labels must come from the same split (train-* with train-*, t10k-* with t10k-*).',
  ],
  DATASET_BAD_LABEL: (d) => [
    `${d.dataset}: ${d.file} has label ${d.label} at index ${d.index}, but the dataset has ${d.numClasses} classes (0..${d.numClasses - 1})`,
    'The labels file is corrupt or belongs to another dataset: download it again.',
  ],
  INDEX_OUT_OF_RANGE: (d) => [
    `index ${show(d.index)} is out of range for a dataset of length ${d.length}`,
    `Use an integer from 0 to ${d.length - 1}.`,
  ],
  DOWNLOAD_FAILED: (d) => [
    `Error downloading ${d.file}: ${d.attempts.length === 0 ? 'no mirrors to try' : d.attempts.map((a) => `${a.url}: ${a.message}`).join('; ')}`,
    'Check your network connection, or download the file yourself and pass its directory as `source`. Nothing was written to the cache.',
  ],
  INVALID_OPTION: (d) => [
    `${d.owner}: option ${d.option} must be ${d.expected}, but got ${show(d.value)}`,
    `Pass ${d.option} as ${d.expected}.`,
  ],
  UNKNOWN_OPTION: (d) => [
    `${d.owner}: unknown option ${show(d.option)}`,
    d.suggestion ? `Did you mean ${d.suggestion}?` : 'Remove it.',
  ],
  NORMALIZE_STD_ZERO: (d) => [
    `Normalize: std evaluated to zero after conversion, leading to division by zero (std = [${d.std.join(', ')}], channel ${d.channel})`,
    'Every std must be non-zero: compute them with computeMeanStd(dataset).',
  ],
  NORMALIZE_LENGTH_MISMATCH: (d) => [
    `Normalize: mean has ${d.mean.length} values but std has ${d.std.length}`,
    'Give one mean and one std per channel, e.g. new Normalize([0.1307], [0.3081]) for MNIST.',
  ],
  CHANNEL_MISMATCH: (d) => [
    `${d.transform}: got an image with ${d.channels} channel${d.channels === 1 ? '' : 's'} (shape [${d.shape.join(', ')}]), but mean/std have ${d.expected} values`,
    `Give ${d.channels} mean and std values (one per channel) or one value for all channels.`,
  ],
  TRANSFORM_BAD_INPUT: (d) => [
    `${d.transform}: expected ${d.expected}, but got ${d.actual}`,
    d.transform === 'Normalize'
      ? 'Put ToTensor before Normalize: new Compose([new ToTensor(), new Normalize(mean, std)]).'
      : 'Check the order of the transforms in Compose.',
  ],
  BATCH_UNSUPPORTED: (d) => [
    `${d.transform} has no batched form`,
    'Give Lambda a batched function as its second argument, or let DataLoader transform one sample at a time.',
  ],
  COLLATE_UNSUPPORTED: (d) => [
    `DataLoader: cannot batch the ${d.what} of sample ${d.index}: got ${d.actual}`,
    `A dataset must return [image, label] where each is a number, a tensor or a raw image ({ data: Uint8Array, shape }).`,
  ],
}

/**
 * The base class of every error `@tensorloom/data` throws. `code` is stable (switch on it),
 * `details` holds the values involved, `hint` says how to fix it; `message` is both, in words.
 */
export class DataError<C extends DataErrorCode = DataErrorCode> extends Error {
  /** Stable identifier of what went wrong. */
  readonly code: C
  /** The values involved (file, option, sizes, ...). */
  readonly details: Readonly<DataErrorDetails[C]>
  /** How to fix it. */
  readonly hint: string

  constructor(code: C, details: DataErrorDetails[C], options?: { cause?: unknown }) {
    const [message, hint] = (describe[code] as (d: DataErrorDetails[C]) => [string, string])(
      details,
    )
    super(`${message}. ${hint}`, options)
    this.name = new.target.name
    this.code = code
    this.details = details
    this.hint = hint
  }
}

/** Codes of {@link IdxError}. */
export type IdxErrorCode =
  | 'IDX_TRUNCATED'
  | 'IDX_BAD_MAGIC'
  | 'IDX_UNKNOWN_DTYPE'
  | 'IDX_SIZE_MISMATCH'
  | 'IDX_BAD_GZIP'
  | 'IDX_GZIP_TOO_LARGE'

/** A file is not a valid (optionally gzip-compressed) IDX file. `file` names it. */
export class IdxError<C extends IdxErrorCode = IdxErrorCode> extends DataError<C> {
  /** The file (or a description of the bytes) that failed to parse. */
  get file(): string {
    return this.details.file
  }
}

/** Codes of {@link DatasetError}. */
export type DatasetErrorCode =
  | 'DATASET_NOT_FOUND'
  | 'DATASET_NOT_A_FILE'
  | 'DATASET_FILE_TOO_LARGE'
  | 'DATASET_BAD_FORMAT'
  | 'DATASET_COUNT_MISMATCH'
  | 'DATASET_BAD_LABEL'
  | 'INDEX_OUT_OF_RANGE'

/** A dataset's files are missing or do not fit together, or an index is out of range. */
export class DatasetError<C extends DatasetErrorCode = DatasetErrorCode> extends DataError<C> {}

/** Every mirror failed for a file; `details.attempts` says why, mirror by mirror. */
export class DownloadError extends DataError<'DOWNLOAD_FAILED'> {
  /** The file that could not be downloaded. */
  get file(): string {
    return this.details.file
  }
  /** One entry per mirror tried, in order. */
  get attempts(): readonly DownloadAttempt[] {
    return this.details.attempts
  }
}

/** Codes of {@link OptionError}. */
export type OptionErrorCode = 'INVALID_OPTION' | 'UNKNOWN_OPTION'

/** An option has a wrong value or an unknown name. `details.option` names it. */
export class OptionError<C extends OptionErrorCode = OptionErrorCode> extends DataError<C> {}

/** Codes of {@link TransformError}. */
export type TransformErrorCode =
  | 'NORMALIZE_STD_ZERO'
  | 'NORMALIZE_LENGTH_MISMATCH'
  | 'CHANNEL_MISMATCH'
  | 'TRANSFORM_BAD_INPUT'
  | 'BATCH_UNSUPPORTED'
  | 'COLLATE_UNSUPPORTED'

/** A transform was built with bad values or got input it cannot handle. */
export class TransformError<
  C extends TransformErrorCode = TransformErrorCode,
> extends DataError<C> {}

/** Suggests the camelCase spelling for snake_case or near-miss option names. */
export function suggestOption(name: string, known: readonly string[]): string | undefined {
  const camel = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
  const lower = camel.toLowerCase()
  return known.find((k) => k.toLowerCase() === lower)
}

/** Throws {@link OptionError} `UNKNOWN_OPTION` for keys of `options` not in `known`. */
export function checkKnownOptions(owner: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new OptionError('UNKNOWN_OPTION', {
        owner,
        option: key,
        suggestion: suggestOption(key, known),
      })
    }
  }
}
