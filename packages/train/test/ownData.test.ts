// Your own data through the compile path: a CSV table (scikit-learn's iris), a 2-D toy problem,
// a folder of PNG images (real FashionMNIST pictures) and FashionMNIST itself, each trained
// from a graph document the way `tensorloom train` and the studio train it.
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  FASHION_MNIST_DIR,
  hasFashionMnist,
  writeFashionFolder,
} from '../../../scripts/testing/fashionFolder.js'
import { IRIS, irisSteps } from '../../../scripts/testing/iris.js'
import { compileGraph, loadGraphData } from '../src/compileGraph'
import { type DataSource, loadSplit } from '../src/datasetLoaders'
import { Trainer } from '../src/Trainer'
import { chainDoc, useWasm } from './helpers'

beforeAll(useWasm)

type Doc = Parameters<typeof compileGraph>[0]

/** Trains `doc` for its epochs and returns the last test accuracy. */
async function trainOn(doc: Doc, source: DataSource = {}, limit?: number): Promise<number> {
  const data = await loadGraphData(doc, (r) => loadSplit(r, source))
  const run = compileGraph(doc, { data, ...(limit ? { limit } : {}) })
  const trainer = new Trainer({ ...run, model: run.built.model, epochs: run.training.epochs })
  try {
    const { history } = await trainer.fit()
    return history.at(-1)?.testAccuracy ?? 0
  } finally {
    trainer.dispose()
    run.dispose()
  }
}

describe('training on your own data', () => {
  it.skipIf(!existsSync(IRIS))(
    'iris (scikit-learn’s CSV): better than 90% on held-out rows',
    async () => {
      const doc = chainDoc(irisSteps(IRIS), { epochs: 60, lr: 0.01 })
      expect(await trainOn(doc)).toBeGreaterThan(0.9)
    },
  )

  it('two moons: better than 90% on held-out points', async () => {
    const doc = chainDoc(
      [
        ['Toy2D', { problem: 'moons', samples: 600, noise: 0.1, seed: 3 }],
        ['RandomSplit', { train: 0.75, seed: 3 }],
        ['DataLoader', { batchSize: 32 }],
        ['Linear', { inFeatures: 2, outFeatures: 16 }],
        ['Tanh'],
        ['Linear', { inFeatures: 16, outFeatures: 2 }],
        ['CrossEntropyLoss'],
      ],
      { epochs: 30, lr: 0.01 },
    )
    expect(await trainOn(doc)).toBeGreaterThan(0.9)
  })

  describe.skipIf(!hasFashionMnist())('real pictures', () => {
    let dir = ''
    let classes: string[] = []
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tensorloom-folder-'))
      classes = await writeFashionFolder(dir, { perClass: 60, classes: [1, 7, 8] })
    })
    afterAll(() => rm(dir, { recursive: true, force: true }))

    it('a folder of PNG files per class (FashionMNIST trousers, sneakers, bags): better than chance', async () => {
      const doc = chainDoc(
        [
          ['ImageFolder', { source: dir, classes, channels: 1, height: 28, width: 28 }],
          ['RandomSplit', { train: 0.8, seed: 0 }],
          ['ToTensor'],
          ['Normalize', { mean: [0.5], std: [0.5] }],
          ['DataLoader', { batchSize: 16 }],
          ['Flatten'],
          ['Linear', { inFeatures: 784, outFeatures: 3 }],
          ['CrossEntropyLoss'],
        ],
        { epochs: 5 },
      )
      expect(await trainOn(doc)).toBeGreaterThan(0.7)
    })

    it('FashionMNIST from Debian’s files with --data', async () => {
      const doc = chainDoc(
        [
          ['FashionMNIST'],
          ['ToTensor'],
          ['Normalize', { mean: [0.286], std: [0.353] }],
          ['DataLoader'],
          ['Flatten'],
          ['Linear', { inFeatures: 784, outFeatures: 10 }],
          ['CrossEntropyLoss'],
        ],
        { epochs: 1 },
      )
      expect(await trainOn(doc, { data: FASHION_MNIST_DIR }, 3000)).toBeGreaterThan(0.5)
    })
  })
})
