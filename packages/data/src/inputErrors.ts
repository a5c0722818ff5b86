/**
 * The error codes of the readers of one's own data (image folders, zips, CSV files), with their
 * messages. Kept apart from errors.ts so that table grows in one place per concern; errors.ts folds
 * these into `DataErrorDetails` and its message map.
 */

/** The values each input error code carries, keyed by code. */
export interface InputErrorDetails {
  IMAGE_TOO_LARGE: {
    file: string
    width: number
    height: number
    maxImageSide: number
    maxImagePixels: number
  }
  IMAGE_CORRUPT: { file: string; format: string; reason: string }
  IMAGE_UNSUPPORTED: { file: string; reason: string }
  FOLDER_EMPTY: { root: string; reason: string }
  TOO_MANY_FILES: { root: string; count: number; maxFiles: number }
  TOO_MUCH_DATA: { root: string; bytes: number; maxTotalBytes: number }
  ZIP_CORRUPT: { file: string; reason: string }
  ZIP_TOO_LARGE: { file: string; entry: string; declaredBytes: number; maxInflatedBytes: number }
  CSV_EMPTY: { file: string }
  CSV_NO_COLUMN: { file: string; column: string | number; columns: readonly string[] }
  CSV_RAGGED_ROW: { file: string; row: number; expected: number; actual: number }
  CSV_BAD_CELL: {
    file: string
    row: number
    column: string
    value: string
    reason: 'empty' | 'NaN' | 'not a number' | 'infinite'
  }
  CSV_BAD_QUOTES: { file: string; row: number; reason: string }
  CSV_TOO_LARGE: {
    file: string
    limit: 'maxRows' | 'maxColumns' | 'maxCells' | 'maxRecordChars' | 'maxClasses'
    max: number
    row?: number
  }
}

/** Every code of {@link InputErrorDetails}. */
export type InputErrorCode = keyof InputErrorDetails

const count = (n: number): string => n.toLocaleString('en-US')

/** Message and hint of each input error code. */
export const inputErrorMessages: {
  [C in InputErrorCode]: (d: InputErrorDetails[C]) => [message: string, hint: string]
} = {
  IMAGE_TOO_LARGE: (d) => [
    `${d.file}: the image declares ${count(d.width)} x ${count(d.height)} pixels, more than the limit (side ${count(d.maxImageSide)}, ${count(d.maxImagePixels)} pixels); it was not decoded`,
    'Resize the image before loading it, or raise maxImageSide / maxImagePixels if it is genuine.',
  ],
  IMAGE_CORRUPT: (d) => [
    `${d.file}: cannot decode this ${d.format} image (${d.reason})`,
    'The file is damaged or truncated: replace it, delete it, or pass onBadImage: "skip" to leave it out.',
  ],
  IMAGE_UNSUPPORTED: (d) => [
    `${d.file}: unsupported image (${d.reason})`,
    'Convert it to PNG or JPEG, or pass onBadImage: "skip" to leave it out.',
  ],
  FOLDER_EMPTY: (d) => [
    `${d.root}: ${d.reason}`,
    'An image folder holds one subfolder per class, each with PNG or JPEG images: root/<class>/<image>.png.',
  ],
  TOO_MANY_FILES: (d) => [
    `${d.root}: holds more than ${count(d.maxFiles)} files (found ${count(d.count)} so far)`,
    'Load a smaller folder, or raise maxFiles if you mean it.',
  ],
  TOO_MUCH_DATA: (d) => [
    `${d.root}: the decoded images would take ${count(d.bytes)} bytes, more than maxTotalBytes (${count(d.maxTotalBytes)})`,
    'Use fewer or smaller images (e.g. the resize option), or raise maxTotalBytes.',
  ],
  ZIP_CORRUPT: (d) => [
    `${d.file}: not a readable zip file (${d.reason})`,
    'Create the zip again (e.g. "Compress" in your file manager) and retry.',
  ],
  ZIP_TOO_LARGE: (d) => [
    `${d.file}: entry ${JSON.stringify(d.entry)} would inflate the archive past ${count(d.maxInflatedBytes)} bytes (it declares ${count(d.declaredBytes)}); nothing was inflated`,
    'The zip is too large or a zip bomb. Raise maxInflatedBytes only if you trust it.',
  ],
  CSV_EMPTY: (d) => [
    `${d.file}: the CSV file has no data rows`,
    'Check that the file is the one you meant and that it has a header row and data rows.',
  ],
  CSV_NO_COLUMN: (d) => [
    `${d.file}: no column ${JSON.stringify(d.column)}; the columns are ${d.columns.map((c) => JSON.stringify(c)).join(', ')}`,
    'Name a column of the file (or its index, from 0).',
  ],
  CSV_RAGGED_ROW: (d) => [
    `${d.file}: row ${d.row} has ${d.actual} cells, but the header has ${d.expected}`,
    'Every row needs one cell per column: fix that row (a missing or extra comma, or an unquoted comma inside a value).',
  ],
  CSV_BAD_CELL: (d) => [
    `${d.file}: row ${d.row}, column ${JSON.stringify(d.column)}: ${d.reason === 'empty' ? 'the cell is empty' : `${JSON.stringify(d.value)} is ${d.reason === 'NaN' ? 'NaN' : d.reason === 'infinite' ? 'infinite' : 'not a number'}`}`,
    'Feature columns must hold finite numbers: fill in or drop the row, or leave the column out of features.',
  ],
  CSV_BAD_QUOTES: (d) => [
    `${d.file}: row ${d.row}: ${d.reason}`,
    'Quote a value that holds commas, quotes or line breaks with double quotes, and double any quote inside it ("").',
  ],
  CSV_TOO_LARGE: (d) => [
    `${d.file}: ${d.row === undefined ? '' : `at row ${d.row}: `}more than ${d.limit} (${count(d.max)})`,
    `Read a smaller file or part of it, or raise ${d.limit} if you mean it.`,
  ],
}
