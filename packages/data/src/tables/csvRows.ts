import Papa from 'papaparse'
import { InputError } from '../InputError.js'
import { nodeModules } from '../runtime.js'

/** A CSV file: its text, its bytes, a stream of chunks, a Blob/File, or (Node) a path. */
export type CsvSource =
  | string
  | Uint8Array
  | { readonly path: string }
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>

/** Chunks of text from any {@link CsvSource}; bytes are decoded as UTF-8 (a BOM is dropped). */
async function* textChunks(source: CsvSource): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8')
  const bytes = async function* (): AsyncGenerator<Uint8Array | string> {
    if (typeof source === 'string') {
      // Large strings go in 1 MiB pieces so the parser's buffer stays small.
      for (let i = 0; i < source.length; i += 1 << 20) yield source.slice(i, i + (1 << 20))
    } else if (source instanceof Uint8Array) {
      for (let i = 0; i < source.length; i += 1 << 20) yield source.subarray(i, i + (1 << 20))
    } else if (typeof Blob !== 'undefined' && source instanceof Blob) {
      yield* readStream(source.stream() as ReadableStream<Uint8Array>)
    } else if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) {
      yield* readStream(source)
    } else if ('path' in source && typeof source.path === 'string') {
      const { fs } = await nodeModules()
      const handle = await fs.open(source.path, 'r')
      try {
        const buffer = new Uint8Array(1 << 20)
        for (;;) {
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, null)
          if (bytesRead === 0) break
          yield buffer.slice(0, bytesRead)
        }
      } finally {
        await handle.close()
      }
    } else {
      yield* source as AsyncIterable<Uint8Array | string>
    }
  }
  let first = true
  for await (const chunk of bytes()) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
      first = false
    }
    if (text) yield text
  }
  const rest = decoder.decode()
  if (rest) yield rest
}

async function* readStream(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      yield value
    }
  } finally {
    reader.releaseLock()
  }
}

/** Options of {@link csvRows}. */
export interface CsvRowsOptions {
  /** File name for errors. */
  readonly file: string
  /** Field separator (default `,`). */
  readonly delimiter?: string
  /** Longest record, in characters (an unterminated quote otherwise reads the whole file). */
  readonly maxRecordChars: number
}

/**
 * Streams the records of a CSV file with papaparse's parser (RFC 4180: quoted fields with commas,
 * quotes and line breaks; `\n`, `\r\n` or `\r` line ends), holding at most one chunk and one record
 * in memory. Yields `[record, rowNumber]` (1-based, counting every record, blank lines skipped).
 */
export async function* csvRows(
  source: CsvSource,
  options: CsvRowsOptions,
): AsyncGenerator<[string[], number]> {
  let parser: Papa.Parser | undefined
  let pending: { row: string[]; error?: string }[] = []
  let partial = ''
  let row = 0
  const make = (newline: string) =>
    new Papa.Parser({
      delimiter: options.delimiter ?? ',',
      newline: newline as '\n',
      quoteChar: '"',
      step: (results) => {
        const record =
          (results.data as unknown as string[][])[0] ?? (results.data as unknown as string[])
        const error = results.errors[0]
        pending.push({ row: record, ...(error ? { error: error.message } : {}) })
      },
    })
  const drain = function* (): Generator<[string[], number]> {
    for (const { row: record, error } of pending) {
      row++
      if (error) throw new InputError('CSV_BAD_QUOTES', { file: options.file, row, reason: error })
      if (record.length === 1 && record[0] === '') {
        continue
      }
      yield [record, row]
    }
    pending = []
  }
  for await (const chunk of textChunks(source)) {
    const text = partial + chunk
    if (!parser) {
      const lf = text.indexOf('\n')
      const cr = text.indexOf('\r')
      if (lf < 0 && cr < 0 && text.length < options.maxRecordChars) {
        partial = text
        continue
      }
      parser = make(cr >= 0 && (lf < 0 || cr < lf) ? (text[cr + 1] === '\n' ? '\r\n' : '\r') : '\n')
    }
    const result = parser.parse(text, 0, true) as { meta: { cursor: number } }
    partial = text.slice(result.meta.cursor)
    yield* drain()
    if (partial.length > options.maxRecordChars) {
      throw new InputError('CSV_TOO_LARGE', {
        file: options.file,
        limit: 'maxRecordChars',
        max: options.maxRecordChars,
        row: row + 1,
      })
    }
  }
  if (partial.length > 0) {
    parser ??= make('\n')
    parser.parse(partial, 0, false)
    yield* drain()
  }
}
