/**
 * A first look at a CSV file before it is read for real: its first records as text (for the
 * preview table) and a guess of how it is laid out — a header row or not, rows to skip (the line
 * scikit-learn puts first), the target column. The user can change each guess.
 */

const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/
const INTEGER = /^\s*\d+\s*$/
const isNumber = (cell: string) => NUMBER.test(cell)

/**
 * The first `max` records of `text` (a prefix of the file is enough), split on `delimiter` with
 * RFC 4180 quotes; a record cut off by the end of the prefix is dropped.
 */
export function firstRecords(text: string, max: number, delimiter = ','): string[][] {
  const records: string[][] = []
  let record: string[] = []
  let cell = ''
  let quoted = false
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  for (; i < text.length && records.length < max; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"'
          i++
        } else quoted = false
      } else cell += c
    } else if (c === '"' && cell === '') quoted = true
    else if (c === delimiter) {
      record.push(cell)
      cell = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      record.push(cell)
      if (record.length > 1 || record[0] !== '') records.push(record)
      record = []
      cell = ''
    } else cell += c
  }
  // The last record counts only when the file ended there (not cut off mid-record).
  if (i >= text.length && !quoted && (cell !== '' || record.length > 0) && records.length < max) {
    record.push(cell)
    records.push(record)
  }
  return records
}

/** How a CSV file seems to be laid out. */
export interface CsvLayout {
  header: boolean
  skipRows: number
  /** The target column's name (or index, as a string, without a header). */
  target: string
  /** Class names from a scikit-learn first line, by label (`'0'` → `'setosa'`). */
  labelNames: Record<string, string>
  /** What was recognised, in words; null when the defaults were kept. */
  detected: string | null
}

const TARGET_NAMES = /^(target|class|label|labels|species|variety|y|outcome|category)$/i

/** The column named like a target (`target`, `class`, `species`…), else the last one. */
export function guessTarget(columns: readonly string[]): string {
  const named = columns.findIndex((n) => TARGET_NAMES.test(n))
  return columns[named >= 0 ? named : columns.length - 1] ?? '0'
}

/**
 * Guesses the layout from the first records:
 * - scikit-learn's files start with `n_samples,n_features,<class names…>` (iris:
 *   `150,4,setosa,versicolor,virginica`): that line is skipped, there is no header, the target is
 *   the last column and the names label its classes;
 * - otherwise the first row is a header when some column holds numbers below it but not in it;
 * - the target is a column named like one (`target`, `class`, `species`…), else the last.
 */
export function sniffLayout(records: readonly string[][]): CsvLayout {
  const first = records[0] ?? []
  const second = records[1]
  if (
    first.length >= 2 &&
    INTEGER.test(first[0]!) &&
    INTEGER.test(first[1]!) &&
    first.slice(2).every((c) => !isNumber(c)) &&
    second &&
    Number(first[1]) === second.length - 1
  ) {
    // scikit-learn's layout; some of its files (boston) name the columns on the second line.
    const width = second.length
    const named = !second.every(isNumber)
    const rows = records.slice(named ? 2 : 1)
    const plausible = Number(first[0]) >= rows.length
    if (
      plausible &&
      rows.length > 0 &&
      rows.every((r) => r.length === width && r.every(isNumber))
    ) {
      const names = first
        .slice(2)
        .map((n) => n.trim())
        .filter((n) => n !== '')
      const labelNames = Object.fromEntries(names.map((name, i) => [String(i), name]))
      return {
        header: named,
        skipRows: 1,
        target: named ? guessTarget(second.map((c) => c.trim())) : String(width - 1),
        labelNames,
        detected: `The first line (“${first.join(',').replace(/,+$/, '')}”) looks like scikit-learn's: ${first[0]} rows, ${first[1]} features${names.length > 0 ? ` and the class names ${names.join(', ')}` : ''}. It is skipped, and ${named ? 'the next one names the columns' : 'there is no header row'}.`,
      }
    }
  }
  const rest = records.slice(1)
  const numericBelow = (c: number) => rest.length > 0 && rest.every((r) => isNumber(r[c] ?? ''))
  const header =
    rest.length === 0 ||
    first.some((cell, c) => !isNumber(cell) && numericBelow(c)) ||
    first.every((cell) => !isNumber(cell))
  const names = header ? first.map((c) => c.trim()) : first.map((_, i) => String(i))
  const target = guessTarget(names)
  return {
    header,
    skipRows: 0,
    target,
    labelNames: {},
    detected: header
      ? null
      : 'The first row holds numbers, like the rows below it: it is read as data, not as column names.',
  }
}
