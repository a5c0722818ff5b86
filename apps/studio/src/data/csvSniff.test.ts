import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { firstRecords, guessTarget, sniffLayout } from './csvSniff'

const SKLEARN = '/usr/lib/python3/dist-packages/sklearn/datasets/data'
const head = (file: string) => readFileSync(`${SKLEARN}/${file}`, 'utf8').slice(0, 64 * 1024)

describe('firstRecords', () => {
  it('splits quoted fields, CRLF line ends and a BOM, and drops a record cut off at the end', () => {
    const text = '\ufeffname,note\r\n"Smith, J","said ""hi"""\r\nLee,ok\r\nKim,"unfinish'
    expect(firstRecords(text, 10)).toEqual([
      ['name', 'note'],
      ['Smith, J', 'said "hi"'],
      ['Lee', 'ok'],
    ])
    expect(firstRecords('a,b\n1,2', 10)).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ])
    expect(firstRecords('a,b\n1,2\n3,4\n', 2)).toHaveLength(2)
  })
})

describe('sniffLayout', () => {
  it.runIf(readableSklearn())(
    "recognises scikit-learn's first line in iris: skipped, no header, class names",
    () => {
      const layout = sniffLayout(firstRecords(head('iris.csv'), 60))
      expect(layout).toMatchObject({
        header: false,
        skipRows: 1,
        target: '4',
        labelNames: { '0': 'setosa', '1': 'versicolor', '2': 'virginica' },
      })
      expect(layout.detected).toContain('150 rows, 4 features')
    },
  )

  it.runIf(readableSklearn())('and in boston, whose second line names the columns', () => {
    const layout = sniffLayout(firstRecords(head('boston_house_prices.csv'), 60))
    expect(layout).toMatchObject({ header: true, skipRows: 1, target: 'MEDV', labelNames: {} })
  })

  it('takes a first row of names over numbers as the header, and a column named like a target', () => {
    const records = firstRecords('sepal,petal,species,width\n1,2,a,3\n4,5,b,6\n', 10)
    expect(sniffLayout(records)).toMatchObject({ header: true, skipRows: 0, target: 'species' })
    expect(guessTarget(['x', 'y'])).toBe('y')
  })

  it('reads a first row of numbers as data, naming the columns by index', () => {
    const layout = sniffLayout(firstRecords('1,2,0\n3,4,1\n5,6,0\n', 10))
    expect(layout).toMatchObject({ header: false, skipRows: 0, target: '2' })
    expect(layout.detected).toContain('read as data')
  })
})

function readableSklearn(): boolean {
  try {
    readFileSync(`${SKLEARN}/iris.csv`)
    return true
  } catch {
    return false
  }
}
