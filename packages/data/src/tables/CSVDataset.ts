import { checkKnownOptions, OptionError } from '../errors.js'
import { InputError } from '../InputError.js'
import { OWN_DATA_LIMITS } from '../ownDataLimits.js'
import { TensorDataset } from '../TensorDataset.js'
import {
  type CellProblem,
  type CsvReadOptions,
  columnIndex,
  parseCell,
  positive,
  READ_OPTIONS,
  records,
  sortClasses,
} from './csvRecords.js'
import type { CsvSource } from './csvRows.js'

export type { CsvReadOptions } from './csvRecords.js'

/** Options of {@link CSVDataset.scan}. */
export interface CsvScanOptions extends CsvReadOptions {
  /** A target column (name or index) whose class names to collect. */
  target?: string | number
  /** Most distinct target values listed (default 10,000). */
  maxClasses?: number
}

/** What {@link CSVDataset.scan} finds in one streamed pass. */
export interface CsvScan {
  readonly columns: readonly string[]
  /** Per column: `'numeric'` when every cell is a finite number, `'categorical'` otherwise, `'empty'` when every cell is empty. */
  readonly kinds: readonly ('numeric' | 'categorical' | 'empty')[]
  /** Data rows. */
  readonly rowCount: number
  /** Per column, how many cells are empty or `NaN`. */
  readonly missing: readonly number[]
  /** With `target`: its distinct values, sorted (numerically when numeric). */
  readonly classes?: readonly string[]
  /** With `target`: the task {@link CSVDataset.load} would infer. */
  readonly task?: 'classification' | 'regression'
}

/** Options of {@link CSVDataset.load}. */
export interface CsvDatasetOptions extends CsvReadOptions {
  /** The file: text, bytes, a stream of chunks, a Blob/File, or (Node) `{ path }`. */
  source: CsvSource
  /** The target column, by name or index (from 0). */
  target: string | number
  /** Feature columns by name or index (default: every column but the target). */
  features?: readonly (string | number)[]
  /**
   * `'classification'` (labels are indices into the sorted distinct target values) or
   * `'regression'` (the numbers themselves). Default: classification when the target holds text
   * or only integers, regression otherwise.
   */
  task?: 'classification' | 'regression'
  /** Most numbers held, rows x features (default 2^26, 256 MB as float32). */
  maxCells?: number
  /** Most distinct classes (default 10,000). */
  maxClasses?: number
}

/**
 * A table from a CSV file: some columns are the features (numbers), one the target, like a
 * `TensorDataset(features, targets)` built with pandas. Classification targets may be text
 * (`'setosa'`) or integers; labels are indices into `classes` (the distinct values, sorted). The file
 * is streamed: it is never held in memory whole, only the numbers kept (4 bytes each), so a
 * gigabyte of rows is read within the `maxCells`/`maxRows` bounds.
 *
 * Handles a UTF-8 BOM, quoted fields with commas, quotes and line breaks (RFC 4180, parsed by
 * papaparse), `\n`/`\r\n`/`\r` line ends and blank lines. A ragged row, or a feature cell that is
 * empty, `NaN`, infinite or not a number, stops the load with an `InputError` naming the file, the
 * row (1-based, the header is row 1) and the column.
 *
 * @example
 * const iris = await CSVDataset.load({ source: text, target: 'species' })
 * iris.classes // ['setosa', 'versicolor', 'virginica']
 */
export class CSVDataset extends TensorDataset {
  /**
   * Reads the file once, keeping only counts: its columns, which are numeric, the row count, missing
   * cells and (with `target`) the class names. Ragged rows are reported as in `load`.
   */
  static async scan(source: CsvSource, options: CsvScanOptions = {}): Promise<CsvScan> {
    const owner = 'CSVDataset.scan'
    checkKnownOptions(owner, options, [...READ_OPTIONS, 'target', 'maxClasses'])
    const maxClasses = positive(owner, options, 'maxClasses', OWN_DATA_LIMITS.maxCsvClasses)
    let columns: string[] = []
    let numeric: boolean[] = []
    let filled: number[] = []
    let missing: number[] = []
    let rowCount = 0
    let target = -1
    const classes = new Set<string>()
    for await (const { file, columns: cols, record, row } of records(owner, source, options)) {
      if (!record) {
        columns = cols
        numeric = cols.map(() => true)
        filled = cols.map(() => 0)
        missing = cols.map(() => 0)
        if (options.target !== undefined) target = columnIndex(file, cols, options.target)
        continue
      }
      rowCount++
      for (let c = 0; c < record.length; c++) {
        const v = parseCell(record[c]!)
        if (v === 'empty' || v === 'NaN') missing[c]!++
        else filled[c]!++
        if (typeof v !== 'number' && v !== 'empty' && v !== 'NaN') numeric[c] = false
      }
      if (target >= 0) {
        classes.add(record[target]!.trim())
        if (classes.size > maxClasses)
          throw new InputError('CSV_TOO_LARGE', { file, limit: 'maxClasses', max: maxClasses, row })
      }
    }
    const kinds = columns.map(
      (_, c) =>
        (filled[c] === 0
          ? 'empty'
          : numeric[c]
            ? 'numeric'
            : 'categorical') as CsvScan['kinds'][number],
    )
    const scan: CsvScan = { columns, kinds, rowCount, missing }
    if (target < 0) return scan
    const values = sortClasses([...classes])
    const integers = values.every((v) => Number.isInteger(parseCell(v)))
    return {
      ...scan,
      classes: values,
      task: kinds[target] === 'numeric' && !integers ? 'regression' : 'classification',
    }
  }

  /**
   * Streams the file into a dataset of float32 features and int32 labels (classification) or
   * float32 targets (regression).
   *
   * @throws {InputError} `CSV_RAGGED_ROW`, `CSV_BAD_CELL`, `CSV_BAD_QUOTES`, `CSV_NO_COLUMN`,
   *   `CSV_EMPTY`, `CSV_TOO_LARGE` — naming the file and the row and column.
   */
  static async load(options: CsvDatasetOptions): Promise<CSVDataset> {
    const owner = 'CSVDataset.load'
    if (options === null || typeof options !== 'object' || options.source === undefined) {
      throw new OptionError('INVALID_OPTION', {
        owner,
        option: 'source',
        value: options?.source,
        expected: 'CSV text, bytes, a stream, a Blob or { path }',
      })
    }
    checkKnownOptions(owner, options, [
      ...READ_OPTIONS,
      'source',
      'target',
      'features',
      'task',
      'maxCells',
      'maxClasses',
    ])
    if (
      options.task !== undefined &&
      options.task !== 'classification' &&
      options.task !== 'regression'
    ) {
      throw new OptionError('INVALID_OPTION', {
        owner,
        option: 'task',
        value: options.task,
        expected: "'classification' or 'regression'",
      })
    }
    const maxCells = positive(owner, options, 'maxCells', OWN_DATA_LIMITS.maxCsvCells)
    const maxClasses = positive(owner, options, 'maxClasses', OWN_DATA_LIMITS.maxCsvClasses)
    let columns: string[] = []
    let featureIdx: number[] = []
    let target = -1
    let file = '<csv>'
    let features = new Float32Array(1024)
    let n = 0
    // Per row: the index of its target among the distinct values in order of appearance (-1 past
    // maxClasses) and its value as a number (NaN when it is not one); never the strings.
    let codes = new Int32Array(1024)
    let values = new Float32Array(1024)
    const seen = new Map<string, number>()
    let notNumber: { row: number; value: string; reason: CellProblem } | undefined
    for await (const step of records(owner, options.source, options)) {
      file = step.file
      const { record, row } = step
      if (!record) {
        columns = step.columns
        target = columnIndex(file, columns, options.target)
        featureIdx = (options.features ?? columns.map((_, i) => i).filter((i) => i !== target)).map(
          (c) => columnIndex(file, columns, c),
        )
        if (featureIdx.length === 0)
          throw new InputError('CSV_NO_COLUMN', { file, column: '(a feature)', columns })
        continue
      }
      const f = featureIdx.length
      if ((n + 1) * f > maxCells)
        throw new InputError('CSV_TOO_LARGE', { file, limit: 'maxCells', max: maxCells, row })
      if ((n + 1) * f > features.length) {
        const grown = new Float32Array(
          Math.min(Math.max(features.length * 2, (n + 1) * f), maxCells),
        )
        grown.set(features)
        features = grown
      }
      for (let k = 0; k < f; k++) {
        const c = featureIdx[k]!
        const v = parseCell(record[c]!)
        if (typeof v !== 'number') {
          throw new InputError('CSV_BAD_CELL', {
            file,
            row,
            column: columns[c]!,
            value: record[c]!,
            reason: v,
          })
        }
        features[n * f + k] = v
      }
      const t = record[target]!.trim()
      if (t === '')
        throw new InputError('CSV_BAD_CELL', {
          file,
          row,
          column: columns[target]!,
          value: t,
          reason: 'empty',
        })
      if (n === codes.length) {
        const c2 = new Int32Array(n * 2)
        c2.set(codes)
        codes = c2
        const v2 = new Float32Array(n * 2)
        v2.set(values)
        values = v2
      }
      let code = seen.get(t)
      if (code === undefined && seen.size < maxClasses) {
        code = seen.size
        seen.set(t, code)
      }
      codes[n] = code ?? -1
      const v = parseCell(t)
      values[n] = typeof v === 'number' ? v : Number.NaN
      if (typeof v !== 'number') notNumber ??= { row, value: t, reason: v }
      n++
    }
    if (n === 0) throw new InputError('CSV_EMPTY', { file })
    let integers = notNumber === undefined
    for (let i = 0; i < n && integers; i++) integers = Number.isInteger(values[i])
    const task =
      options.task ?? (notNumber !== undefined || integers ? 'classification' : 'regression')
    let targets: Int32Array | Float32Array
    let classes: string[] | undefined
    if (task === 'classification') {
      if (codes.subarray(0, n).includes(-1)) {
        throw new InputError('CSV_TOO_LARGE', { file, limit: 'maxClasses', max: maxClasses })
      }
      classes = sortClasses([...seen.keys()])
      const rank = new Int32Array(seen.size)
      classes.forEach((c, i) => {
        rank[seen.get(c)!] = i
      })
      targets = Int32Array.from(codes.subarray(0, n), (code) => rank[code]!)
    } else {
      if (notNumber) {
        throw new InputError('CSV_BAD_CELL', { file, ...notNumber, column: columns[target]! })
      }
      targets = values.slice(0, n)
    }
    return new CSVDataset(features.slice(0, n * featureIdx.length), targets, {
      columns,
      featureColumns: featureIdx.map((i) => columns[i]!),
      targetColumn: columns[target]!,
      classes,
    })
  }

  /** Every column of the file. */
  readonly columns: readonly string[]
  /** The feature columns, in order. */
  readonly featureColumns: readonly string[]
  /** The target column. */
  readonly targetColumn: string

  /** Builds it from arrays; {@link CSVDataset.load} is the usual way. */
  constructor(
    features: Float32Array,
    targets: Int32Array | Float32Array,
    meta: {
      columns: readonly string[]
      featureColumns: readonly string[]
      targetColumn: string
      classes?: readonly string[] | undefined
    },
  ) {
    super(features, targets, {
      shape: [meta.featureColumns.length],
      ...(meta.classes ? { classes: meta.classes } : {}),
    })
    this.columns = [...meta.columns]
    this.featureColumns = [...meta.featureColumns]
    this.targetColumn = meta.targetColumn
  }

  override toString(): string {
    return `CSVDataset(rows=${this.length}, features=[${this.featureColumns.join(', ')}], target=${this.targetColumn}, task=${this.task})`
  }
}
