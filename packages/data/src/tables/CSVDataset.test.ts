import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { gunzipSync } from 'node:zlib'
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { rejection, useCpuBackend } from '../../test/helpers.js'
import { DataLoader } from '../DataLoader.js'
import { randomSplit } from '../Subset.js'
import { CSVDataset } from './CSVDataset.js'

beforeAll(useCpuBackend)

const iris =
  'sepal length,sepal width,species\n5.1,3.5,setosa\n7.0,3.2,versicolor\n6.3,3.3,virginica\n4.9,3.0,setosa\n'

describe('CSVDataset', () => {
  it('loads features and string labels; classes are the sorted distinct values', async () => {
    const ds = await CSVDataset.load({ source: iris, target: 'species', name: 'iris.csv' })
    expect(ds.length).toBe(4)
    expect(ds.columns).toEqual(['sepal length', 'sepal width', 'species'])
    expect(ds.featureColumns).toEqual(['sepal length', 'sepal width'])
    expect(ds.classes).toEqual(['setosa', 'versicolor', 'virginica'])
    expect(Array.from(ds.targets)).toEqual([0, 1, 2, 0])
    expect(ds.task).toBe('classification')
    expect(Array.from(ds.features.subarray(0, 2))).toEqual([Math.fround(5.1), Math.fround(3.5)])
    const loader = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 1 })
    for await (const [x, y] of loader) {
      expect(x.shape[1]).toBe(2)
      expect(y.dtype).toBe('int32')
      tf.dispose([x, y])
    }
    expect(String(ds)).toBe(
      'CSVDataset(rows=4, features=[sepal length, sepal width], target=species, task=classification)',
    )
  })

  it('regression, integer labels, chosen features, no header, skipped rows', async () => {
    const reg = await CSVDataset.load({ source: 'x,y\n1,0.5\n2,1.5\n', target: 'y' })
    expect(reg.task).toBe('regression')
    expect(Array.from(reg.targets)).toEqual([0.5, 1.5])
    const ints = await CSVDataset.load({
      source: 'a,b,c\n1,2,10\n3,4,2\n5,6,10\n',
      target: 2,
      features: ['b'],
    })
    expect(ints.classes).toEqual(['2', '10'])
    expect(Array.from(ints.targets)).toEqual([1, 0, 1])
    expect(Array.from(ints.features)).toEqual([2, 4, 6])
    const forced = await CSVDataset.load({
      source: 'a,b\n1,2\n3,4\n',
      target: 'b',
      task: 'regression',
    })
    expect(forced.targets).toBeInstanceOf(Float32Array)
    const noHeader = await CSVDataset.load({
      source: 'junk line\n1,2,0\n3,4,1\n',
      header: false,
      skipRows: 1,
      target: 2,
    })
    expect(noHeader.columns).toEqual(['0', '1', '2'])
    expect(noHeader.length).toBe(2)
  })

  it('reads a BOM, quoted commas, quotes and line breaks, CRLF, blank lines, and byte or stream input', async () => {
    const text = '\ufeff"a, b","note",y\r\n"1.5","say ""hi"", there\r\nok",x\r\n\r\n2,plain,z\r\n'
    const ds = await CSVDataset.load({
      source: text,
      target: 'y',
      features: ['a, b'],
      name: 'q.csv',
    })
    expect(ds.columns).toEqual(['a, b', 'note', 'y'])
    expect(ds.length).toBe(2)
    const bad = await rejection(CSVDataset.load({ source: text, target: 'y', name: 'q.csv' }))
    expect(bad.message).toMatch(
      /q.csv: row 2, column "note": "say \\"hi\\", there\\r\\nok" is not a number/,
    )
    const bytes = new TextEncoder().encode(text)
    const chunks = async function* () {
      for (let i = 0; i < bytes.length; i += 3) yield bytes.subarray(i, i + 3)
    }
    const streamed = await CSVDataset.load({ source: chunks(), target: 'y', features: [0] })
    expect(Array.from(streamed.features)).toEqual([1.5, 2])
    expect(streamed.classes).toEqual(['x', 'z'])
  })

  it('names the file, row and column of ragged rows and bad cells', async () => {
    const cases: [string, string, RegExp][] = [
      ['a,b,y\n1,2,0\n3,0\n', 'CSV_RAGGED_ROW', /t.csv: row 3 has 2 cells, but the header has 3/],
      ['a,b,y\n1,2,0\n3,x,1\n', 'CSV_BAD_CELL', /t.csv: row 3, column "b": "x" is not a number/],
      ['a,b,y\n1,NaN,0\n', 'CSV_BAD_CELL', /t.csv: row 2, column "b": "NaN" is NaN/],
      ['a,b,y\n1,,0\n', 'CSV_BAD_CELL', /t.csv: row 2, column "b": the cell is empty/],
      ['a,b,y\n1,inf,0\n', 'CSV_BAD_CELL', /is infinite/],
      ['a,b,y\n1,2,\n', 'CSV_BAD_CELL', /row 2, column "y": the cell is empty/],
      ['a,b,y\n1,"2,0\n', 'CSV_BAD_QUOTES', /t.csv: row 2: Quoted field unterminated/],
      ['', 'CSV_EMPTY', /t.csv: the CSV file has no data rows/],
    ]
    for (const [source, code, message] of cases) {
      const error = await rejection(CSVDataset.load({ source, target: 'y', name: 't.csv' }))
      expect(error.code, source).toBe(code)
      expect(error.message).toMatch(message)
    }
    expect(
      (await rejection(CSVDataset.load({ source: 'a\n1\n', target: 'z', name: 't.csv' }))).message,
    ).toMatch(/t.csv: no column "z"; the columns are "a"/)
  })

  it('scans columns, kinds, rows, missing cells and classes in one pass', async () => {
    const scan = await CSVDataset.scan('a,b,c,y\n1,x,,cat\n2,y,,dog\nNaN,z,,cat\n', { target: 'y' })
    expect(scan).toEqual({
      columns: ['a', 'b', 'c', 'y'],
      kinds: ['numeric', 'categorical', 'empty', 'categorical'],
      rowCount: 3,
      missing: [1, 0, 3, 0],
      classes: ['cat', 'dog'],
      task: 'classification',
    })
  })

  it('streams 1 GB of rows within bounded memory, and stops at the row cap', async () => {
    const line =
      '0.123456,1.234567,2.345678,3.456789,4.567891,5.678912,6.789123,7.891234,8.912345,1\n'
    const block = new TextEncoder().encode(
      `a,b,c,d,e,f,g,h,i,y\n${line.repeat(Math.floor(2 ** 20 / line.length))}`,
    )
    const body = new TextEncoder().encode(line.repeat(Math.floor(2 ** 20 / line.length)))
    const gigabyte = async function* () {
      yield block
      for (let i = 1; i < 1024; i++) yield body
    }
    const before = process.memoryUsage().rss
    let peak = before
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 50)
    try {
      const scan = await CSVDataset.scan(gigabyte(), { target: 'y', maxRows: 20_000_000 })
      expect(scan.rowCount).toBe(1024 * Math.floor(2 ** 20 / line.length))
      expect(scan.classes).toEqual(['1'])
      expect(peak - before).toBeLessThan(300 * 2 ** 20)
      const capped = await rejection(
        CSVDataset.load({ source: gigabyte(), target: 'y', maxRows: 100_000, name: 'big.csv' }),
      )
      expect(capped.message).toMatch(/big.csv: at row 100002: more than maxRows \(100,000\)/)
    } finally {
      clearInterval(timer)
    }
  })

  it('stops at an unterminated quote once a record passes maxRecordChars', async () => {
    const error = await rejection(
      CSVDataset.load({
        source: `a,y\n"${'x'.repeat(5000)}`,
        target: 'y',
        maxRecordChars: 1000,
        name: 'q.csv',
      }),
    )
    expect(error.message).toMatch(/q.csv: at row 2: more than maxRecordChars \(1,000\)/)
  })
})

const sklearn = '/usr/lib/python3/dist-packages/sklearn/datasets/data'

describe.skipIf(!existsSync(sklearn))(
  "scikit-learn's bundled CSV files (Debian python3-sklearn)",
  () => {
    // Each starts with a line `n_samples,n_features,class names...`, then rows of features and the label.
    it.each([
      ['iris.csv', 150, 4, 3],
      ['wine_data.csv', 178, 13, 3],
      ['breast_cancer.csv', 569, 30, 2],
    ])('%s: %i rows of %i features, %i classes', async (file, rows, features, classes) => {
      const path = `${sklearn}/${file}`
      const ds = await CSVDataset.load({
        source: { path },
        header: false,
        skipRows: 1,
        target: features,
      })
      expect(ds.length).toBe(rows)
      expect(ds.shape).toEqual([features])
      expect(ds.classes).toEqual(Array.from({ length: classes }, (_, i) => String(i)))
      const text = await readFile(path, 'utf8')
      const second = text.split('\n')[1]!.split(',').map(Number)
      expect(Array.from(ds.features.subarray(0, features))).toEqual(
        second.slice(0, features).map(Math.fround),
      )
      const [train, test] = randomSplit(ds, [0.8, 0.2], 0)
      expect(train!.length + test!.length).toBe(rows)
    })

    it('digits.csv.gz: 1,797 8x8 images as 64 features', async () => {
      const bytes = gunzipSync(await readFile(`${sklearn}/digits.csv.gz`))
      const ds = await CSVDataset.load({
        source: new Uint8Array(bytes),
        header: false,
        target: 64,
        name: 'digits.csv',
      })
      expect(ds.length).toBe(1797)
      expect(ds.classes).toHaveLength(10)
      const scan = await CSVDataset.scan(new Uint8Array(bytes), { header: false, target: 64 })
      expect(scan.rowCount).toBe(1797)
      expect(scan.kinds.every((k) => k === 'numeric')).toBe(true)
    })
  },
)
