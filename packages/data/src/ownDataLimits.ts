/**
 * The bounds of the readers of one's own data (ImageFolder, CIFAR10, CSVDataset, fromZip), in one
 * place. Each is a default: the readers take an option of the same name to change it. They exist so
 * that a hostile or mistaken input (a 50,000 x 50,000 PNG, a zip bomb, a 1 GB CSV) fails early with
 * a clear error instead of exhausting the memory of a browser tab or a Node process.
 */
export const OWN_DATA_LIMITS = {
  /** Longest side of an image, read from its header before decoding (`maxImageSide`). */
  maxImageSide: 8192,
  /** Most pixels of one image, width x height, read from its header (`maxImagePixels`). */
  maxImagePixels: 4096 * 4096,
  /** Most files an image folder, zip or file list may hold (`maxFiles`). */
  maxFiles: 200_000,
  /** Most bytes all decoded images of one dataset may take, as uint8 (`maxTotalBytes`, 1 GiB). */
  maxTotalBytes: 2 ** 30,
  /** Most bytes a zip may inflate to, all entries together (`maxInflatedBytes`, 1 GiB). */
  maxZipInflatedBytes: 2 ** 30,
  /** Most bytes one compressed image chunk stream (PNG IDAT) may inflate past what its header needs. */
  pngInflateSlackBytes: 1024,
  /** Most data rows of a CSV file (`maxRows`). */
  maxCsvRows: 10_000_000,
  /** Most columns of a CSV file (`maxColumns`). */
  maxCsvColumns: 10_000,
  /** Most numbers a CSV dataset may hold, rows x feature columns (`maxCells`: 256 MB as float32). */
  maxCsvCells: 2 ** 26,
  /** Longest CSV record (one row, in characters), e.g. an unterminated quote (`maxRecordChars`). */
  maxCsvRecordChars: 2 ** 20,
  /** Most distinct class names of a classification target (`maxClasses`). */
  maxCsvClasses: 10_000,
  /** Most bytes a CIFAR-10 archive may inflate to (`maxInflatedBytes`; the real one is 178 MB). */
  maxCifarInflatedBytes: 2 ** 28,
} as const

/** The names of {@link OWN_DATA_LIMITS}. */
export type OwnDataLimit = keyof typeof OWN_DATA_LIMITS
