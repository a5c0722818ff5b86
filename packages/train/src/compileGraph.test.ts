import * as tf from '@tensorflow/tfjs-core'
import { FashionMNIST, MNIST, Subset } from '@tensorloom/data'
import { applyFix, type GraphDocument, templates } from '@tensorloom/graph'
import { beforeAll, describe, expect, it } from 'vitest'
import { FASHION_MNIST_DIR, hasFashionMnist } from '../../../scripts/testing/fashionFolder.js'
import { useWasm } from '../test/helpers'
import { mnistDir } from '../test/mnist'
import { Adam } from './Adam'
import { CrossEntropyLoss } from './CrossEntropyLoss'
import { compileGraph, disposeGraphData, loadGraphData, type RawSplit } from './compileGraph'
import { loadSplit } from './datasetLoaders'
import { SGD } from './SGD'
import { Trainer } from './Trainer'

beforeAll(useWasm)

const raw = new Map<boolean, Promise<RawSplit>>()
const loadRaw = (train: boolean) => {
  let split = raw.get(train)
  if (!split) {
    split = MNIST.load({ source: mnistDir, train })
    raw.set(train, split)
  }
  return split
}
const load = ({ train }: { train: boolean | null }) => loadRaw(train !== false)

/** The dataset a `limit` took its first samples from. */
const whole = (d: object): object => (d instanceof Subset ? (d.dataset as object) : d)

const withLoss = (loss: 'MSELoss' | 'NLLLoss' | 'CrossEntropyLoss', params = {}): GraphDocument =>
  applyFix(templates.lesson, 'n9', { kind: 'replaceNode', type: loss, params, label: 'test' })

/** Trains a compiled document for a few batches and returns the Trainer's final state. */
async function trainFew(doc: GraphDocument, steps = 3, limit = 256) {
  const data = await loadGraphData(doc, load)
  const run = compileGraph(doc, { data, limit })
  const trainer = new Trainer({ ...run, model: run.built.model, epochs: 1, syncEvery: 1 })
  try {
    await trainer.fit({ maxSteps: steps })
    return { state: trainer.getState(), run }
  } finally {
    trainer.dispose()
    run.dispose()
  }
}

describe('compileGraph', () => {
  it('builds the lesson: model, transforms, loaders, criterion, optimizer and settings', async () => {
    const data = await loadGraphData(templates.lesson, load)
    const before = tf.memory().numTensors
    const run = compileGraph(templates.lesson, { data, limit: 1000 })
    expect(run.built.model.toString()).toContain('(0): Linear(in_features=784, out_features=128')
    expect(run.train.length).toBe(1000)
    // The first 1000 samples of each split, with the graph's transforms.
    expect(whole(run.train)).toBeInstanceOf(MNIST)
    expect((whole(run.train) as MNIST).train).toBe(true)
    expect((whole(run.test) as MNIST).train).toBe(false)
    expect(run.trainLoader.length).toBe(Math.ceil(1000 / 64))
    expect(run.testLoader.length).toBe(1)
    expect(run.criterion).toBeInstanceOf(CrossEntropyLoss)
    expect(run.optimizer).toBeInstanceOf(Adam)
    expect(run.optimizer.paramGroups[0]).toMatchObject({ lr: 0.001 })
    expect(run.training).toEqual(templates.lesson.training)
    const [image] = run.train.get(0)
    expect(image.shape).toEqual([1, 28, 28])
    // Normalize(0.1307, 0.3081) of a black pixel
    expect(image.dataSync()[0]).toBeCloseTo(-0.1307 / 0.3081, 5)
    image.dispose()
    run.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })

  it('trains MSELoss on one-hot labels, as check promises (it failed at the first step)', async () => {
    const { state } = await trainFew(withLoss('MSELoss'))
    expect(state.status).toBe('aborted')
    expect(state.globalStep).toBe(3)
    expect(state.loss).toBeGreaterThan(0)
  })

  it.each(['residualMlp', 'twoTower'] as const)(
    'trains the branching template %s',
    async (name) => {
      const { state } = await trainFew(templates[name], 20, 2000)
      expect(state.globalStep).toBe(20)
      expect(state.loss).toBeLessThan(2.3)
    },
  )

  it("trains a reduction='none' loss on the mean of the per-sample losses", async () => {
    const { state } = await trainFew(withLoss('CrossEntropyLoss', { reduction: 'none' }))
    expect(state.globalStep).toBe(3)
    expect(Number.isFinite(state.loss)).toBe(true)
  })

  it('reads the settings: SGD with momentum, the batch size and the dataset split', async () => {
    let doc = applyFix(templates.lesson, 'n4', {
      kind: 'setParam',
      param: 'batchSize',
      value: 100,
      label: 'test',
    })
    doc = applyFix(doc, 'n1', { kind: 'setParam', param: 'train', value: false, label: 'test' })
    doc = { ...doc, training: { ...doc.training, optimizer: 'SGD', lr: 0.05, momentum: 0.5 } }
    const requests: (boolean | null)[] = []
    const data = await loadGraphData(doc, (r) => {
      requests.push(r.train)
      return loadRaw(r.train !== false)
    })
    expect(requests).toEqual([false, false])
    const run = compileGraph(doc, { data })
    expect(run.trainLoader.length).toBe(100)
    expect(run.optimizer).toBeInstanceOf(SGD)
    expect(run.optimizer.paramGroups[0]).toMatchObject({ lr: 0.05, momentum: 0.5 })
    run.dispose()
  })

  it.skipIf(!hasFashionMnist())(
    'loads the dataset the graph names, with its own class',
    async () => {
      const doc = applyFix(templates.lesson, 'n1', {
        kind: 'replaceNode',
        type: 'FashionMNIST',
        label: 'test',
      })
      const data = await loadGraphData(doc, (r) => loadSplit(r, { data: FASHION_MNIST_DIR }))
      const run = compileGraph(doc, { data, limit: 10 })
      expect(whole(run.train)).toBeInstanceOf(FashionMNIST)
      expect(run.plan.dataset.type).toBe('FashionMNIST')
      run.dispose()
      disposeGraphData(data)
    },
  )

  it('refuses a graph with errors before loading anything', async () => {
    const broken = applyFix(templates.lesson, 'n5', { kind: 'removeNode', label: 'test' })
    let loaded = false
    await expect(
      loadGraphData(broken, (r) => {
        loaded = true
        return loadRaw(r.train !== false)
      }),
    ).rejects.toMatchObject({
      code: 'GRAPH_NOT_BUILDABLE',
      message: expect.stringContaining('mat1 and mat2 shapes cannot be multiplied'),
    })
    expect(loaded).toBe(false)
  })
})
