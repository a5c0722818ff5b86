import type { GraphDocument } from '@tensorloom/graph'
import { templates } from '@tensorloom/graph'
import { describe, expect, it } from 'vitest'
import { withOriginalNames } from '../data/placeDataset'
import type { StoredMeta } from '../data/summary'
import { withAutoLayout } from '../lib/autoLayout'
import type { FromWorker } from '../worker/protocol'
import type { ImportRequest, TrainerPort } from '../worker/trainerClient'
import { createStudioStore } from './createStudioStore'

const folder: StoredMeta = {
  id: 'local:pets-1',
  name: 'pets',
  payload: 'data.zip',
  bytes: 1000,
  files: 90,
  createdAt: '2026-12-06T00:00:00.000Z',
  summary: {
    kind: 'images',
    classes: ['cat', 'dog', 'fox'],
    counts: [60, 12, 18],
    imageCount: 90,
    sizes: [{ height: 28, width: 28, count: 90 }],
    channels: 1,
    skipped: [],
    skippedCount: 0,
    problems: [],
    problemCount: 0,
  },
}

/** A worker double: imports answer `meta` (or fail with `error`), messages can be played. */
function fakeTrainer(answer: { meta?: StoredMeta; error?: string }) {
  let listener: ((m: FromWorker) => void) | null = null
  const imports: ImportRequest[] = []
  const port: TrainerPort = {
    train: () => {},
    pause: () => {},
    resume: () => {},
    stop: () => {},
    predict: () => Promise.reject(new Error('no')),
    samples: () => Promise.reject(new Error('no')),
    exportWeights: () => Promise.reject(new Error('no')),
    exportPackage: () => Promise.reject(new Error('no')),
    async importData(request, onProgress) {
      imports.push(request)
      onProgress?.({
        type: 'importProgress',
        importId: 1,
        label: 'Decoding images',
        done: 1,
        total: 2,
      })
      if (answer.error) throw new Error(answer.error)
      return { type: 'dataImported', requestId: 1, meta: answer.meta! }
    },
    subscribe(l) {
      listener = l
      return () => {
        listener = null
      }
    },
    dispose() {},
  }
  return { port, imports, emit: (m: FromWorker) => listener?.(m) }
}

const lesson = (): GraphDocument => withAutoLayout(structuredClone(templates.lesson))

function makeStore(answer: { meta?: StoredMeta; error?: string }) {
  const trainer = fakeTrainer(answer)
  const store = createStudioStore({ initialDoc: lesson(), trainer: trainer.port })
  store.getState().setLocalData([], 'opfs')
  return { store, trainer }
}

const file = (path: string) => ({ path, file: new Blob(['x']) })
const codes = (store: ReturnType<typeof makeStore>['store']) =>
  store.getState().inference.issues.map((i) => i.code)

describe('dropped-in data in the store', () => {
  it('puts an imported folder in place of the graph’s dataset, with the scan’s parameters, as one undo step', async () => {
    const { store, trainer } = makeStore({ meta: folder })
    const before = store.getState().doc
    const id = await store.getState().importFiles('pets', [file('pets/cat/1.png')])
    expect(trainer.imports[0]).toMatchObject({ name: 'pets', into: null, csv: null, id: null })
    const node = store.getState().doc.nodes.find((n) => n.id === id)!
    expect(node).toMatchObject({
      type: 'ImageFolder',
      params: {
        source: 'local:pets-1',
        classes: ['cat', 'dog', 'fox'],
        channels: 1,
        height: 28,
        width: 28,
        mixedSizes: false,
      },
    })
    expect(before.nodes.find((n) => n.id === id)?.type).toBe('MNIST')
    expect(store.getState().selection.nodes).toEqual([id])
    expect(store.getState().notice?.text).toBe(
      'Kept pets in this browser: 3 classes, 90 images. ImageFolder took the place of MNIST (Undo brings it back).',
    )
    // Unbalanced and too few images, and ten outputs for three classes.
    expect(codes(store)).toEqual(
      expect.arrayContaining(['DATA_IMBALANCE', 'DATA_TOO_FEW', 'DATA_EXTRA_OUTPUTS']),
    )
    const imbalance = store.getState().inference.issues.find((i) => i.code === 'DATA_IMBALANCE')!
    expect(imbalance.message).toContain('“cat” has 60 images, “dog” 12 (5.0×)')
    const extra = store.getState().inference.issues.find((i) => i.code === 'DATA_EXTRA_OUTPUTS')!
    store.getState().applyFix(extra.nodeId, extra.fix!)
    expect(codes(store)).not.toContain('DATA_EXTRA_OUTPUTS')
    store.getState().undo()
    store.getState().undo()
    expect(store.getState().doc).toEqual(before)
  })

  it('marks a folder of mixed sizes, which the graph then asks to resize', async () => {
    const mixed: StoredMeta = {
      ...folder,
      summary: {
        ...(folder.summary as Extract<StoredMeta['summary'], { kind: 'images' }>),
        sizes: [
          { height: 28, width: 28, count: 80 },
          { height: 32, width: 32, count: 10 },
        ],
      },
    }
    const { store } = makeStore({ meta: mixed })
    const id = await store.getState().importFiles('pets', [file('pets/cat/1.png')])
    expect(store.getState().doc.nodes.find((n) => n.id === id)?.params.mixedSizes).toBe(true)
    const issue = store.getState().inference.issues.find((i) => i.code === 'MIXED_IMAGE_SIZES')!
    expect(issue.fix).toMatchObject({
      kind: 'insertBefore',
      type: 'Resize',
      params: { size: [28, 28] },
    })
  })

  it('keeps the graph and says why when an import fails', async () => {
    const { store } = makeStore({ error: 'pets/cat/2.png: cannot decode this PNG image' })
    const before = store.getState().doc
    expect(await store.getState().importFiles('pets', [file('pets/cat/2.png')])).toBeNull()
    expect(store.getState().doc).toBe(before)
    expect(store.getState().notice).toMatchObject({
      kind: 'error',
      text: 'pets was not added: pets/cat/2.png: cannot decode this PNG image',
    })
    expect(store.getState().importing).toBeNull()
  })

  it('reports data that is not in this browser, and CIFAR-10 without its archive, as errors', () => {
    const { store } = makeStore({})
    const doc = structuredClone(store.getState().doc)
    const mnist = doc.nodes.find((n) => n.type === 'MNIST')!
    mnist.type = 'ImageFolder'
    mnist.params = { ...folder.summary, source: 'local:elsewhere-1', classes: ['a', 'b'] }
    store.getState().commit(doc)
    const missing = store.getState().inference.issues.find((i) => i.code === 'DATA_MISSING')!
    expect(missing).toMatchObject({ severity: 'error', nodeId: mnist.id })
    expect(missing.message).toContain('“local:elsewhere-1” is not kept in this browser')
    store.getState().setLocalData([{ ...folder, id: 'local:elsewhere-1' }], 'opfs')
    expect(codes(store)).not.toContain('DATA_MISSING')

    store.getState().addNode('CIFAR10', { x: 0, y: 0 })
    expect(
      store.getState().inference.issues.find((i) => i.code === 'DATASET_NEEDS_FILES')?.message,
    ).toContain('cifar-10-python.tar.gz')
    expect(store.getState().startTraining()).toBe(false)
  })

  it('shows a failed download on the FashionMNIST block until it is tried again', () => {
    const { store, trainer } = makeStore({})
    store.setState({
      datasetConfig: {
        FashionMNIST: { bundled: false, download: { mirrors: ['https://m/'], md5: {} } },
      },
    })
    const doc = structuredClone(store.getState().doc)
    doc.nodes.find((n) => n.type === 'MNIST')!.type = 'FashionMNIST'
    store.getState().commit(doc)
    expect(codes(store)).not.toContain('DATASET_DOWNLOAD_FAILED')
    trainer.emit({
      type: 'dataStatus',
      dataset: 'FashionMNIST',
      state: 'failed',
      message: 'offline',
    })
    expect(
      store.getState().inference.issues.find((i) => i.code === 'DATASET_DOWNLOAD_FAILED')?.message,
    ).toBe('offline')
    store.getState().retryDownload('FashionMNIST')
    expect(codes(store)).not.toContain('DATASET_DOWNLOAD_FAILED')
  })

  it('takes a failed run’s notice away once the graph changes (another template)', () => {
    const { store, trainer } = makeStore({})
    store.getState().startTraining()
    trainer.emit({ type: 'failed', message: 'FashionMNIST could not be downloaded: offline.' })
    expect(store.getState().notice?.kind).toBe('error')
    store.getState().loadTemplate('smallCnn')
    expect(store.getState().notice).toBeNull()
    expect(store.getState().run.error).toBeNull()
  })

  it('exports a dropped-in dataset under the folder or file it came from', () => {
    const doc = lesson()
    const node = doc.nodes.find((n) => n.type === 'MNIST')!
    node.type = 'ImageFolder'
    node.params = { source: 'local:pets-1' }
    const exported = withOriginalNames(doc, { [folder.id]: folder })
    expect(exported.nodes.find((n) => n.id === node.id)?.params.source).toBe('pets')
    expect(withOriginalNames(lesson(), {})).toEqual(lesson())
  })
})
