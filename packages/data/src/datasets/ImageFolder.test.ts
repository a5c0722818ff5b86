import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { zipSync } from 'fflate'
import { beforeAll, describe, expect, it } from 'vitest'
import { rejection, useCpuBackend } from '../../test/helpers.js'
import { handMadePng, jpg, png, pngBomb } from '../../test/ownData/images.js'
import { DataLoader } from '../DataLoader.js'
import type { RawImage } from '../Dataset.js'
import { isTensorBacked } from '../Dataset.js'
import { libraryImageDecoder } from '../images/decoders.js'
import { Compose } from '../transforms/Compose.js'
import { Resize } from '../transforms/Resize.js'
import { ToTensor } from '../transforms/ToTensor.js'
import { ImageFolder } from './ImageFolder.js'
import { fromZip, type InputFile } from './inputFiles.js'

beforeAll(useCpuBackend)

const gray = (w: number, h: number, v = 0) =>
  png(
    w,
    h,
    1,
    Uint8Array.from({ length: w * h }, (_, i) => (i + v) % 256),
  )

const files: InputFile[] = [
  { path: 'pets/b/2.png', bytes: gray(6, 4, 2) },
  { path: 'pets/b/1.png', bytes: gray(6, 4, 1) },
  { path: 'pets/a/x.png', bytes: gray(6, 4, 3) },
  { path: 'pets/B/sub/z.png', bytes: gray(6, 4, 4) },
  { path: 'pets/B/y.PNG', bytes: gray(6, 4, 5) },
  { path: 'pets/a/notes.txt', bytes: new TextEncoder().encode('hello') },
  { path: 'pets/.DS_Store', bytes: new Uint8Array(10) },
  { path: 'pets/README.md', bytes: new Uint8Array(3) },
]

describe('ImageFolder', () => {
  it("scans classes in Python's order, counts, sizes and skipped files without decoding", async () => {
    const scan = await ImageFolder.scan({ files })
    expect(scan.root).toBe('pets')
    expect(scan.classes).toEqual(['B', 'a', 'b'])
    expect(scan.classToIdx).toEqual({ B: 0, a: 1, b: 2 })
    expect(scan.counts).toEqual([2, 1, 2])
    expect(scan.sizes).toEqual([{ height: 4, width: 6, count: 5 }])
    expect(scan.uniformSize).toEqual([4, 6])
    expect(scan.channels).toBe(1)
    expect(scan.formats).toEqual({ png: 5, jpeg: 0 })
    expect(scan.skipped).toEqual([
      { path: 'a/notes.txt', reason: 'not an image (.txt)' },
      { path: '.DS_Store', reason: 'hidden file' },
      { path: 'README.md', reason: 'not in a class folder' },
    ])
    expect(scan.problems).toEqual([])
  })

  it('loads one-size images as one uint8 array that DataLoader batches in one go', async () => {
    const ds = await ImageFolder.load({ files, transform: new ToTensor() })
    expect(ds.length).toBe(5)
    expect(ds.samples.map(([p, l]) => [p, l])).toEqual([
      ['B/y.PNG', 0],
      ['B/sub/z.png', 0],
      ['a/x.png', 1],
      ['b/1.png', 2],
      ['b/2.png', 2],
    ])
    expect(ds.uniform).toBe(true)
    expect(ds.shape).toEqual([5, 4, 6])
    expect(isTensorBacked(ds)).toBe(true)
    expect(Array.from(ds.image(3).data.subarray(0, 3))).toEqual([1, 2, 3])
    const loader = new DataLoader(ds, { batchSize: 4 })
    expect(loader.path).toBe('host')
    for await (const [x, y] of loader) {
      expect(x.shape.slice(1)).toEqual([1, 4, 6])
      expect(Array.from(y.dataSync()).every((v) => v >= 0 && v < 3)).toBe(true)
      tf.dispose([x, y])
    }
    expect(String(ds)).toContain('Number of datapoints: 5')
  })

  it('decodes RGB and RGBA PNG and JPEG, and mixes gray and colour as RGB', async () => {
    const rgb = Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => (i * 7) % 256)
    const rgba = new Uint8Array(4 * 3 * 4)
    for (let p = 0; p < 12; p++) rgba.set([...rgb.subarray(p * 3, p * 3 + 3), 99], p * 4)
    const ds = await ImageFolder.load({
      files: [
        { path: 'c/rgb.png', bytes: png(4, 3, 3, rgb) },
        { path: 'c/rgba.png', bytes: png(4, 3, 4, rgba) },
        { path: 'd/gray.png', bytes: png(4, 3, 1, new Uint8Array(12).fill(200)) },
        { path: 'd/photo.jpg', bytes: jpg(4, 3, rgb) },
      ],
    })
    expect(ds.shape).toEqual([4, 3, 4, 3])
    expect(ds.image(0).data).toEqual(rgb)
    expect(ds.image(1).data).toEqual(rgb) // alpha dropped
    expect(Array.from(ds.image(2).data.subarray(0, 6))).toEqual([200, 200, 200, 200, 200, 200])
    const photo = ds.image(3).data
    let maxDiff = 0
    for (let i = 0; i < rgb.length; i++) maxDiff = Math.max(maxDiff, Math.abs(photo[i]! - rgb[i]!))
    expect(maxDiff).toBeLessThan(40) // lossy
    const asGray = await ImageFolder.load({
      files: [{ path: 'c/rgb.png', bytes: png(4, 3, 3, rgb) }],
      channels: 1,
    })
    expect(asGray.shape).toEqual([1, 3, 4])
    expect(asGray.image(0).data[1]).toBe(
      (rgb[3]! * 19595 + rgb[4]! * 38470 + rgb[5]! * 7471 + 0x8000) >>> 16,
    )
  })

  it('reports mixed sizes; resize makes them one array, a Resize transform makes them batchable', async () => {
    const mixed = [
      { path: 'x/a.png', bytes: gray(8, 8) },
      { path: 'x/b.png', bytes: gray(10, 6) },
      { path: 'y/c.png', bytes: gray(8, 8) },
    ]
    const scan = await ImageFolder.scan({ files: mixed })
    expect(scan.uniformSize).toBeUndefined()
    expect(scan.sizes).toEqual([
      { height: 8, width: 8, count: 2 },
      { height: 6, width: 10, count: 1 },
    ])
    const raw = await ImageFolder.load({ files: mixed })
    expect(raw.uniform).toBe(false)
    expect(isTensorBacked(raw)).toBe(false)
    expect(() => raw.toTensors()).toThrow(/one size/)
    const resized = await ImageFolder.load({ files: mixed, resize: [5, 5] })
    expect(resized.shape).toEqual([3, 5, 5])
    const transformed = await ImageFolder.load({
      files: mixed,
      transform: new Compose([new Resize([4, 4]), new ToTensor()]),
    })
    const loader = new DataLoader(transformed, { batchSize: 3 })
    expect(loader.path).toBe('per-sample')
    for await (const [x, y] of loader) {
      expect(x.shape).toEqual([3, 1, 4, 4])
      tf.dispose([x, y])
    }
  })

  it('reads a Node folder (root) like torchvision, and a zip (fromZip)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tensorloom-imagefolder-'))
    try {
      for (const f of files) {
        const full = join(dir, f.path)
        await mkdir(join(full, '..'), { recursive: true })
        await writeFile(full, f.bytes)
      }
      const ds = await ImageFolder.load({ root: join(dir, 'pets') })
      expect(ds.classes).toEqual(['B', 'a', 'b'])
      expect(ds.length).toBe(5)
      const zipped = zipSync(Object.fromEntries(files.map((f) => [f.path, f.bytes])))
      const fromZipped = await ImageFolder.load({ files: fromZip(zipped) })
      expect(fromZipped.data).toEqual(ds.data)
      expect(await rejection(ImageFolder.load({ root: join(dir, 'missing') }))).toMatchObject({
        code: 'FOLDER_EMPTY',
      })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('ImageFolder on bad input', () => {
  const good = { path: 'ok/a.png', bytes: gray(4, 4) }
  const load = (bad: InputFile, extra: object = {}) =>
    ImageFolder.load({ files: [good, bad], ...extra })

  it('names a 0-byte, truncated, corrupt or foreign file, and skips them on request', async () => {
    const full = gray(16, 16)
    const cases: [InputFile, string, RegExp][] = [
      [
        { path: 'ok/empty.png', bytes: new Uint8Array(0) },
        'IMAGE_CORRUPT',
        /ok\/empty.png: .*0-byte file/,
      ],
      [
        { path: 'ok/cut.png', bytes: full.subarray(0, full.length - 30) },
        'IMAGE_CORRUPT',
        /ok\/cut.png: cannot decode this PNG image \(truncated/,
      ],
      [
        { path: 'ok/cut-header.png', bytes: full.subarray(0, 20) },
        'IMAGE_CORRUPT',
        /cut-header.png.*truncated/,
      ],
      [
        { path: 'ok/text.png', bytes: new TextEncoder().encode('not a picture') },
        'IMAGE_UNSUPPORTED',
        /text.png: .*not a PNG or JPEG file \(it starts with 6e 6f 74 20\)/,
      ],
      [
        { path: 'ok/anim.png', bytes: new TextEncoder().encode('GIF89a....') },
        'IMAGE_UNSUPPORTED',
        /anim.png: .*GIF is not decoded here/,
      ],
      [
        { path: 'ok/cut.jpg', bytes: jpg(16, 16).subarray(0, 300) },
        'IMAGE_CORRUPT',
        /ok\/cut.jpg: cannot decode this JPEG/,
      ],
      [
        { path: 'ok/garbage.png', bytes: handMadePng(4, 4, new Uint8Array([1, 2, 3, 4, 5])) },
        'IMAGE_CORRUPT',
        /garbage.png: .*corrupt/,
      ],
    ]
    for (const [bad, code, message] of cases) {
      const error = await rejection(load(bad)).catch((e) => {
        throw new Error(`${bad.path}: ${e}`)
      })
      expect(error.code, bad.path).toBe(code)
      expect(error.message).toMatch(message)
      const ds = await load(bad, { onBadImage: 'skip' })
      expect(ds.length).toBe(1)
      expect(ds.skipped.map((s) => s.path)).toEqual([bad.path])
    }
  })

  it('refuses an image declaring 50,000 x 50,000 pixels from its header, before decoding', async () => {
    let decoded = 0
    const library = libraryImageDecoder()
    const decoder = {
      name: 'spy',
      decode: (b: Uint8Array, h: never) => {
        decoded++
        return library.decode(b, h)
      },
    }
    const huge = handMadePng(50_000, 50_000, new Uint8Array(10))
    const error = await rejection(load({ path: 'ok/huge.png', bytes: huge }, { decoder }))
    expect(error.code).toBe('IMAGE_TOO_LARGE')
    expect(error.message).toMatch(/ok\/huge.png: the image declares 50,000 x 50,000 pixels/)
    expect(decoded).toBe(0)
    const scan = await ImageFolder.scan({ files: [good, { path: 'ok/huge.png', bytes: huge }] })
    expect(scan.problems).toEqual([
      {
        path: 'ok/huge.png',
        reason: '50000 x 50000 pixels is over the limit',
        code: 'IMAGE_TOO_LARGE',
      },
    ])
    expect(scan.imageCount).toBe(1)
  })

  it('stops inflating a PNG whose data would inflate to 64 MiB at the size its header needs', async () => {
    const bomb = pngBomb(64)
    expect(bomb.length).toBeLessThan(100_000)
    const before = process.memoryUsage().arrayBuffers
    const error = await rejection(load({ path: 'ok/bomb.png', bytes: bomb }))
    expect(error.code).toBe('IMAGE_CORRUPT')
    expect(error.message).toMatch(/bomb.png: .*inflates past the 1296 bytes its header needs/)
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 2 ** 20)
  })

  it('refuses a zip bomb from its directory, before inflating, and names a corrupt zip', () => {
    const bomb = zipSync({ 'a/x.png': new Uint8Array(3 * 2 ** 20) }, { level: 9 })
    expect(() => fromZip(bomb, { name: 'bomb.zip', maxInflatedBytes: 2 ** 20 })).toThrow(
      /bomb.zip: entry "a\/x.png" would inflate the archive past 1,048,576 bytes/,
    )
    expect(() => fromZip(new Uint8Array([80, 75, 3, 4, 1, 2]), { name: 'bad.zip' })).toThrow(
      /bad.zip: not a readable zip file/,
    )
    const many = zipSync(
      Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`c/${i}.png`, new Uint8Array(1)])),
    )
    expect(() => fromZip(many, { maxFiles: 10 })).toThrow(/more than 10 files/)
  })

  it('refuses folders without classes or with an empty class, and too many pixels in all', async () => {
    expect(
      await rejection(ImageFolder.load({ files: [{ path: 'a.txt', bytes: new Uint8Array(1) }] })),
    ).toMatchObject({ code: 'FOLDER_EMPTY' })
    const error = await rejection(
      ImageFolder.load({ files: [good, good, good], maxTotalBytes: 40 }),
    )
    expect(error.message).toMatch(/would take 48 bytes, more than maxTotalBytes \(40\)/)
    expect(
      await rejection(ImageFolder.load({ files: [good], max_files: 3 } as never)),
    ).toMatchObject({ code: 'UNKNOWN_OPTION' })
    const one = (await ImageFolder.load({ files: [good] })).image(0) as RawImage
    expect(one.shape).toEqual([4, 4])
  })
})
