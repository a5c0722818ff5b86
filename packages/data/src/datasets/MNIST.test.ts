import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeIdx, makeSplit, rejection, useCpuBackend } from '../../test/helpers.js'
import { DatasetError, IdxError, OptionError } from '../errors.js'
import { Compose } from '../transforms/Compose.js'
import { Lambda } from '../transforms/Lambda.js'
import { Normalize } from '../transforms/Normalize.js'
import { ToTensor } from '../transforms/ToTensor.js'
import { FashionMNIST } from './FashionMNIST.js'
import { MNIST } from './MNIST.js'

const train = makeSplit(12, 5, 4, 1)
const test = makeSplit(7, 5, 4, 2)
let dir: string

async function writeSplitFiles(folder: string, gzip: boolean): Promise<void> {
  await mkdir(folder, { recursive: true })
  const files: [string, Uint8Array][] = [
    ['train-images-idx3-ubyte', train.images],
    ['train-labels-idx1-ubyte', train.labelsFile],
    ['t10k-images-idx3-ubyte', test.images],
    ['t10k-labels-idx1-ubyte', test.labelsFile],
  ]
  for (const [name, bytes] of files) {
    await writeFile(join(folder, gzip ? `${name}.gz` : name), gzip ? gzipSync(bytes) : bytes)
  }
}

beforeAll(async () => {
  await useCpuBackend()
  dir = await mkdtemp(join(tmpdir(), 'tensorloom-mnist-'))
  await writeSplitFiles(join(dir, 'plain'), false)
  await writeSplitFiles(join(dir, 'gz'), true)
  await writeSplitFiles(join(dir, 'root', 'MNIST', 'raw'), false)
  await writeSplitFiles(join(dir, 'root', 'FashionMNIST', 'raw'), true)
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('MNIST.load', () => {
  it("reads <root>/MNIST/raw/ with torchvision's file names, both splits", async () => {
    const trainSet = await MNIST.load({ root: join(dir, 'root'), train: true })
    expect(trainSet.length).toBe(12)
    expect(trainSet.shape).toEqual([12, 5, 4])
    expect(trainSet.data).toEqual(train.pixels)
    expect(trainSet.targets).toEqual(train.labels)
    expect(trainSet.train).toBe(true)
    const testSet = await MNIST.load({ root: join(dir, 'root'), train: false })
    expect(testSet.length).toBe(7)
    expect(testSet.targets).toEqual(test.labels)
    expect(testSet.train).toBe(false)
  })

  it('reads plain and gzip files from a source directory, a file: URL, or bytes', async () => {
    const sources = [
      join(dir, 'plain'),
      join(dir, 'gz'),
      pathToFileURL(join(dir, 'gz')),
      { images: train.images, labels: train.labelsFile },
      { images: gzipSync(train.images), labels: train.labelsFile.slice().buffer },
      {
        images: join(dir, 'gz', 'train-images-idx3-ubyte.gz'),
        labels: join(dir, 'plain', 'train-labels-idx1-ubyte'),
      },
    ]
    for (const source of sources) {
      const dataset = await MNIST.load({ source })
      expect(dataset.data).toEqual(train.pixels)
      expect(dataset.targets).toEqual(train.labels)
    }
  })

  it('returns raw images without a transform, tensors with one', async () => {
    const raw = await MNIST.load({ source: join(dir, 'plain') })
    const [image, label] = raw.get(3)
    expect(image.shape).toEqual([5, 4])
    expect(image.data).toEqual(train.pixels.subarray(60, 80))
    expect(label).toBe(train.labels[3])

    const transformed = await MNIST.load({
      source: join(dir, 'plain'),
      transform: new Compose([new ToTensor(), new Normalize([0.5], [0.5])]),
      targetTransform: (y: number) => `digit ${y}`,
    })
    const before = tf.memory().numTensors
    const [tensor, name] = transformed.get(3)
    expect(tensor.shape).toEqual([1, 5, 4])
    expect(tensor.dataSync()[0]).toBeCloseTo((train.pixels[60]! / 255 - 0.5) / 0.5, 6)
    expect(name).toBe(`digit ${train.labels[3]}`)
    expect(tf.memory().numTensors).toBe(before + 1)
    tensor.dispose()
  })

  it('knows its classes, like torchvision', async () => {
    const dataset = await MNIST.load({ source: join(dir, 'plain') })
    expect(dataset.classes).toHaveLength(10)
    expect(dataset.classes[7]).toBe('7 - seven')
    expect(dataset.classToIdx['3 - three']).toBe(3)
    expect(String(dataset)).toBe('Dataset MNIST\n    Number of datapoints: 12\n    Split: Train')
  })

  it('keeps one device copy for batching, freed by dispose', async () => {
    const dataset = await MNIST.load({ source: join(dir, 'plain') })
    const before = tf.memory().numTensors
    const first = dataset.toTensors()
    expect(dataset.toTensors()).toBe(first)
    expect(first.images.shape).toEqual([12, 5, 4])
    expect(first.images.dtype).toBe('int32')
    expect(Array.from(first.targets.dataSync())).toEqual(Array.from(train.labels))
    expect(tf.memory().numTensors).toBe(before + 2)
    dataset.dispose()
    expect(tf.memory().numTensors).toBe(before)
    tf.tidy(() => {
      dataset.toTensors()
    })
    expect(dataset.toTensors().images.isDisposed).toBe(false)
    dataset.dispose()
  })

  it('rejects an out-of-range index', async () => {
    const dataset = await MNIST.load({ source: join(dir, 'plain') })
    for (const index of [-1, 12, 1.5, Number.NaN]) {
      expect(() => dataset.get(index)).toThrow(DatasetError)
    }
    expect(() => dataset.get(12)).toThrow('index 12 is out of range for a dataset of length 12')
  })

  it('says where it looked and how to fix it when files are missing', async () => {
    const error = await rejection(MNIST.load({ root: join(dir, 'nowhere') }))
    expect(error).toBeInstanceOf(DatasetError)
    expect(error.code).toBe('DATASET_NOT_FOUND')
    expect(error.message).toContain(join(dir, 'nowhere', 'MNIST', 'raw', 'train-images-idx3-ubyte'))
    expect(error.message).toContain('.gz')
    expect(error.message).toContain('download: true')
  })

  it('requires root in Node unless source is given', async () => {
    const error = await rejection(MNIST.load({}))
    expect(error).toBeInstanceOf(OptionError)
    expect(error.message).toMatch(/option root must be a directory such as "\.\/data"/)
  })

  it('rejects images and labels whose counts disagree, naming both files', async () => {
    const error = await rejection(
      MNIST.load({ source: { images: train.images, labels: test.labelsFile } }),
    )
    expect(error.code).toBe('DATASET_COUNT_MISMATCH')
    expect(error.details).toMatchObject({ images: 12, labels: 7 })
    expect(error.message).toContain('train-images-idx3-ubyte (bytes) has 12 images')
    expect(error.message).toContain('train-labels-idx1-ubyte (bytes) has 7 labels')
  })

  it('rejects swapped files and labels beyond the classes', async () => {
    const swapped = await rejection(
      MNIST.load({ source: { images: train.labelsFile, labels: train.images } }),
    )
    expect(swapped.code).toBe('DATASET_BAD_FORMAT')
    expect(swapped.message).toMatch(/holds uint8 data of shape \[12\]/)

    const labels = train.labels.slice()
    labels[5] = 10
    const badLabel = await rejection(
      MNIST.load({ source: { images: train.images, labels: encodeIdx('uint8', [12], labels) } }),
    )
    expect(badLabel.code).toBe('DATASET_BAD_LABEL')
    expect(badLabel.details).toMatchObject({ index: 5, label: 10, numClasses: 10 })

    const floats = await rejection(
      MNIST.load({
        source: {
          images: encodeIdx('float32', [12, 5, 4], train.pixels),
          labels: train.labelsFile,
        },
      }),
    )
    expect(floats.code).toBe('DATASET_BAD_FORMAT')
  })

  it('names the file when one is truncated', async () => {
    const truncated = join(dir, 'truncated')
    await writeSplitFiles(truncated, false)
    await writeFile(join(truncated, 'train-images-idx3-ubyte'), train.images.subarray(0, 100))
    const error = await rejection(MNIST.load({ source: truncated }))
    expect(error).toBeInstanceOf(IdxError)
    expect((error as IdxError).file).toBe(join(truncated, 'train-images-idx3-ubyte'))
    expect(error.code).toBe('IDX_TRUNCATED')
  })

  it('rejects bad options with the option name and a fix', async () => {
    const cases: [object, RegExp][] = [
      [
        { root: dir, target_transform: (y: number) => y },
        /unknown option "target_transform". Did you mean targetTransform\?/,
      ],
      [{ root: dir, train: 'yes' }, /option train must be true or false, but got "yes"/],
      [{ root: dir, transform: 42 }, /option transform must be a transform/],
      [{ root: dir, mirrors: [] }, /option mirrors must be a non-empty array/],
      [{ source: 42 }, /option source must be a directory, a base URL, or \{ images, labels \}/],
      [{ source: { images: 1, labels: 2 } }, /option source must be bytes/],
      [
        { root: dir, maxInflatedBytes: 0 },
        /MNIST.load: option maxInflatedBytes must be a positive whole number of bytes/,
      ],
      [{ root: dir, max_inflated_bytes: 1 }, /Did you mean maxInflatedBytes\?/],
    ]
    for (const [options, message] of cases) {
      const error = await rejection(MNIST.load(options as never))
      expect(error).toBeInstanceOf(OptionError)
      expect(error.message).toMatch(message)
    }
  })

  it('builds from arrays and checks they fit', () => {
    const dataset = new MNIST({
      data: train.pixels,
      targets: train.labels,
      shape: [12, 5, 4],
      train: true,
    })
    expect(dataset.get(0)[1]).toBe(train.labels[0])
    expect(
      () => new MNIST({ data: train.pixels, targets: test.labels, shape: [12, 5, 4], train: true }),
    ).toThrow(DatasetError)
  })

  it('accepts a Lambda target transform with a batched form', async () => {
    const dataset = await MNIST.load({
      source: join(dir, 'plain'),
      targetTransform: new Lambda(
        (y: number) => y + 100,
        (y) => tf.add(y, 100),
      ),
    })
    expect(dataset.get(0)[1]).toBe(train.labels[0]! + 100)
    expect(dataset.targetTransform?.applyBatch).toBeDefined()
  })
})

describe('FashionMNIST.load', () => {
  it("reads <root>/FashionMNIST/raw/ and has Fashion-MNIST's classes and mirror", async () => {
    const dataset = await FashionMNIST.load({ root: join(dir, 'root'), train: false })
    expect(dataset).toBeInstanceOf(FashionMNIST)
    expect(dataset).toBeInstanceOf(MNIST)
    expect(dataset.targets).toEqual(test.labels)
    expect(dataset.classes).toEqual(FashionMNIST.classes)
    expect(dataset.classes[9]).toBe('Ankle boot')
    expect(FashionMNIST.mirrors[0]).toContain('fashion-mnist')
    expect(FashionMNIST.resources.map((r) => r.md5)).not.toEqual(MNIST.resources.map((r) => r.md5))
    expect(String(dataset)).toMatch(/^Dataset FashionMNIST/)
  })

  it('looks in its own folder, not in MNIST/', async () => {
    const root = join(dir, 'only-mnist')
    await writeSplitFiles(join(root, 'MNIST', 'raw'), false)
    const error = await rejection(FashionMNIST.load({ root }))
    expect(error.code).toBe('DATASET_NOT_FOUND')
    expect(error.message).toContain(join(root, 'FashionMNIST', 'raw'))
    expect(await readdir(root)).toEqual(['MNIST'])
  })
})
