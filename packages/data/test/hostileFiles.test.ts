// Data files that never end, block, or are larger than they may be, and valid files the readers
// used to refuse: each refused up front with a typed error (or read), in bounded time and memory.
import { execFileSync } from 'node:child_process'
import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { record, Tally } from '../../../scripts/reliability/meta.js'
import { DataLoader } from '../src/DataLoader.js'
import { MNIST } from '../src/datasets/MNIST.js'
import { DataError } from '../src/errors.js'
import { MAX_SHUFFLE_LENGTH } from '../src/limits.js'
import { parseIdx } from '../src/parseIdx.js'
import { mnistDataDir } from './helpers.js'

// Safety guards against a read that never ends or a giant allocation, not speed targets.
const MAX_MS = 5000
const MAX_GROWTH = 256 * 2 ** 20

const dir = mkdtempSync(join(tmpdir(), 'tensorloom-data-hostile-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const real = (name: string) => join(mnistDataDir(), name)
const testImages = new Uint8Array(readFileSync(real('t10k-images-idx3-ubyte')))
const testLabels = new Uint8Array(readFileSync(real('t10k-labels-idx1-ubyte')))

const fifo = (name: string) => {
  const path = join(dir, name)
  execFileSync('mkfifo', [path])
  return path
}
/** A sparse file: `head`, then zeros up to `size` bytes (no disk or memory taken). */
const sparse = (name: string, head: Uint8Array, size: number) => {
  const path = join(dir, name)
  writeFileSync(path, head)
  const fd = openSync(path, 'r+')
  ftruncateSync(fd, size)
  closeSync(fd)
  return path
}

/**
 * Runs `load` and returns its typed error (or 'ok'), failing when it takes longer than `MAX_MS`
 * (a hang: the race gives up on it) or the process grows by more than `MAX_GROWTH`.
 */
async function settle(load: () => Promise<unknown>): Promise<DataError | 'ok'> {
  const before = process.memoryUsage().rss
  const start = performance.now()
  let timer: ReturnType<typeof setTimeout> | undefined
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), MAX_MS)
  })
  const result = await Promise.race([
    load().then(
      () => 'ok' as const,
      (error: unknown) => error,
    ),
    hung,
  ])
  clearTimeout(timer)
  expect(result, 'settles').not.toBe('hung')
  expect(performance.now() - start).toBeLessThan(MAX_MS)
  expect(process.memoryUsage().rss - before).toBeLessThan(MAX_GROWTH)
  if (result === 'ok') return 'ok'
  expect(result).toBeInstanceOf(DataError)
  return result as DataError
}

describe('reliability: data files that never end or block', () => {
  it('devices, FIFOs and directories as the images or labels file: refused before reading', async ({
    task,
  }) => {
    const cases: [string, string][] = [
      ['/dev/zero', '/dev/zero'],
      ['/dev/urandom', '/dev/urandom'],
      ['/dev/null', '/dev/null'],
      ['a FIFO nobody writes to', fifo('images.fifo')],
      ['a directory', dir],
    ]
    const outcomes = new Tally()
    for (const [name, path] of cases) {
      for (const which of ['images', 'labels'] as const) {
        const source =
          which === 'images'
            ? { images: path, labels: real('t10k-labels-idx1-ubyte') }
            : { images: real('t10k-images-idx3-ubyte'), labels: path }
        const error = await settle(() => MNIST.load({ source, train: false }))
        expect(error, `${name} as ${which}`).not.toBe('ok')
        const e = error as DataError
        expect(e.code, `${name} as ${which}`).toBe('DATASET_NOT_A_FILE')
        expect(e.message).toContain(`${path} is `)
        outcomes.add(`${e.code} (${(e.details as { kind: string }).kind})`)
      }
    }
    record(task, cases.length * 2, `refused unread: ${outcomes}`)
  })

  it('a FIFO in a source directory or in root/MNIST/raw: refused, not waited on', async ({
    task,
  }) => {
    const source = join(dir, 'source')
    mkdirSync(source)
    fifo('source/t10k-images-idx3-ubyte')
    writeFileSync(join(source, 't10k-labels-idx1-ubyte'), testLabels)
    const root = join(dir, 'root')
    mkdirSync(join(root, 'MNIST', 'raw'), { recursive: true })
    writeFileSync(join(root, 'MNIST', 'raw', 't10k-images-idx3-ubyte'), testImages)
    fifo('root/MNIST/raw/t10k-labels-idx1-ubyte')
    const loads = [
      () => MNIST.load({ source, train: false }),
      () => MNIST.load({ source: new URL(`file://${source}/`), train: false }),
      () => MNIST.load({ root, train: false }),
    ]
    for (const load of loads) {
      const error = await settle(load)
      expect(error).not.toBe('ok')
      expect((error as DataError).code).toBe('DATASET_NOT_A_FILE')
    }
    record(task, loads.length, `refused: DATASET_NOT_A_FILE ×${loads.length}`)
  })

  it('files far larger than their IDX header or maxInflatedBytes allow: refused unread', async ({
    task,
  }) => {
    const gzHead = new Uint8Array(gzipSync(testLabels).subarray(0, 64))
    const cases: [string, string, number | undefined, string][] = [
      [
        'the real images header, 4 GiB on disk',
        sparse('big-images', testImages.subarray(0, 16), 2 ** 32),
        undefined,
        'IDX_SIZE_MISMATCH',
      ],
      [
        'a header declaring 2^32-1 labels, 3 GiB on disk, 1 GiB cap',
        sparse('big-labels', new Uint8Array([0, 0, 8, 1, 255, 255, 255, 255]), 3 * 2 ** 30),
        undefined,
        'DATASET_FILE_TOO_LARGE',
      ],
      [
        'a 3 GiB gzip file',
        sparse('big.gz', gzHead, 3 * 2 ** 30),
        undefined,
        'DATASET_FILE_TOO_LARGE',
      ],
      [
        'the real labels with a 4 KiB cap',
        real('t10k-labels-idx1-ubyte'),
        4096,
        'DATASET_FILE_TOO_LARGE',
      ],
    ]
    const outcomes = new Tally()
    for (const [name, path, maxInflatedBytes, code] of cases) {
      const error = await settle(() =>
        MNIST.load({
          source: { images: real('t10k-images-idx3-ubyte'), labels: path },
          train: false,
          ...(maxInflatedBytes ? { maxInflatedBytes } : {}),
        }),
      )
      expect(error, name).not.toBe('ok')
      expect((error as DataError).code, name).toBe(code)
      outcomes.add(code)
    }
    record(task, cases.length, `refused before reading: ${outcomes}`)
  })
})

describe('reliability: hostile IDX and MNIST files', () => {
  it('multi-member gzip files (cat a.gz b.gz) load as their members joined, everywhere', async ({
    task,
  }) => {
    const cut = (bytes: Uint8Array, at: number[]) =>
      Uint8Array.from(
        Buffer.concat(
          [0, ...at].map((from, i) => gzipSync(bytes.subarray(from, [...at, bytes.length][i]))),
        ),
      )
    const splits = [[8], [3], [4000], [1, 2, 3, 4, 5, 6, 7, 8, 9], [5000, 5000, 5000]]
    let cases = 0
    for (const at of splits) {
      const gz = cut(testLabels, at)
      expect(parseIdx(gz, { fileName: 'labels.gz' }).data).toEqual(testLabels.subarray(8))
      const path = join(dir, `multi-${cases}.gz`)
      writeFileSync(path, gz)
      for (const labels of [gz, path]) {
        const result = await settle(async () => {
          const set = await MNIST.load({
            source: { images: real('t10k-images-idx3-ubyte'), labels },
            train: false,
          })
          expect(set.targets).toEqual(testLabels.subarray(8))
        })
        expect(result).toBe('ok')
      }
      cases += 3
    }
    record(
      task,
      cases,
      `parsed as the plain file: ${cases} (parseIdx, MNIST.load of bytes and of a path)`,
    )
  })

  it(`shuffling a dataset longer than ${MAX_SHUFFLE_LENGTH.toLocaleString('en-US')} samples is refused at once`, ({
    task,
  }) => {
    const lengths = [MAX_SHUFFLE_LENGTH + 1, 1e9, 2 ** 31 - 1, 2 ** 53 - 1]
    for (const length of lengths) {
      const dataset = { length, get: () => [0, 0] as const }
      const start = performance.now()
      expect(() => new DataLoader(dataset, { shuffle: true, batchSize: 64 })).toThrow(
        /option shuffle must be false for a dataset of/,
      )
      expect(performance.now() - start).toBeLessThan(100)
      // Unshuffled, batches come lazily: the first one is at once.
      const loader = new DataLoader(dataset, { batchSize: 2 })
      expect(loader.batchSampler[Symbol.iterator]().next().value).toEqual(new Int32Array([0, 1]))
    }
    record(
      task,
      lengths.length,
      `INVALID_OPTION ×${lengths.length} in under 100 ms; unshuffled ones iterate lazily`,
    )
  })
})
