import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { CacheLike, CacheStorageLike } from '../src/datasets/browserCache.js'
import { type DatasetSpec, loadSplitFiles } from '../src/datasets/loadDataset.js'
import { MNIST } from '../src/datasets/MNIST.js'
import type { DownloadEvent } from '../src/download.js'
import { DatasetError, DownloadError } from '../src/errors.js'
import { makeSplit, rejection } from './helpers.js'

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex')

const train = makeSplit(30, 6, 5, 11)
const test = makeSplit(9, 6, 5, 12)
const gzip = (bytes: Uint8Array) => new Uint8Array(gzipSync(bytes))
const GZ: Record<string, Uint8Array> = {
  'train-images-idx3-ubyte.gz': gzip(train.images),
  'train-labels-idx1-ubyte.gz': gzip(train.labelsFile),
  't10k-images-idx3-ubyte.gz': gzip(test.images),
  't10k-labels-idx1-ubyte.gz': gzip(test.labelsFile),
}
const PLAIN: Record<string, Uint8Array> = {
  'train-images-idx3-ubyte': train.images,
  'train-labels-idx1-ubyte': train.labelsFile,
}

/** How the test server answers under each mirror prefix. */
type Behaviour = 'good' | 'missing' | 'error' | 'corrupt' | 'partial' | 'stall' | 'html' | 'plain'

let server: Server
let base: string
let dir: string
let requests: string[] = []

function answer(behaviour: Behaviour, file: string, res: ServerResponse): void {
  if (behaviour === 'html') {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><p>app</p>')
    return
  }
  const body = behaviour === 'plain' ? PLAIN[file] : GZ[file]
  if (!body || behaviour === 'missing') {
    res.writeHead(404).end('not found')
    return
  }
  switch (behaviour) {
    case 'error':
      res.writeHead(500).end('oops')
      return
    case 'corrupt': {
      const bad = body.slice()
      bad[bad.length >> 1]! ^= 0xff
      res.writeHead(200, { 'content-length': bad.length }).end(bad)
      return
    }
    case 'partial':
      res.writeHead(200, { 'content-length': body.length })
      res.write(body.subarray(0, body.length >> 1), () => res.destroy())
      return
    case 'stall':
      res.writeHead(200, { 'content-length': body.length })
      res.write(body.subarray(0, 10))
      return
    default:
      res
        .writeHead(200, { 'content-length': body.length, 'content-type': 'application/gzip' })
        .end(body)
  }
}

const mirror = (behaviour: Behaviour) => `${base}/${behaviour}/`

const SPEC = (): DatasetSpec => ({
  name: 'Tiny',
  mirrors: [mirror('good')],
  resources: Object.entries(GZ).map(([file, bytes]) => ({ file, md5: md5(bytes) })),
  classes: Array.from({ length: 10 }, (_, i) => String(i)),
})

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '')
    const [, behaviour, file] = (req.url ?? '').split('/')
    answer(behaviour as Behaviour, file ?? '', res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  dir = await mkdtemp(join(tmpdir(), 'tensorloom-download-'))
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  await rm(dir, { recursive: true, force: true })
})

beforeEach(() => {
  requests = []
})

let counter = 0
const freshRoot = () => join(dir, `root-${counter++}`)

describe('download (Node)', () => {
  it('fetches the four .gz files, checks MD5, extracts them, and reports progress', async () => {
    const root = freshRoot()
    const events: DownloadEvent[] = []
    const files = await loadSplitFiles(SPEC(), {
      root,
      download: true,
      onProgress: (e) => events.push(e),
    })
    expect(Array.from(files.images.data)).toEqual(Array.from(train.pixels))
    expect(Array.from(files.labels.data)).toEqual(Array.from(train.labels))
    const raw = join(root, 'Tiny', 'raw')
    expect((await readdir(raw)).sort()).toEqual(
      Object.keys(GZ)
        .flatMap((f) => [f, f.replace('.gz', '')])
        .sort(),
    )
    expect(new Uint8Array(await readFile(join(raw, 't10k-images-idx3-ubyte')))).toEqual(test.images)
    expect(new Uint8Array(await readFile(join(raw, 't10k-images-idx3-ubyte.gz')))).toEqual(
      GZ['t10k-images-idx3-ubyte.gz'],
    )

    const forImages = events.filter((e) => e.file === 'train-images-idx3-ubyte.gz')
    expect(forImages[0]).toEqual({
      type: 'start',
      file: 'train-images-idx3-ubyte.gz',
      url: `${mirror('good')}train-images-idx3-ubyte.gz`,
    })
    const progress = forImages.filter((e) => e.type === 'progress')
    expect(progress.length).toBeGreaterThan(0)
    expect(progress.at(-1)).toMatchObject({
      receivedBytes: GZ['train-images-idx3-ubyte.gz']!.length,
      totalBytes: GZ['train-images-idx3-ubyte.gz']!.length,
    })
    expect(forImages.at(-1)).toMatchObject({
      type: 'done',
      bytes: GZ['train-images-idx3-ubyte.gz']!.length,
    })

    requests = []
    const again = await loadSplitFiles(SPEC(), { root, download: true, train: false })
    expect(Array.from(again.labels.data)).toEqual(Array.from(test.labels))
    expect(requests).toEqual([])
  })

  it('moves on to the next mirror when one fails, and says why', async () => {
    const root = freshRoot()
    const failed: DownloadEvent[] = []
    await loadSplitFiles(
      { ...SPEC(), mirrors: [mirror('error'), 'http://127.0.0.1:1/', mirror('good')] },
      { root, download: true, onProgress: (e) => e.type === 'mirror-failed' && failed.push(e) },
    )
    expect(failed).toHaveLength(8)
    expect(failed[0]).toMatchObject({ attempt: { reason: 'HTTP_ERROR', status: 500 } })
    expect(failed[1]).toMatchObject({ attempt: { reason: 'NETWORK_ERROR' } })
    expect((await readdir(join(root, 'Tiny', 'raw'))).length).toBe(8)
  })

  it('treats a corrupted file as an MD5 mismatch, tries the next mirror and leaves nothing behind', async () => {
    const root = freshRoot()
    const failed: DownloadEvent[] = []
    await loadSplitFiles(
      { ...SPEC(), mirrors: [mirror('corrupt'), mirror('good')] },
      { root, download: true, onProgress: (e) => e.type === 'mirror-failed' && failed.push(e) },
    )
    expect(failed[0]).toMatchObject({
      attempt: {
        reason: 'MD5_MISMATCH',
        expectedMd5: md5(GZ['train-images-idx3-ubyte.gz']!),
      },
    })
    const names = await readdir(join(root, 'Tiny', 'raw'))
    expect(names.filter((n) => n.endsWith('.part'))).toEqual([])
    expect(names).toHaveLength(8)
  })

  it('throws DownloadError with every attempt when all mirrors fail, writing no file', async () => {
    const root = freshRoot()
    const error = await rejection(
      loadSplitFiles(
        { ...SPEC(), mirrors: [mirror('missing'), mirror('corrupt')] },
        { root, download: true },
      ),
    )
    expect(error).toBeInstanceOf(DownloadError)
    expect(error.code).toBe('DOWNLOAD_FAILED')
    const attempts = (error as DownloadError).attempts
    expect(attempts.map((a) => a.reason)).toEqual(['HTTP_ERROR', 'MD5_MISMATCH'])
    expect(attempts[0]).toMatchObject({
      status: 404,
      url: `${mirror('missing')}train-images-idx3-ubyte.gz`,
    })
    expect(error.message).toContain('Error downloading train-images-idx3-ubyte.gz')
    expect(error.message).toContain(`expected ${md5(GZ['train-images-idx3-ubyte.gz']!)}`)
    expect(await readdir(join(root, 'Tiny', 'raw'))).toEqual([])
  })

  it('detects a connection lost mid-file and keeps no partial file', async () => {
    const root = freshRoot()
    const error = await rejection(
      loadSplitFiles({ ...SPEC(), mirrors: [mirror('partial')] }, { root, download: true }),
    )
    expect((error as DownloadError).attempts[0]).toMatchObject({ reason: 'INCOMPLETE' })
    expect(await readdir(join(root, 'Tiny', 'raw'))).toEqual([])
  })

  it('gives up on a stalled mirror after idleTimeoutMs', async () => {
    const root = freshRoot()
    const error = await rejection(
      loadSplitFiles(
        { ...SPEC(), mirrors: [mirror('stall')] },
        { root, download: true, idleTimeoutMs: 200 },
      ),
    )
    expect((error as DownloadError).attempts[0]).toMatchObject({ reason: 'TIMEOUT' })
    expect(await readdir(join(root, 'Tiny', 'raw'))).toEqual([])
  })

  it('stops when aborted, without trying other mirrors or leaving files', async () => {
    const root = freshRoot()
    const controller = new AbortController()
    const promise = loadSplitFiles(
      { ...SPEC(), mirrors: [mirror('stall'), mirror('good')] },
      {
        root,
        download: true,
        signal: controller.signal,
        onProgress: (e) => e.type === 'progress' && controller.abort(new Error('user cancelled')),
      },
    )
    await expect(promise).rejects.toThrow('user cancelled')
    expect(requests.filter((r) => r.startsWith('/good/'))).toEqual([])
    expect(await readdir(join(root, 'Tiny', 'raw'))).toEqual([])
  })

  it('reuses a .gz whose MD5 matches and replaces one that does not', async () => {
    const root = freshRoot()
    const raw = join(root, 'Tiny', 'raw')
    await mkdir(raw, { recursive: true })
    await writeFile(join(raw, 'train-images-idx3-ubyte.gz'), GZ['train-images-idx3-ubyte.gz']!)
    await writeFile(join(raw, 'train-labels-idx1-ubyte.gz'), gzip(new TextEncoder().encode('junk')))
    await loadSplitFiles(SPEC(), { root, download: true })
    expect(requests.map((r) => r.split('/')[2]).sort()).toEqual([
      't10k-images-idx3-ubyte.gz',
      't10k-labels-idx1-ubyte.gz',
      'train-labels-idx1-ubyte.gz',
    ])
    expect(new Uint8Array(await readFile(join(raw, 'train-labels-idx1-ubyte')))).toEqual(
      train.labelsFile,
    )
  })

  it("checks torchvision's MD5 sums for MNIST itself", async () => {
    const root = freshRoot()
    const error = await rejection(MNIST.load({ root, download: true, mirrors: [mirror('good')] }))
    expect(error).toBeInstanceOf(DownloadError)
    expect((error as DownloadError).attempts[0]).toMatchObject({
      reason: 'MD5_MISMATCH',
      expectedMd5: 'f68b3c2dcbeaaa9fbdd348bbdeb94873',
    })
    expect(await readdir(join(root, 'MNIST', 'raw'))).toEqual([])
  })
})

describe('source URLs', () => {
  it('fetches plain files from a base URL, falling back to .gz', async () => {
    const plain = await MNIST.load({ source: mirror('plain') })
    expect(plain.data).toEqual(train.pixels)
    expect(requests).toEqual(
      ['/plain/train-images-idx3-ubyte', '/plain/train-labels-idx1-ubyte'].sort(),
    )

    const gz = await MNIST.load({ source: new URL(mirror('good')), train: false })
    expect(gz.targets).toEqual(test.labels)
  })

  it('fetches files given one by one as URLs', async () => {
    const dataset = await MNIST.load({
      source: {
        images: `${mirror('good')}train-images-idx3-ubyte.gz`,
        labels: new URL(`${mirror('plain')}train-labels-idx1-ubyte`),
      },
    })
    expect(dataset.targets).toEqual(train.labels)
  })

  it('refuses an HTML page served in place of a file', async () => {
    const error = await rejection(MNIST.load({ source: mirror('html') }))
    expect(error).toBeInstanceOf(DownloadError)
    expect((error as DownloadError).attempts[0]!.message).toMatch(/HTML page/)
    expect(error.message).toContain('train-images-idx3-ubyte')
  })
})

class MemoryCache implements CacheLike {
  readonly entries = new Map<string, Uint8Array>()
  async match(url: string) {
    const bytes = this.entries.get(url)
    return bytes ? new Response(bytes.slice()) : undefined
  }
  async put(url: string, response: Response) {
    this.entries.set(url, new Uint8Array(await response.arrayBuffer()))
  }
}

describe('download (browser: Cache Storage)', () => {
  const browser = () => {
    const cache = new MemoryCache()
    const caches: CacheStorageLike = { open: async () => cache }
    return { cache, runtime: { node: false, caches } }
  }

  it("downloads the split's two files, caches them after the MD5 check, then reads the cache", async () => {
    const { cache, runtime } = browser()
    const spec = { ...SPEC(), mirrors: [mirror('corrupt'), mirror('good')] }
    const files = await loadSplitFiles(spec, { download: true }, runtime)
    expect(Array.from(files.labels.data)).toEqual(Array.from(train.labels))
    expect([...cache.entries.keys()].sort()).toEqual([
      `${mirror('good')}train-images-idx3-ubyte.gz`,
      `${mirror('good')}train-labels-idx1-ubyte.gz`,
    ])

    requests = []
    const events: DownloadEvent[] = []
    const again = await loadSplitFiles(spec, { onProgress: (e) => events.push(e) }, runtime)
    expect(Array.from(again.images.data)).toEqual(Array.from(train.pixels))
    expect(requests).toEqual([])
    expect(events.map((e) => e.type)).toEqual(['cached', 'cached'])
  })

  it('ignores a damaged cache entry and downloads again', async () => {
    const { cache, runtime } = browser()
    const spec = SPEC()
    await loadSplitFiles(spec, { download: true }, runtime)
    const key = `${mirror('good')}train-labels-idx1-ubyte.gz`
    cache.entries.set(key, new Uint8Array([1, 2, 3]))
    requests = []
    const files = await loadSplitFiles(spec, { download: true }, runtime)
    expect(Array.from(files.labels.data)).toEqual(Array.from(train.labels))
    expect(requests).toEqual(['/good/train-labels-idx1-ubyte.gz'])
  })

  it('says what to do when the files are neither cached nor to be downloaded', async () => {
    const { runtime } = browser()
    const error = await rejection(loadSplitFiles(SPEC(), {}, runtime))
    expect(error).toBeInstanceOf(DatasetError)
    expect(error.code).toBe('DATASET_NOT_FOUND')
    expect(error.message).toContain('download: true')
  })

  it('caches nothing when every mirror fails', async () => {
    const { cache, runtime } = browser()
    const error = await rejection(
      loadSplitFiles({ ...SPEC(), mirrors: [mirror('partial')] }, { download: true }, runtime),
    )
    expect(error).toBeInstanceOf(DownloadError)
    expect(cache.entries.size).toBe(0)
  })

  it('caches source URLs once they parse, and reads them back from the cache', async () => {
    const { cache, runtime } = browser()
    const files = await loadSplitFiles(SPEC(), { source: mirror('plain') }, runtime)
    expect(Array.from(files.labels.data)).toEqual(Array.from(train.labels))
    expect([...cache.entries.keys()].sort()).toEqual([
      `${mirror('plain')}train-images-idx3-ubyte`,
      `${mirror('plain')}train-labels-idx1-ubyte`,
    ])
    requests = []
    const again = await loadSplitFiles(SPEC(), { source: mirror('plain') }, runtime)
    expect(Array.from(again.images.data)).toEqual(Array.from(train.pixels))
    expect(requests).toEqual([])
  })

  it('does not cache a source file that fails to parse', async () => {
    const { cache, runtime } = browser()
    const source = {
      images: `${mirror('corrupt')}train-images-idx3-ubyte.gz`,
      labels: `${mirror('good')}train-labels-idx1-ubyte.gz`,
    }
    const error = await rejection(loadSplitFiles(SPEC(), { source }, runtime))
    expect(error.code).toBe('IDX_BAD_GZIP')
    expect(cache.entries.size).toBe(0)
  })

  it('works without Cache Storage, fetching every time', async () => {
    const files = await loadSplitFiles(SPEC(), { download: true, train: false }, { node: false })
    expect(Array.from(files.labels.data)).toEqual(Array.from(test.labels))
  })
})
