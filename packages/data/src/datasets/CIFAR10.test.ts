// The archives in src/fixtures/cifar10/ are written by scripts/write_cifar10.py in the official
// format (12 images per batch); the real cifar-10-python.tar.gz is not reachable from our machines.
// What torchvision's CIFAR10 reads from the same archive is in src/fixtures/ownData.json.

import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { rejection } from '../../test/helpers.js'
import { isTensorBacked } from '../Dataset.js'
import fixture from '../fixtures/ownData.json'
import { CIFAR10 } from './CIFAR10.js'
import { readTar } from './tar.js'

const archive = (name = 'cifar-10-python.tar.gz') =>
  new Uint8Array(readFileSync(new URL(`../fixtures/cifar10/${name}`, import.meta.url)))

const decode = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'))

describe('CIFAR10', () => {
  it.each([true, false])('reads the archive as torchvision does (train: %s)', async (train) => {
    const expected = fixture.cifar10[train ? 'train' : 'test']
    const ds = await CIFAR10.load({ archive: archive(), train })
    expect(ds.length).toBe(expected.length)
    expect([...ds.shape]).toEqual(expected.dataShape)
    expect(Array.from(ds.targets)).toEqual(expected.targets)
    expect(ds.data.subarray(0, 3072)).toEqual(decode(expected.firstImage.data))
    expect(ds.data.subarray(ds.data.length - 3072)).toEqual(decode(expected.lastImage.data))
    let sum = 0
    for (const v of ds.data) sum += v
    expect(sum).toBe(expected.pixelSum)
    expect(ds.classes).toEqual(fixture.cifar10.classes)
    expect(isTensorBacked(ds)).toBe(true)
  })

  it('reads batches re-saved by Python 3 (protocols 4 and 5), extracted files, and a root folder', async () => {
    const reference = await CIFAR10.load({ archive: archive() })
    for (const name of ['cifar-10-python.p4.tar.gz', 'cifar-10-python.p5.tar.gz']) {
      expect((await CIFAR10.load({ archive: archive(name) })).data).toEqual(reference.data)
    }
    const files = readTar(gunzipSync(archive())).map((e) => ({ path: e.name, bytes: e.data }))
    expect((await CIFAR10.load({ files, train: false })).length).toBe(12)
    const root = await mkdtemp(join(tmpdir(), 'tensorloom-cifar-'))
    try {
      // An archive already in root is extracted, as torchvision's download() does (its MD5 is not
      // the official one here, so download: true would fetch the real one: offline, extract by hand).
      expect(await rejection(CIFAR10.load({ root }))).toMatchObject({ code: 'DATASET_NOT_FOUND' })
      const { mkdir } = await import('node:fs/promises')
      await mkdir(join(root, 'cifar-10-batches-py'))
      for (const f of files) if (!f.path.endsWith('/')) await writeFile(join(root, f.path), f.bytes)
      expect((await CIFAR10.load({ root })).data).toEqual(reference.data)
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })

  it('names a file that is not a CIFAR-10 batch, and refuses code in pickles', async () => {
    const files = [
      { path: 'cifar-10-batches-py/test_batch', bytes: new TextEncoder().encode('not a pickle') },
    ]
    const error = await rejection(CIFAR10.load({ files, train: false }))
    expect(error.message).toMatch(
      /CIFAR10: cifar-10-batches-py\/test_batch holds an unreadable pickle/,
    )
    // pickle.dumps of os.system('echo hi') via __reduce__ (protocol 2)
    const evil = new Uint8Array([
      0x80,
      2,
      ...new TextEncoder().encode(
        'cposix\nsystem\nq\x00X\x07\x00\x00\x00echo hiq\x01\x85q\x02Rq\x03.',
      ),
    ])
    const refused = await rejection(
      CIFAR10.load({
        files: [{ path: 'cifar-10-batches-py/test_batch', bytes: evil }],
        train: false,
      }),
    )
    expect(refused.message).toMatch(/refusing the global posix.system/)
    expect(CIFAR10.url).toBe('https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz')
    expect(CIFAR10.md5).toBe('c58f30108f718f92721af3b95e74349a')
  })
})
