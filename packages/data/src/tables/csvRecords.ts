/** A CSV file's records and cells: the options, limits and checks that scan and load share. */
import { OptionError } from '../errors.js'
import { InputError } from '../InputError.js'
import { OWN_DATA_LIMITS } from '../ownDataLimits.js'
import { type CsvSource, csvRows } from './csvRows.js'

/** How a CSV file is read. */
export interface CsvReadOptions {
  /** Name of the file for errors (default: its path, or `'<csv>'`). */
  name?: string
  /** The first record holds the column names (default true); otherwise columns are `'0'`, `'1'`, .... */
  header?: boolean
  /** Records to skip before the header (or the data), e.g. 1 for scikit-learn's bundled CSV files. */
  skipRows?: number
  /** Field separator (default `,`). */
  delimiter?: string
  /** Most data rows (default 10,000,000). */
  maxRows?: number
  /** Most columns (default 10,000). */
  maxColumns?: number
  /** Longest record in characters (default 1 MiB). */
  maxRecordChars?: number
}

/** The names of {@link CsvReadOptions}, for the option checks. */
export const READ_OPTIONS = [
  'name',
  'header',
  'skipRows',
  'delimiter',
  'maxRows',
  'maxColumns',
  'maxRecordChars',
] as const

const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/

/** Why a cell is not a number. */
export type CellProblem = 'empty' | 'NaN' | 'not a number' | 'infinite'

/** The number in a cell, or why it is not one. */
export function parseCell(cell: string): number | CellProblem {
  if (NUMBER.test(cell)) {
    const v = Number(cell)
    return Number.isFinite(v) ? v : 'infinite'
  }
  const t = cell.trim()
  if (t === '') return 'empty'
  if (/^[-+]?nan$/i.test(t)) return 'NaN'
  if (/^[-+]?(inf|infinity)$/i.test(t)) return 'infinite'
  return 'not a number'
}

/** Class values sorted: as numbers when all of them are, else by code point. */
export const sortClasses = (values: string[]): string[] =>
  values.every((v) => typeof parseCell(v) === 'number')
    ? values.sort((a, b) => Number(a) - Number(b))
    : values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))

/** Option `option` of `o` (or `fallback`), checked to be a positive integer. */
export function positive(owner: string, o: object, option: string, fallback: number): number {
  const v = (o as Record<string, unknown>)[option] ?? fallback
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

/** The header and records of a file, with the checks every reader shares. */
export async function* records(owner: string, source: CsvSource, o: CsvReadOptions) {
  const file =
    o.name ??
    (typeof source === 'object' && source !== null && 'path' in source
      ? String(source.path)
      : '<csv>')
  const maxRows = positive(owner, o, 'maxRows', OWN_DATA_LIMITS.maxCsvRows)
  const maxColumns = positive(owner, o, 'maxColumns', OWN_DATA_LIMITS.maxCsvColumns)
  const maxRecordChars = positive(owner, o, 'maxRecordChars', OWN_DATA_LIMITS.maxCsvRecordChars)
  const skipRows = o.skipRows ?? 0
  if (!Number.isInteger(skipRows) || skipRows < 0) {
    throw new OptionError('INVALID_OPTION', {
      owner,
      option: 'skipRows',
      value: skipRows,
      expected: 'a non-negative integer',
    })
  }
  let columns: string[] | undefined
  let skipped = 0
  let rows = 0
  for await (const [record, row] of csvRows(source, {
    file,
    delimiter: o.delimiter,
    maxRecordChars,
  })) {
    if (skipped < skipRows) {
      skipped++
      continue
    }
    if (!columns) {
      if (record.length > maxColumns)
        throw new InputError('CSV_TOO_LARGE', { file, limit: 'maxColumns', max: maxColumns, row })
      columns = o.header === false ? record.map((_, i) => String(i)) : record.map((c) => c.trim())
      yield { file, columns, record: undefined, row }
      if (o.header !== false) continue
    }
    if (record.length !== columns.length) {
      throw new InputError('CSV_RAGGED_ROW', {
        file,
        row,
        expected: columns.length,
        actual: record.length,
      })
    }
    rows++
    if (rows > maxRows)
      throw new InputError('CSV_TOO_LARGE', { file, limit: 'maxRows', max: maxRows, row })
    yield { file, columns, record, row }
  }
  if (!columns) throw new InputError('CSV_EMPTY', { file })
}

/** The index of `column` (a name or an index). @throws {InputError} `CSV_NO_COLUMN`. */
export function columnIndex(
  file: string,
  columns: readonly string[],
  column: string | number,
): number {
  const i = typeof column === 'number' ? column : columns.indexOf(column)
  if (!Number.isInteger(i) || i < 0 || i >= columns.length) {
    throw new InputError('CSV_NO_COLUMN', { file, column, columns })
  }
  return i
}
