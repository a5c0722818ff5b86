/**
 * Fashion-MNIST from Debian's `dataset-fashion-mnist` package (an offline copy of the original
 * gzip files), when it is installed (`apt-get install dataset-fashion-mnist`); skipped otherwise.
 * Checked against node:zlib reading the same files, independently of src/.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { FashionMNIST } from '../src/datasets/FashionMNIST.js'

const dir = '/usr/share/datasets/fashion-mnist'

describe.skipIf(!existsSync(dir))('real Fashion-MNIST (Debian dataset-fashion-mnist)', () => {
  it('reads the gzip files: 60,000 + 10,000 images, labels and pixels as zlib decodes them', async () => {
    for (const [train, prefix, count] of [
      [true, 'train', 60_000],
      [false, 't10k', 10_000],
    ] as const) {
      const dataset = await FashionMNIST.load({ source: dir, train })
      expect(dataset.length).toBe(count)
      expect(dataset.shape).toEqual([count, 28, 28])
      const labels = gunzipSync(await readFile(join(dir, `${prefix}-labels-idx1-ubyte.gz`)))
      const images = gunzipSync(await readFile(join(dir, `${prefix}-images-idx3-ubyte.gz`)))
      expect(Buffer.compare(dataset.targets, labels.subarray(8))).toBe(0)
      expect(Buffer.compare(dataset.data, images.subarray(16))).toBe(0)
    }
  })

  it("names the first training image's class", async () => {
    const train = await FashionMNIST.load({ source: dir })
    expect(train.classes[train.targets[0]!]).toBe('Ankle boot')
  })
})
