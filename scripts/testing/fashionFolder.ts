// Real images nobody here drew, as a class folder: FashionMNIST from Debian's dataset-fashion-mnist
// written out as PNG files, `<dir>/<class>/<index>.png`, for ImageFolder tests in Node, the
// exported PyTorch script (torchvision's ImageFolder) and the studio's folder drop.
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { crc32, deflateSync, gunzipSync } from 'node:zlib'

/** Where Debian's `dataset-fashion-mnist` puts the four gzipped IDX files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist'

/** FashionMNIST's class names (torchvision's), in label order. */
export const FASHION_CLASSES = [
  'T-shirt_top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const

/** True when Debian's FashionMNIST files are installed. */
export const hasFashionMnist = (): boolean =>
  existsSync(join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'))

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'ascii')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0)
  return Buffer.concat([head, data, crc])
}

/** A grayscale 8-bit PNG of `pixels` (row-major, `width * height` bytes). */
export function grayPng(width: number, height: number, pixels: Uint8Array): Uint8Array {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr.set([8, 0, 0, 0, 0], 8) // 8 bits, grayscale, deflate, no filter method, no interlace
  const rows = Buffer.alloc(height * (width + 1))
  for (let y = 0; y < height; y++) {
    rows[y * (width + 1)] = 0 // filter: none
    rows.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', new Uint8Array(0)),
  ])
}

/**
 * Writes `perClass` images of each of the `classes` (label indices, default the first 3) from
 * FashionMNIST's test split into `dir/<class name>/<n>.png`. Returns the class names written,
 * sorted as torchvision sorts them.
 */
export async function writeFashionFolder(
  dir: string,
  options: { perClass?: number; classes?: readonly number[] } = {},
): Promise<string[]> {
  const perClass = options.perClass ?? 50
  const wanted = options.classes ?? [0, 1, 2]
  const images = gunzipSync(await readFile(join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz')))
  const labels = gunzipSync(await readFile(join(FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz')))
  const count = labels.readUInt32BE(4)
  const written = new Map<number, number>(wanted.map((c) => [c, 0]))
  for (const c of wanted) await mkdir(join(dir, FASHION_CLASSES[c]!), { recursive: true })
  for (let i = 0; i < count; i++) {
    const label = labels[8 + i]!
    const n = written.get(label)
    if (n === undefined || n >= perClass) continue
    const pixels = images.subarray(16 + i * 784, 16 + (i + 1) * 784)
    await writeFile(join(dir, FASHION_CLASSES[label]!, `${i}.png`), grayPng(28, 28, pixels))
    written.set(label, n + 1)
  }
  return wanted.map((c) => FASHION_CLASSES[c]!).sort()
}
