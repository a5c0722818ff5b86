// Hostile and broken MNIST files, at scale and on the real files: every truncation point, every
// value of every header byte, labels out of range, and downloads corrupted in many ways — each
// rejected with a typed error (or, for downloads, caught by the MD5 check and fetched again from
// the next mirror), within a bounded time.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { record, Tally } from '../../../scripts/reliability/meta.js'
import { type DatasetSpec, loadSplitFiles } from '../src/datasets/loadDataset.js'
import { MNIST } from '../src/datasets/MNIST.js'
import type { DownloadEvent } from '../src/download.js'
import { DataError, DownloadError, IdxError } from '../src/errors.js'
import { parseIdx } from '../src/parseIdx.js'
import { gzipBomb, makeSplit, mnistDataDir } from './helpers.js'

// A safety guard for a runaway loop or a giant allocation, not a speed target.
const MAX_MS = 2000

const real = (name: string) => new Uint8Array(readFileSync(join(mnistDataDir(), name)))
const testImages = real('t10k-images-idx3-ubyte')
const testLabels = real('t10k-labels-idx1-ubyte')

function idxError(fn: () => unknown): IdxError {
  const start = performance.now()
  try {
    fn()
  } catch (error) {
    expect(performance.now() - start).toBeLessThan(MAX_MS)
    expect(error).toBeInstanceOf(IdxError)
    const e = error as IdxError
    expect(e.message.length).toBeGreaterThan(10)
    expect(e.hint.length).toBeGreaterThan(10)
    return e
  }
  throw new Error('expected an IdxError, but the file parsed')
}

/** MNIST.load of the test split from bytes: the dataset, or the typed error it threw. */
async function load(
  images: Uint8Array,
  labels: Uint8Array,
  maxInflatedBytes?: number,
): Promise<MNIST | DataError> {
  const start = performance.now()
  try {
    return await MNIST.load({ source: { images, labels }, train: false, maxInflatedBytes })
  } catch (error) {
    expect(error).toBeInstanceOf(DataError)
    return error as DataError
  } finally {
    expect(performance.now() - start).toBeLessThan(MAX_MS)
  }
}

describe('reliability: hostile IDX and MNIST files', () => {
  it('every truncation point of the real t10k-labels file (10,008 bytes)', ({ task }) => {
    const outcomes = new Tally()
    for (let n = 0; n < testLabels.length; n++) {
      const error = idxError(() => parseIdx(testLabels.subarray(0, n), { fileName: 'labels' }))
      expect(error.code, `cut at ${n}`).toBe('IDX_TRUNCATED')
      outcomes.add(`${error.code} (${(error.details as { section: string }).section})`)
    }
    record(task, testLabels.length, `rejected: ${outcomes}`)
  })

  it('every truncation point of the real t10k-labels file, gzip-compressed', ({ task }) => {
    const gz = new Uint8Array(gzipSync(testLabels))
    const outcomes = new Tally()
    for (let n = 0; n < gz.length; n++) {
      const error = idxError(() => parseIdx(gz.subarray(0, n), { fileName: 'labels.gz' }))
      if (n >= 2) expect(error.code, `cut at ${n}`).toBe('IDX_BAD_GZIP')
      outcomes.add(error.code)
    }
    record(task, gz.length, `rejected: ${outcomes}`)
  })

  it('truncation points of the real t10k-images file, loaded as a dataset', async ({ task }) => {
    const points = [0, 1, 3, 4, 7, 8, 15, 16, 17, 784, 785, 5_000_000, testImages.length - 1]
    for (let i = 0; i < 37; i++)
      points.push(16 + Math.floor(((i + 0.5) / 37) * (testImages.length - 16)))
    const outcomes = new Tally()
    for (const n of points) {
      const result = await load(testImages.subarray(0, n), testLabels)
      expect(result, `cut at ${n}`).toBeInstanceOf(IdxError)
      outcomes.add((result as IdxError).code)
    }
    record(task, points.length, `rejected: ${outcomes}`)
  })

  it('every value of every header byte of the real t10k files, loaded as a dataset', async ({
    task,
  }) => {
    // 16 header bytes of the images and 8 of the labels, each set to each of its 255 other values:
    // no corrupted header may load (a uint8 → int8 type change keeps the size but is refused).
    const outcomes = new Tally()
    let cases = 0
    for (const [which, file, headerBytes] of [
      ['images', testImages, 16],
      ['labels', testLabels, 8],
    ] as const) {
      // One damaged copy, its header byte changed in place and restored after each value.
      const damaged = file.slice()
      for (let at = 0; at < headerBytes; at++) {
        for (let value = 0; value < 256; value++) {
          if (value === file[at]) continue
          damaged[at] = value
          const result =
            which === 'images' ? await load(damaged, testLabels) : await load(testImages, damaged)
          expect(result, `${which} byte ${at} = ${value}`).toBeInstanceOf(DataError)
          outcomes.add((result as DataError).code)
          cases++
        }
        damaged[at] = file[at]!
      }
    }
    record(task, cases, `rejected: ${outcomes}`)
  })

  it('gzip bombs: up to 1 GiB of zeros in about 1 MB, behind real and forged IDX headers', async ({
    task,
  }) => {
    // The bombs are valid gzip (zlib inflates a small one to the very bytes); each must be refused
    // after inflating at most what its header declares (or nothing past its first bytes), by
    // parseIdx, by MNIST.load in Node (zlib) and by the browser path (fflate).
    const small = gzipBomb(testImages.subarray(0, 16), 2)
    expect(gunzipSync(small).length).toBe(16 + 2 * 2 ** 20)
    const forged = (dtype: number, shape: number[]) => {
      const head = new Uint8Array(4 + 4 * shape.length)
      const view = new DataView(head.buffer)
      head.set([0, 0, dtype, shape.length])
      for (const [i, d] of shape.entries()) view.setUint32(4 + 4 * i, d, false)
      return head
    }
    const bombs = [
      { name: 't10k-images header', head: testImages.subarray(0, 16), limit: 'header' },
      { name: 't10k-labels header', head: testLabels.subarray(0, 8), limit: 'header' },
      { name: '[1000, 1000] float64', head: forged(0x0e, [1000, 1000]), limit: 'header' },
      { name: '[2^32-1, 2^32-1] ubyte', head: forged(0x08, [2 ** 32 - 1, 2 ** 32 - 1]) },
      {
        name: 'train-images header, 1 MiB cap',
        head: forged(0x08, [60_000, 28, 28]),
        cap: 2 ** 20,
      },
      { name: 'no header, zeros only', head: new Uint8Array(0), code: 'IDX_UNKNOWN_DTYPE' },
      { name: 'HTML in front', head: new TextEncoder().encode('<html>'), code: 'IDX_BAD_MAGIC' },
    ]
    const outcomes = new Tally()
    let cases = 0
    for (const {
      name,
      head,
      limit = 'maxInflatedBytes',
      cap,
      code = 'IDX_GZIP_TOO_LARGE',
    } of bombs) {
      const gz = gzipBomb(head, 1024)
      expect(gz.length, name).toBeLessThan(1.1e6)
      const labels = head.length === 8
      const source = labels
        ? { images: testImages, labels: gz }
        : { images: gz, labels: testLabels }
      const options = { source, train: false, maxInflatedBytes: cap }
      const results = [
        idxError(() => parseIdx(gz, { fileName: 'bomb.gz', maxInflatedBytes: cap })),
        await load(source.images, source.labels, cap),
        await loadSplitFiles(spec([]), options, { node: false }).catch((error: unknown) => error),
      ]
      for (const result of results) {
        expect(result, name).toBeInstanceOf(IdxError)
        const error = result as IdxError
        expect(error.code, name).toBe(code)
        if (code === 'IDX_GZIP_TOO_LARGE') expect(error.details, name).toMatchObject({ limit })
        outcomes.add(code === 'IDX_GZIP_TOO_LARGE' ? `${code} (${limit})` : code)
        cases++
      }
    }
    record(task, cases, `rejected before inflating past the cap: ${outcomes}`)
  })

  it('gzip files whose inflated size disagrees with their IDX header', async ({ task }) => {
    // The real t10k-labels file with its count changed or bytes added or cut, then compressed.
    const variants: [name: string, plain: Uint8Array][] = []
    for (const count of [0, 1, 9_999, 10_001, 20_000, 2 ** 32 - 1]) {
      const plain = testLabels.slice()
      new DataView(plain.buffer).setUint32(4, count, false)
      variants.push([`count ${count}`, plain])
    }
    for (const extra of [1, 7, 1000, 1_000_000]) {
      variants.push([
        `${extra} bytes appended`,
        new Uint8Array([...testLabels, ...new Uint8Array(extra)]),
      ])
    }
    for (const cut of [1, 100, 9_999])
      variants.push([`${cut} bytes cut`, testLabels.subarray(0, testLabels.length - cut)])
    const outcomes = new Tally()
    let cases = 0
    for (const [name, plain] of variants) {
      const gz = new Uint8Array(gzipSync(plain))
      const fromParse = idxError(() => parseIdx(gz, { fileName: 'labels.gz' }))
      const fromLoad = await load(testImages, gz)
      for (const error of [fromParse, fromLoad]) {
        expect(error, name).toBeInstanceOf(DataError)
        const e = error as DataError
        expect(
          ['IDX_GZIP_TOO_LARGE', 'IDX_TRUNCATED', 'IDX_SIZE_MISMATCH', 'DATASET_COUNT_MISMATCH'],
          name,
        ).toContain(e.code)
        // Larger than declared never inflates past the declaration.
        if (plain.length > 8 + new DataView(plain.buffer, plain.byteOffset).getUint32(4, false)) {
          expect(e.code, name).toBe('IDX_GZIP_TOO_LARGE')
        }
        outcomes.add(e.code)
        cases++
      }
    }
    record(task, cases, `rejected: ${outcomes}`)
  })

  it('label bytes beyond the 10 classes, at random places in the real labels file', async ({
    task,
  }) => {
    let seed = 7
    const next = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0
      return seed
    }
    const cases = 200
    for (let i = 0; i < cases; i++) {
      const index = next() % 10_000
      const label = 10 + (next() % 246)
      const damaged = testLabels.slice()
      damaged[8 + index] = label
      const result = await load(testImages, damaged)
      expect(result).toBeInstanceOf(DataError)
      expect((result as DataError).code).toBe('DATASET_BAD_LABEL')
      expect((result as DataError).details).toMatchObject({ index, label, numClasses: 10 })
    }
    record(task, cases, `rejected: DATASET_BAD_LABEL ×${cases}, each naming the index and label`)
  })
})

// --- Downloads -------------------------------------------------------------------------------

const split = makeSplit(40, 6, 5, 3)
const testSplit = makeSplit(10, 6, 5, 4)
const GZ: Record<string, Uint8Array> = {
  'train-images-idx3-ubyte.gz': new Uint8Array(gzipSync(split.images)),
  'train-labels-idx1-ubyte.gz': new Uint8Array(gzipSync(split.labelsFile)),
  't10k-images-idx3-ubyte.gz': new Uint8Array(gzipSync(testSplit.images)),
  't10k-labels-idx1-ubyte.gz': new Uint8Array(gzipSync(testSplit.labelsFile)),
}
const PLAIN = new Map<Uint8Array, Uint8Array>([
  [GZ['train-images-idx3-ubyte.gz']!, split.images],
  [GZ['train-labels-idx1-ubyte.gz']!, split.labelsFile],
  [GZ['t10k-images-idx3-ubyte.gz']!, testSplit.images],
  [GZ['t10k-labels-idx1-ubyte.gz']!, testSplit.labelsFile],
])
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex')

/** Ways a mirror can serve a damaged file: each path segment `/<kind>/<n>/<file>` picks one. */
const corruptions: Record<string, (body: Uint8Array, n: number) => Uint8Array> = {
  // One byte changed at a position spread over the file.
  flip: (body, n) => {
    const bad = body.slice()
    const at = Math.floor(((n + 0.5) / 16) * body.length)
    bad[at]! ^= 1 << (n % 8)
    return bad
  },
  // Cut short, served with a matching Content-Length (a truncated file on the mirror).
  truncated: (body, n) => body.slice(0, Math.floor((n / 16) * body.length)),
  // Extra bytes after the file.
  appended: (body, n) => new Uint8Array([...body, ...new Uint8Array(n + 1).fill(0x41)]),
  // Another file of the dataset under this name.
  swapped: (body, n) => {
    const others = Object.values(GZ).filter((g) => g !== body)
    return others[n % others.length]!
  },
  // The right file, uncompressed (a mirror that serves plain files under .gz names).
  plain: (body) => PLAIN.get(body)!,
  // Nothing at all.
  empty: () => new Uint8Array(0),
  // An HTML error page with status 200.
  html: () => new TextEncoder().encode('<!doctype html><title>Not Found</title>'),
}

/** Bytes the `endless` mirror has sent, summed over requests. */
let endlessSent = 0

/**
 * A mirror that never stops sending (`endless`, no Content-Length), or one that announces 2 GiB
 * (`announced`) and then sends slowly: both must be cut off at `maxInflatedBytes`.
 */
function oversized(kind: 'endless' | 'announced', res: ServerResponse): void {
  const chunk = new Uint8Array(64 * 1024).fill(0x1f)
  res.writeHead(200, kind === 'announced' ? { 'content-length': 2 ** 31 } : {})
  const more = () => {
    while (!res.destroyed) {
      if (kind === 'endless') endlessSent += chunk.length
      if (!res.write(chunk)) {
        res.once('drain', more)
        return
      }
    }
  }
  res.on('close', () => res.removeAllListeners('drain'))
  more()
}

let server: Server
let base: string
let dir: string

beforeAll(async () => {
  server = createServer((req, res) => {
    const [, kind, n, file] = (req.url ?? '').split('/')
    if (kind === 'endless' || kind === 'announced') {
      oversized(kind, res)
      return
    }
    const body = GZ[file ?? '']
    if (!body) {
      res.writeHead(404).end()
      return
    }
    const served = kind === 'good' ? body : corruptions[kind ?? '']!(body, Number(n))
    res.writeHead(200, { 'content-length': served.length }).end(served)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  dir = await mkdtemp(join(tmpdir(), 'tensorloom-hostile-download-'))
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  await rm(dir, { recursive: true, force: true })
})

const spec = (mirrors: string[]): DatasetSpec => ({
  name: 'Tiny',
  mirrors,
  resources: Object.entries(GZ).map(([file, bytes]) => ({ file, md5: md5(bytes) })),
  classes: Array.from({ length: 10 }, (_, i) => String(i)),
})

describe('reliability: corrupted downloads', () => {
  it('a damaged file from the first mirror is caught by its MD5 and fetched from the next', async ({
    task,
  }) => {
    const outcomes = new Tally()
    let cases = 0
    let root = 0
    for (const kind of Object.keys(corruptions)) {
      for (let n = 0; n < (['html', 'plain', 'empty'].includes(kind) ? 1 : 16); n++) {
        const failed: DownloadEvent[] = []
        const where = join(dir, `ok-${root++}`)
        const files = await loadSplitFiles(spec([`${base}/${kind}/${n}/`, `${base}/good/0/`]), {
          root: where,
          download: true,
          onProgress: (e) => e.type === 'mirror-failed' && failed.push(e),
        })
        // The data is the good mirror's, and every damaged file was reported, then replaced.
        expect(Array.from(files.labels.data as Uint8Array)).toEqual(Array.from(split.labels))
        expect(failed.length, `${kind} ${n}`).toBe(4)
        for (const e of failed) {
          if (e.type !== 'mirror-failed') continue
          outcomes.add(e.attempt.reason)
        }
        const names = await readdir(join(where, 'Tiny', 'raw'))
        expect(names.filter((f) => !/-ubyte(\.gz)?$/.test(f))).toEqual([])
        cases++
      }
    }
    record(task, cases * 4, `every damaged file retried from the next mirror: ${outcomes}`)
  })

  it('when every mirror serves damaged files: DownloadError listing each attempt, no file kept', async ({
    task,
  }) => {
    const kinds = Object.keys(corruptions)
    let cases = 0
    for (let i = 0; i < kinds.length; i++) {
      const where = join(dir, `bad-${i}`)
      const mirrors = [`${base}/${kinds[i]}/3/`, `${base}/${kinds[(i + 1) % kinds.length]}/5/`]
      const error = await loadSplitFiles(spec(mirrors), { root: where, download: true }).then(
        () => null,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(DownloadError)
      const { attempts } = error as DownloadError
      expect(attempts.every((a) => a.reason === 'MD5_MISMATCH')).toBe(true)
      expect(attempts.map((a) => a.url)).toEqual(
        mirrors.map((m) => `${m}train-images-idx3-ubyte.gz`),
      )
      const left = await readdir(join(where, 'Tiny', 'raw')).catch(() => [] as string[])
      expect(left).toEqual([])
      cases++
    }
    record(task, cases, `DownloadError ×${cases}, nothing written`)
  })
})

describe('reliability: oversized downloads', () => {
  it('a mirror that never stops, or announces 2 GiB, is cut off at maxInflatedBytes on every load path', async ({
    task,
  }) => {
    const maxInflatedBytes = 2 ** 20
    const outcomes = new Tally()
    let cases = 0
    for (const kind of ['endless', 'announced']) {
      endlessSent = 0
      const paths = {
        // torchvision's download into root/Tiny/raw, through a file sink.
        root: () =>
          loadSplitFiles(spec([`${base}/${kind}/0/`]), {
            root: join(dir, `oversized-${kind}`),
            download: true,
            maxInflatedBytes,
          }),
        // A source URL, read into memory.
        source: () => MNIST.load({ source: `${base}/${kind}/0/`, maxInflatedBytes }),
      }
      for (const [path, load] of Object.entries(paths)) {
        const start = performance.now()
        const error = await load().then(
          () => null,
          (e: unknown) => e,
        )
        expect(performance.now() - start, `${kind} via ${path}`).toBeLessThan(MAX_MS)
        expect(error, `${kind} via ${path}`).toBeInstanceOf(DownloadError)
        for (const attempt of (error as DownloadError).attempts) {
          expect(attempt.reason, `${kind} via ${path}`).toBe('TOO_LARGE')
          expect(attempt.message).toContain(`maxInflatedBytes (${maxInflatedBytes})`)
          outcomes.add(attempt.reason)
        }
        cases++
      }
      // Reading stopped at the cap: over five requests (the root path's first file; the source's
      // two files by plain and .gz name) the server got out the cap plus socket buffers each,
      // where an unbounded read over localhost takes gigabytes in the same time.
      if (kind === 'endless') expect(endlessSent).toBeLessThan(64 * 2 ** 20)
    }
    const left = await readdir(join(dir, 'oversized-endless', 'Tiny', 'raw')).catch(() => [])
    expect(left).toEqual([])
    record(task, cases, `DownloadError, every attempt ${outcomes}; no file kept`)
  })
})
