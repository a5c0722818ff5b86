import type { GraphDocument, NodeType } from '@tensorloom/graph'
import { templates } from '@tensorloom/graph'
import { beforeEach, describe, expect, it } from 'vitest'
import { withAutoLayout } from '../lib/autoLayout'
import { decodeGraph, encodeGraph, SHARE_KEY } from '../lib/share'
import type { FromWorker, ToWorker, TrainResults } from '../worker/protocol'
import type { TrainerPort } from '../worker/trainerClient'
import { createStudioStore } from './createStudioStore'
import {
  autosave,
  CURRENT_KEY,
  documentKey,
  LAST_RUN_KEY,
  LEGACY_AUTOSAVE_KEY,
  listDocuments,
  loadInitialGraph,
  loadLastRun,
  persistLastRun,
  saveDocument,
} from './persistence'
import { LOSS_SMOOTHING } from './trainingSlice'

function lesson(): GraphDocument {
  return withAutoLayout(structuredClone(templates.lesson))
}

function makeStore(options: { now?: () => number; trainer?: TrainerPort } = {}) {
  return createStudioStore({ initialDoc: lesson(), ...options })
}

function expectNoOverlaps(doc: GraphDocument) {
  for (const a of doc.nodes) {
    for (const b of doc.nodes) {
      if (a === b) continue
      const apart =
        Math.abs(a.position.x - b.position.x) >= 240 || Math.abs(a.position.y - b.position.y) >= 64
      expect(apart, `${a.type} ${a.id} and ${b.type} ${b.id} overlap`).toBe(true)
    }
  }
}

const idOf = (doc: GraphDocument, type: string) => doc.nodes.find((n) => n.type === type)!.id
const edgeInto = (doc: GraphDocument, target: string) => doc.edges.find((e) => e.target === target)

/** A trainer that records what the store sends and lets the test play the worker. */
function recordingTrainer() {
  const sent: ToWorker['type'][] = []
  let listener: ((m: FromWorker) => void) | null = null
  const port: TrainerPort = {
    train: () => void sent.push('train'),
    pause: () => void sent.push('pause'),
    resume: () => void sent.push('resume'),
    stop: () => void sent.push('stop'),
    predict: () => Promise.reject(new Error('not in this test')),
    samples: () => Promise.reject(new Error('not in this test')),
    exportWeights: () => Promise.reject(new Error('not in this test')),
    exportPackage: () => Promise.reject(new Error('not in this test')),
    subscribe(l) {
      listener = l
      return () => {
        listener = null
      }
    },
    dispose() {},
  }
  return { port, sent, emit: (m: FromWorker) => listener?.(m) }
}

describe('the graph slice', () => {
  it('builds the lesson from an empty canvas by adding blocks one after another', () => {
    const store = createStudioStore({ initialDoc: structuredClone(templates.empty) })
    const add = (type: NodeType) => store.getState().addBlock(type)
    expect(add('MNIST').wired).toBeNull()
    for (const type of ['ToTensor', 'Normalize', 'DataLoader', 'Flatten', 'Linear'] as const) {
      expect(add(type), type).toMatchObject({ wired: 'connected', problem: null })
    }
    const first = store.getState().selection.nodes[0]!
    // Fitted to its input: Linear(784, …).
    expect(store.getState().doc.nodes.find((n) => n.id === first)?.params.inFeatures).toBe(784)
    add('ReLU')
    const last = add('Linear').id
    expect(store.getState().doc.nodes.find((n) => n.id === last)?.params.inFeatures).toBe(128)
    expect(store.getState().setParam(last, 'outFeatures', 10)).toBeNull()
    expect(add('CrossEntropyLoss').wired).toBe('connected')
    const { doc, inference } = store.getState()
    expect(inference.issues.filter((i) => i.severity === 'error')).toEqual([])
    expect(inference.totalParams).toBe(101_770)
    expect(doc.edges).toHaveLength(8)
    // A column, top to bottom, no block on another.
    const ys = doc.nodes.map((n) => n.position.y)
    expect([...ys].sort((a, b) => a - b)).toEqual(ys)
    expect(new Set(doc.nodes.map((n) => n.position.x)).size).toBe(1)
  })

  it('splices a block dropped on a wire into it, making room below', () => {
    const store = makeStore()
    const { doc } = store.getState()
    const relu = idOf(doc, 'ReLU')
    const wire = doc.edges.find((e) => e.source === relu)!
    const added = store.getState().addBlock('Dropout', { edgeId: wire.id, at: { x: 0, y: 0 } })
    expect(added).toMatchObject({ wired: 'spliced', problem: null })
    const after = store.getState().doc
    expect(after.edges.find((e) => e.source === relu)?.target).toBe(added.id)
    expect(after.edges.find((e) => e.source === added.id)?.target).toBe(wire.target)
    expect(store.getState().inference.issues).toEqual([])
    expectNoOverlaps(after)
  })

  it('a block added with a block selected goes after it, into its wire, fitted', () => {
    const store = makeStore()
    const relu = idOf(store.getState().doc, 'ReLU')
    store.getState().setSelection([relu], [])
    const added = store.getState().addBlock('Linear')
    expect(added.wired).toBe('spliced')
    const node = store.getState().doc.nodes.find((n) => n.id === added.id)!
    expect(node.params.inFeatures).toBe(128)
    // Linear(128, 128) keeps the shapes after it: no error anywhere.
    expect(store.getState().inference.issues).toEqual([])
    expect(store.getState().selection.nodes).toEqual([added.id])
    expectNoOverlaps(store.getState().doc)
  })

  it('leaves a block unwired, beside, when the shapes do not allow it, and says why', () => {
    const store = makeStore()
    const relu = idOf(store.getState().doc, 'ReLU')
    store.getState().setSelection([relu], [])
    const before = store.getState().doc.edges
    const added = store.getState().addBlock('MaxPool2d')
    expect(added.wired).toBeNull()
    expect(added.problem).toEqual(expect.any(String))
    expect(store.getState().doc.edges).toEqual(before)
    expectNoOverlaps(store.getState().doc)
  })

  it('never drops a block on top of another', () => {
    const store = makeStore()
    const flatten = store.getState().doc.nodes.find((n) => n.type === 'Flatten')!
    for (let i = 0; i < 6; i++) {
      store.getState().addBlock('ReLU', { at: flatten.position, after: null })
    }
    expectNoOverlaps(store.getState().doc)
  })

  it('wires an input from a list, without a mouse: replaces or removes the wire there', () => {
    const store = makeStore()
    const doc = store.getState().doc
    const relu = idOf(doc, 'ReLU')
    const flatten = idOf(doc, 'Flatten')
    const dropout = store.getState().addBlock('Dropout', { at: { x: 900, y: 0 }, after: null }).id
    expect(store.getState().setInput(dropout, undefined, relu)).toBeNull()
    expect(edgeInto(store.getState().doc, dropout)?.source).toBe(relu)
    // Another source replaces it; a cycle is refused with the reason.
    expect(store.getState().setInput(dropout, undefined, flatten)).toBeNull()
    expect(
      store
        .getState()
        .doc.edges.filter((e) => e.target === dropout)
        .map((e) => e.source),
    ).toEqual([flatten])
    const last = doc.nodes.filter((n) => n.type === 'Linear')[1]!.id
    expect(store.getState().setInput(flatten, undefined, last)).toMatch(/cycle/)
    expect(store.getState().setInput(dropout, undefined, null)).toBeNull()
    expect(edgeInto(store.getState().doc, dropout)).toBeUndefined()
    // A merge's port.
    const residual = createStudioStore({
      initialDoc: withAutoLayout(structuredClone(templates.residualMlp)),
    })
    expect(residual.getState().setInput('n11', 'b', null)).toBeNull()
    expect(
      residual.getState().doc.edges.some((e) => e.target === 'n11' && e.targetPort === 'b'),
    ).toBe(false)
    expect(residual.getState().setInput('n11', 'b', 'n7')).toBeNull()
    expect(residual.getState().inference.issues).toEqual([])
  })

  it('splices a block without wires that is dragged onto a wire', () => {
    const store = makeStore()
    const dropout = store.getState().addBlock('Dropout', { at: { x: 900, y: 0 }, after: null }).id
    const wire = store
      .getState()
      .doc.edges.find((e) => e.source === idOf(store.getState().doc, 'ReLU'))!
    expect(store.getState().spliceNode(dropout, wire.id)).toBe(true)
    expect(store.getState().inference.issues).toEqual([])
    expectNoOverlaps(store.getState().doc)
  })

  it('opens on the lesson with its shapes and 101,770 parameters', () => {
    const { doc, inference } = makeStore().getState()
    expect(inference.totalParams).toBe(101_770)
    const flattenToLinear = doc.edges.find((e) => e.source === idOf(doc, 'Flatten'))!
    expect(inference.edges[flattenToLinear.id]?.label).toBe('(64, 784)')
    expect(inference.issues.filter((i) => i.severity === 'error')).toEqual([])
  })

  it('adds a block with PyTorch defaults, selects it, and undo/redo remove and restore it', () => {
    const store = makeStore()
    const before = store.getState().doc
    const id = store.getState().addNode('Dropout', { x: 10, y: 20 })
    const added = store.getState().doc.nodes.find((n) => n.id === id)!
    expect(added).toMatchObject({ type: 'Dropout', params: { p: 0.5 }, position: { x: 10, y: 20 } })
    expect(store.getState().selection.nodes).toEqual([id])
    expect(before.nodes.some((n) => n.id === id)).toBe(false)

    store.getState().undo()
    expect(store.getState().doc).toBe(before)
    expect(store.getState().selection.nodes).toEqual([])
    store.getState().redo()
    expect(store.getState().doc.nodes.find((n) => n.id === id)?.type).toBe('Dropout')
  })

  it('connects blocks, and refuses a second wire into an input, cycles and self-loops', () => {
    const store = makeStore()
    const { doc } = store.getState()
    const relu = idOf(doc, 'ReLU')
    const flatten = idOf(doc, 'Flatten')
    const dropout = store.getState().addNode('Dropout', { x: 0, y: 0 })

    expect(store.getState().connect({ source: relu, target: dropout })).toBe(true)
    const wire = edgeInto(store.getState().doc, dropout)!
    expect(wire.source).toBe(relu)
    expect(store.getState().connect({ source: dropout, target: flatten })).toBe(false) // cycle
    expect(store.getState().connect({ source: flatten, target: flatten })).toBe(false)
    // Dropout's input is taken: the old wire is not replaced; once removed, the new one goes in.
    const loader = idOf(doc, 'DataLoader')
    const before = store.getState().doc
    expect(store.getState().connect({ source: loader, target: dropout })).toBe(false)
    expect(store.getState().doc).toBe(before)
    store.getState().deleteElements([], [wire.id])
    expect(store.getState().connect({ source: loader, target: dropout })).toBe(true)
    const inputs = store.getState().doc.edges.filter((e) => e.target === dropout)
    expect(inputs.map((e) => e.source)).toEqual([loader])
  })

  it('refuses to feed a loss into a layer or a layer into a data transform', () => {
    const store = makeStore()
    const { doc } = store.getState()
    const loss = idOf(doc, 'CrossEntropyLoss')
    const linear = doc.nodes.filter((n) => n.type === 'Linear')[0]!.id
    const normalize = idOf(doc, 'Normalize')
    expect(store.getState().connect({ source: loss, target: linear })).toBe(false)
    expect(store.getState().connect({ source: linear, target: normalize })).toBe(false)
    expect(store.getState().doc).toBe(doc)
  })

  it('deleting Flatten bridges the chain, shows the shape error, and the fix restores it', () => {
    const store = makeStore()
    const { doc } = store.getState()
    const flatten = idOf(doc, 'Flatten')
    const linear = doc.edges.find((e) => e.source === flatten)!.target
    store.getState().setSelection([flatten], [])
    store.getState().deleteSelection()

    const after = store.getState()
    expect(after.doc.nodes.some((n) => n.id === flatten)).toBe(false)
    expect(edgeInto(after.doc, linear)?.source).toBe(idOf(doc, 'DataLoader'))
    const issue = after.inference.issues.find((i) => i.nodeId === linear)!
    expect(issue).toMatchObject({
      severity: 'error',
      code: 'LINEAR_SHAPE_MISMATCH',
      message: 'mat1 and mat2 shapes cannot be multiplied (1792x28 and 784x128)',
      fix: { kind: 'insertBefore', type: 'Flatten' },
    })

    store.getState().applyFix(linear, issue.fix!)
    const fixed = store.getState()
    const flattenAgain = idOf(fixed.doc, 'Flatten')
    // The new Flatten takes the free slot above Linear, where the old one was; nothing moves.
    expect(fixed.doc.nodes.find((n) => n.id === flattenAgain)?.position).toEqual(
      doc.nodes.find((n) => n.id === flatten)?.position,
    )
    expect(fixed.doc.nodes.find((n) => n.id === linear)?.position).toEqual(
      doc.nodes.find((n) => n.id === linear)?.position,
    )
    const edge = fixed.doc.edges.find((e) => e.source === flattenAgain)!
    expect(edge.target).toBe(linear)
    expect(fixed.inference.edges[edge.id]?.label).toBe('(64, 784)')
    expect(fixed.inference.totalParams).toBe(101_770)
    expect(fixed.inference.issues.filter((i) => i.severity === 'error')).toEqual([])

    store.getState().undo()
    store.getState().undo()
    expect(store.getState().doc).toBe(doc)
  })

  it('an inserted block moves what follows down a row when there is no room above', () => {
    const store = makeStore()
    const { doc } = store.getState()
    const linears = doc.nodes.filter((n) => n.type === 'Linear')
    const loss = idOf(doc, 'CrossEntropyLoss')
    store.getState().applyFix(linears[1]!.id, {
      kind: 'insertBefore',
      type: 'Dropout',
      label: 'Insert Dropout',
    })
    const after = store.getState().doc
    const dropout = after.nodes.find((n) => n.type === 'Dropout')!
    expect(dropout.position).toEqual(linears[1]!.position)
    const at = (id: string) => after.nodes.find((n) => n.id === id)!.position
    const was = (id: string) => doc.nodes.find((n) => n.id === id)!.position
    expect(at(linears[1]!.id).x).toBe(was(linears[1]!.id).x)
    expect(at(linears[1]!.id).y).toBeGreaterThan(was(linears[1]!.id).y)
    expect(at(loss).y - was(loss).y).toBe(at(linears[1]!.id).y - was(linears[1]!.id).y)
    expect(at(linears[0]!.id)).toEqual(was(linears[0]!.id))
  })

  it("a fix on a merge's port inserts the block in that branch, below what fed the port", () => {
    // The residual MLP with its branch narrowed to 64 features: the Add's inputs disagree.
    const doc = withAutoLayout(structuredClone(templates.residualMlp))
    const store = createStudioStore({ initialDoc: doc })
    expect(store.getState().setParam('n10', 'outFeatures', 64)).toBeNull()
    const issue = store.getState().inference.issues.find((i) => i.nodeId === 'n11')!
    expect(issue).toMatchObject({
      message:
        'The size of tensor a (64) must match the size of tensor b (128) at non-singleton dimension 1',
      fix: {
        kind: 'insertBefore',
        port: 'a',
        type: 'Linear',
        label: 'Insert Linear(64, 128) on input a',
      },
    })
    store.getState().applyFix('n11', issue.fix!)
    const after = store.getState()
    expect(after.inference.issues).toEqual([])
    const added = after.doc.nodes.find((n) => !doc.nodes.some((m) => m.id === n.id))!
    const wire = (source: string, target: string) =>
      after.doc.edges.find((e) => e.source === source && e.target === target)
    expect(wire('n10', added.id)?.targetPort).toBeUndefined()
    expect(wire(added.id, 'n11')?.targetPort).toBe('a')
    expect(wire('n7', 'n11')?.targetPort).toBe('b')
    expect(after.inference.edges[wire(added.id, 'n11')!.id]?.label).toBe('(64, 128)')
    // In the branch's column, where the Add was; the Add and what follows move down one row.
    const at = (id: string) => after.doc.nodes.find((n) => n.id === id)!.position
    const was = (id: string) => doc.nodes.find((n) => n.id === id)!.position
    expect(added.position).toEqual({ x: was('n10').x, y: was('n11').y })
    expect(at('n11')).toEqual({ x: was('n11').x, y: was('n11').y + 128 })
    expect(at('n7')).toEqual(was('n7'))
    for (const a of after.doc.nodes) {
      for (const b of after.doc.nodes) {
        if (a === b) continue
        const apart =
          Math.abs(a.position.x - b.position.x) >= 240 ||
          Math.abs(a.position.y - b.position.y) >= 64
        expect(apart, `${a.id} and ${b.id} overlap`).toBe(true)
      }
    }
  })

  it('refuses invalid parameters with the graph package message and keeps the doc', () => {
    const store = makeStore()
    const { doc } = store.getState()
    const linear = doc.nodes.filter((n) => n.type === 'Linear')[0]!.id
    const message = store.getState().setParam(linear, 'outFeatures', -3)
    expect(message).toEqual(expect.any(String))
    expect(message).toMatch(/out_features/)
    expect(store.getState().doc).toBe(doc)

    expect(store.getState().setParam(linear, 'outFeatures', 64)).toBeNull()
    expect(store.getState().inference.totalParams).toBe(784 * 64 + 64 + 128 * 10 + 10)
  })

  it('merges quick edits of one field into a single undo step', () => {
    let now = 0
    const store = makeStore({ now: () => now })
    const { doc } = store.getState()
    const linear = doc.nodes.filter((n) => n.type === 'Linear')[0]!.id
    for (const value of [2, 25, 256]) {
      now += 100
      store.getState().setParam(linear, 'outFeatures', value)
    }
    expect(store.getState().past).toHaveLength(1)
    store.getState().undo()
    expect(store.getState().doc).toBe(doc)

    now += 5000
    store.getState().setParam(linear, 'outFeatures', 200)
    now += 5000
    store.getState().setParam(linear, 'outFeatures', 300)
    expect(store.getState().past).toHaveLength(2)
  })

  it('copies, pastes and duplicates with fresh ids and the inner edges', () => {
    const store = makeStore()
    const { doc } = store.getState()
    const linear = doc.nodes.filter((n) => n.type === 'Linear')[0]!
    const relu = idOf(doc, 'ReLU')
    store.getState().setSelection([linear.id, relu], [])
    store.getState().copySelection()
    store.getState().pasteClipboard()
    const pasted = store.getState().selection.nodes
    expect(pasted).toHaveLength(2)
    expect(pasted.some((id) => doc.nodes.some((n) => n.id === id))).toBe(false)
    const next = store.getState().doc
    const copy = next.nodes.find((n) => pasted.includes(n.id) && n.type === 'Linear')!
    expect(copy.params).toEqual(linear.params)
    expect(copy.position).toEqual({ x: linear.position.x + 40, y: linear.position.y + 40 })
    expect(
      next.edges.filter((e) => pasted.includes(e.source) && pasted.includes(e.target)),
    ).toHaveLength(1)

    store.getState().duplicateSelection()
    expect(store.getState().doc.nodes).toHaveLength(doc.nodes.length + 4)
  })

  it('imports a good file as one undoable step and rejects a bad one, keeping the graph', () => {
    const store = makeStore()
    const { doc } = store.getState()
    const bad = store.getState().importGraph('{"version": 1, "nodes": "nope"}')
    expect(bad.ok).toBe(false)
    expect(bad.ok ? '' : bad.message).toMatch(/\w/)
    expect(store.getState().doc).toBe(doc)
    expect(store.getState().importGraph('not json at all').ok).toBe(false)

    expect(store.getState().importGraph(JSON.stringify(templates.smallCnn)).ok).toBe(true)
    expect(store.getState().doc.name).toBe(templates.smallCnn.name)
    store.getState().undo()
    expect(store.getState().doc).toBe(doc)
  })

  it('auto-layout puts the data pipeline left of the model, each top to bottom', () => {
    const store = makeStore()
    store.getState().autoLayout()
    const { doc } = store.getState()
    const at = (type: string) => doc.nodes.find((n) => n.type === type)!.position
    expect(at('MNIST').x).toBe(at('DataLoader').x)
    expect(at('MNIST').y).toBeLessThan(at('DataLoader').y)
    expect(at('Flatten').x).toBeGreaterThan(at('DataLoader').x)
    expect(at('Flatten').y).toBeLessThan(at('CrossEntropyLoss').y)
  })
})

describe('the training slice', () => {
  it('starts a run, follows the worker messages and smooths the loss', () => {
    const trainer = recordingTrainer()
    const store = makeStore({ trainer: trainer.port })
    expect(store.getState().startTraining()).toBe(true)
    expect(trainer.sent).toEqual(['train'])
    expect(store.getState().run.status).toBe('starting')
    expect(store.getState().startTraining()).toBe(false)

    trainer.emit({ type: 'backend', backend: 'webgl', fallbacks: [] })
    trainer.emit({
      type: 'started',
      epochs: 1,
      stepsPerEpoch: 938,
      totalSteps: 200,
      batchSize: 64,
      trainSize: 60000,
      testSize: 10000,
    })
    trainer.emit({
      type: 'progress',
      epoch: 1,
      step: 2,
      globalStep: 2,
      totalSteps: 200,
      curve: [
        [1, 2.3],
        [2, 2.1],
      ],
      loss: 2.1,
      samplesPerSec: 900,
      etaSeconds: 10,
    })
    const { run } = store.getState()
    expect(run.status).toBe('training')
    expect(run.backend?.name).toBe('webgl')
    expect(run.loss.steps).toEqual([1, 2])
    expect(run.loss.raw).toEqual([2.3, 2.1])
    // Debiased EMA: the first point equals the first loss; the second weighs both.
    const w = LOSS_SMOOTHING
    expect(run.loss.smooth[0]).toBeCloseTo(2.3)
    expect(run.loss.smooth[1]).toBeCloseTo((w * (1 - w) * 2.3 + (1 - w) * 2.1) / (1 - w * w))

    store.getState().pauseTraining()
    trainer.emit({ type: 'paused' })
    expect(store.getState().run.status).toBe('paused')
    store.getState().resumeTraining()
    trainer.emit({ type: 'resumed' })
    store.getState().stopTraining()
    expect(trainer.sent).toEqual(['train', 'pause', 'resume', 'stop'])
    expect(store.getState().run.status).toBe('stopping')
    trainer.emit({
      type: 'evaluated',
      epoch: 1,
      testAccuracy: 0.91,
      testLoss: 0.3,
      trainAccuracy: null,
    })
    trainer.emit({
      type: 'finished',
      reason: 'stopped',
      results: {
        testAccuracy: 0.91,
        testLoss: 0.3,
        confusion: [],
        errors: [],
        errorImages: new Uint8Array(0),
        gallery: [],
        galleryImages: new Uint8Array(0),
        firstLayer: null,
      },
    })
    expect(store.getState().run).toMatchObject({
      status: 'done',
      finishReason: 'stopped',
      evals: [{ testAccuracy: 0.91 }],
    })
    expect(store.getState().panel).toBe('results')
  })

  it('charts one raw point per batch, with a smoothed line, and shows the wasm threads', () => {
    const trainer = recordingTrainer()
    const store = makeStore({ trainer: trainer.port })
    store.getState().startTraining()
    trainer.emit({ type: 'backend', backend: 'wasm', fallbacks: [], threads: 2 })
    expect(store.getState().run.backend).toEqual({
      name: 'wasm',
      fallbacks: [],
      threads: 2,
      timings: null,
    })
    const batches = [2.3, 2.2, 2.0, 1.9, 1.7, 1.8, 1.4, 1.3]
    for (const at of [4, 8]) {
      trainer.emit({
        type: 'progress',
        epoch: 1,
        step: at,
        globalStep: at,
        totalSteps: 100,
        curve: batches.slice(at - 4, at).map((loss, i) => [at - 3 + i, loss] as [number, number]),
        loss: 0,
        samplesPerSec: 900,
        etaSeconds: 10,
      })
    }
    const { loss, progress } = store.getState().run
    expect(progress?.globalStep).toBe(8)
    expect(loss.steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(loss.raw).toEqual(batches)
    expect(loss.smooth).toHaveLength(8)
    // The smoothed line falls with the losses but moves less than they do from batch to batch.
    expect(loss.smooth[7]!).toBeLessThan(loss.smooth[0]!)
    expect(loss.smooth[7]!).toBeGreaterThan(loss.raw[7]!)
  })

  it('folds a burst of worker messages in at the scheduled time, in order, as one update', () => {
    const trainer = recordingTrainer()
    const flushes: (() => void)[] = []
    const store = createStudioStore({
      initialDoc: lesson(),
      trainer: trainer.port,
      schedule: (flush) => void flushes.push(flush),
    })
    store.getState().startTraining()
    const seen: number[] = []
    store.subscribe((s) => seen.push(s.run.loss.steps.length))
    for (const at of [1, 2, 3]) {
      trainer.emit({
        type: 'progress',
        epoch: 1,
        step: at,
        globalStep: at,
        totalSteps: 100,
        curve: [[at, 3 - at / 2]],
        loss: 3 - at / 2,
        samplesPerSec: 900,
        etaSeconds: 10,
      })
    }
    expect(flushes).toHaveLength(1)
    expect(store.getState().run.progress).toBeNull()
    flushes[0]!()
    expect(store.getState().run.progress?.globalStep).toBe(3)
    expect(store.getState().run.loss.raw).toEqual([2.5, 2, 1.5])
    expect(seen.at(-1)).toBe(3)
    // The next message schedules a new flush.
    trainer.emit({ type: 'paused' })
    expect(flushes).toHaveLength(2)
  })

  it('refuses to train a graph with shape errors and says why', () => {
    const trainer = recordingTrainer()
    const store = makeStore({ trainer: trainer.port })
    store.getState().deleteElements([idOf(store.getState().doc, 'Flatten')])
    expect(store.getState().startTraining()).toBe(false)
    expect(trainer.sent).toEqual([])
    expect(store.getState().notice?.text).toMatch(/mat1 and mat2 shapes cannot be multiplied/)
  })

  it('shows a worker failure', () => {
    const trainer = recordingTrainer()
    const store = makeStore({ trainer: trainer.port })
    store.getState().startTraining()
    trainer.emit({ type: 'failed', message: 'WebGL context lost' })
    expect(store.getState().run).toMatchObject({ status: 'failed', error: 'WebGL context lost' })
    expect(store.getState().notice).toMatchObject({ kind: 'error', text: 'WebGL context lost' })
  })
})

function results(testAccuracy: number): TrainResults {
  const confusion = Array.from({ length: 10 }, (_, i) =>
    Array.from({ length: 10 }, (_, j) => (i === j ? 90 : 1)),
  )
  return {
    testAccuracy,
    testLoss: 0.3,
    confusion,
    errors: [],
    errorImages: new Uint8Array(0),
    gallery: [],
    galleryImages: new Uint8Array(0),
    firstLayer: null,
  }
}

function startedRun(trainer: ReturnType<typeof recordingTrainer>, globalStep: number) {
  trainer.emit({ type: 'backend', backend: 'webgl', fallbacks: [] })
  trainer.emit({
    type: 'started',
    epochs: 1,
    stepsPerEpoch: 938,
    totalSteps: 200,
    batchSize: 64,
    trainSize: 60000,
    testSize: 10000,
  })
  trainer.emit({
    type: 'progress',
    epoch: 1,
    step: globalStep,
    globalStep,
    totalSteps: 200,
    curve: [[globalStep, 2]],
    loss: 2,
    samplesPerSec: 900,
    etaSeconds: 10,
  })
}

describe('a diverged run', () => {
  it('keeps the results of the last good weights and says where the loss became NaN', () => {
    const trainer = recordingTrainer()
    const store = makeStore({ trainer: trainer.port })
    store.getState().setTraining({ optimizer: 'SGD', lr: 10 })
    store.getState().startTraining()
    startedRun(trainer, 8)
    trainer.emit({
      type: 'finished',
      reason: 'diverged',
      results: results(0.1),
      divergence: {
        value: 'NaN',
        epoch: 1,
        step: 13,
        globalStep: 13,
        lr: 10,
        message: 'The loss became NaN at epoch 1, step 13',
      },
    })
    const { run, lastRun, panel } = store.getState()
    expect(run).toMatchObject({
      status: 'done',
      finishReason: 'diverged',
      divergence: { value: 'NaN', globalStep: 13, lr: 10 },
      results: { testAccuracy: 0.1 },
    })
    // The last progress update was at batch 8; the progress line counts to the bad batch too.
    expect(run.progress).toMatchObject({ epoch: 1, step: 13, globalStep: 13 })
    // The Train panel stays open, where the notice and the smaller learning rate are.
    expect(panel).toBe('train')
    expect(lastRun).toMatchObject({ finishReason: 'diverged', steps: 12, testAccuracy: 0.1 })
    // A new run clears the divergence.
    store.getState().startTraining()
    expect(store.getState().run.divergence).toBeNull()
  })
})

describe('results describe the graph they belong to', () => {
  it('names the trained graph, and a stop before the first batch keeps the last results', () => {
    const trainer = recordingTrainer()
    const store = makeStore({ trainer: trainer.port })
    store.getState().startTraining()
    startedRun(trainer, 200)
    trainer.emit({ type: 'finished', reason: 'maxSteps', results: results(0.9) })
    const model = store.getState().model!
    expect(model).toMatchObject({ steps: 200, results: { testAccuracy: 0.9 } })
    expect(model.doc.name).toBe('MNIST lesson')

    // Another template, trained and stopped before its first batch: nothing replaces the model.
    store.getState().loadTemplate('deepMlp')
    store.getState().startTraining()
    expect(store.getState().run.doc?.name).toBe('Deeper MLP')
    store.getState().stopTraining()
    trainer.emit({ type: 'finished', reason: 'stopped', results: null })
    expect(store.getState().model).toBe(model)
    expect(store.getState().lastRun?.graphName).toBe('MNIST lesson')
    expect(store.getState().notice?.text).toMatch(/^Stopped before the first batch/)
    expect(store.getState().run).toMatchObject({ status: 'done', results: null })
  })

  it('restarts on the canvas when asked while a run trains an older graph', () => {
    const trainer = recordingTrainer()
    const store = makeStore({ trainer: trainer.port })
    store.getState().startTraining()
    startedRun(trainer, 8)
    const relu = idOf(store.getState().doc, 'ReLU')
    store.getState().deleteElements([relu])
    expect(store.getState().run.doc?.nodes.some((n) => n.id === relu)).toBe(true)
    store.getState().restartTraining()
    expect(trainer.sent).toEqual(['train', 'stop'])
    trainer.emit({ type: 'finished', reason: 'stopped', results: results(0.5) })
    expect(trainer.sent).toEqual(['train', 'stop', 'train'])
    expect(store.getState().run.doc?.nodes.some((n) => n.id === relu)).toBe(false)
  })
})

describe('the last finished run survives a reload', () => {
  beforeEach(() => localStorage.clear())

  it('saves the summary of each finished run and restores it into a new store', () => {
    const trainer = recordingTrainer()
    const store = makeStore({ trainer: trainer.port })
    const stop = persistLastRun(store, localStorage)
    store.getState().startTraining()
    startedRun(trainer, 200)
    expect(localStorage.getItem(LAST_RUN_KEY)).toBeNull()
    trainer.emit({ type: 'finished', reason: 'maxSteps', results: results(0.93) })
    stop()
    const saved = loadLastRun(localStorage)
    expect(saved).toMatchObject({
      testAccuracy: 0.93,
      testLoss: 0.3,
      finishReason: 'maxSteps',
      steps: 200,
      backend: 'webgl',
      graphName: store.getState().doc.name,
    })
    expect(saved?.confusion[3]?.[3]).toBe(90)
    const reloaded = createStudioStore({ initialDoc: lesson(), lastRun: saved })
    expect(reloaded.getState().lastRun).toEqual(saved)
    expect(reloaded.getState().run.results).toBeNull()
  })

  it('a run stopped before any results leaves the last summary alone', () => {
    const trainer = recordingTrainer()
    const store = makeStore({ trainer: trainer.port })
    const stop = persistLastRun(store, localStorage)
    store.getState().startTraining()
    trainer.emit({ type: 'finished', reason: 'stopped', results: null })
    stop()
    expect(localStorage.getItem(LAST_RUN_KEY)).toBeNull()
  })

  it('ignores a damaged or hostile saved summary', () => {
    for (const text of [
      'not json',
      'null',
      '{"testAccuracy": "0.9"}',
      JSON.stringify({
        ...results(0.9),
        finishReason: 'pwned',
        steps: 1,
        graphName: 'x',
        finishedAt: 'y',
      }),
      JSON.stringify({
        ...results(0.9),
        confusion: [['<img src=x onerror=alert(1)>']],
        finishReason: 'completed',
        steps: 1,
        graphName: 'x',
        finishedAt: 'y',
      }),
    ]) {
      localStorage.setItem(LAST_RUN_KEY, text)
      expect(loadLastRun(localStorage)).toBeNull()
    }
    expect(loadLastRun(null)).toBeNull()
  })
})

describe('saving and sharing', () => {
  beforeEach(() => {
    localStorage.clear()
    sessionStorage.clear()
  })

  it('autosaves every change as a document and reopens it, with its undo history, on a reload', () => {
    const store = makeStore()
    const stop = autosave(store, localStorage, sessionStorage)
    store.getState().rename('My first net')
    const relu = idOf(store.getState().doc, 'ReLU')
    store.getState().deleteElements([relu])
    stop()
    const id = store.getState().docId
    expect(sessionStorage.getItem(CURRENT_KEY)).toBe(id)
    expect(JSON.parse(localStorage.getItem(documentKey(id))!).name).toBe('My first net')
    expect(listDocuments(localStorage)).toMatchObject([{ id, name: 'My first net' }])

    const reloaded = loadInitialGraph(localStorage, sessionStorage, '')
    expect(reloaded).toMatchObject({ id, source: 'session', problem: null })
    expect(reloaded.doc).toEqual(store.getState().doc)
    expect(reloaded.past).toHaveLength(2)
    const again = createStudioStore({
      initialDoc: reloaded.doc,
      docId: reloaded.id,
      history: reloaded,
    })
    again.getState().undo()
    expect(again.getState().doc.nodes.some((n) => n.id === relu)).toBe(true)
  })

  it('a new tab opens the most recent document; a damaged one falls back, saying so', () => {
    saveDocument(localStorage, 'older', { ...lesson(), name: 'Older' })
    saveDocument(localStorage, 'newer', { ...lesson(), name: 'Newer' })
    expect(loadInitialGraph(localStorage, sessionStorage, '')).toMatchObject({
      id: 'newer',
      source: 'recent',
    })
    localStorage.setItem(documentKey('newer'), '{"version": 99}')
    const initial = loadInitialGraph(localStorage, sessionStorage, '')
    expect(initial).toMatchObject({ id: 'older', doc: { name: 'Older' } })
    expect(initial.problem).toMatch(/autosaved graph could not be restored/)
    localStorage.clear()
    expect(loadInitialGraph(localStorage, sessionStorage, '')).toMatchObject({
      source: 'template',
      doc: { name: templates.lesson.name },
    })
  })

  it('moves the single autosave of earlier versions into the documents', () => {
    localStorage.setItem(LEGACY_AUTOSAVE_KEY, JSON.stringify({ ...lesson(), name: 'Old save' }))
    const initial = loadInitialGraph(localStorage, sessionStorage, '')
    expect(initial).toMatchObject({ source: 'recent', doc: { name: 'Old save' } })
    expect(localStorage.getItem(LEGACY_AUTOSAVE_KEY)).toBeNull()
  })

  it('says so when the autosave of earlier versions is damaged, and opens the lesson', () => {
    localStorage.setItem(LEGACY_AUTOSAVE_KEY, '{"version": 1, "nodes": [')
    const initial = loadInitialGraph(localStorage, sessionStorage, '')
    expect(initial.problem).toMatch(/saved by an earlier version could not be restored: \S/)
    expect(initial).toMatchObject({ source: 'template', doc: { name: templates.lesson.name } })
    expect(localStorage.getItem(LEGACY_AUTOSAVE_KEY)).toBeNull()
  })

  it("opens a share link as a new document, leaving the tab's own document as it was", () => {
    const mine = makeStore()
    const stop = autosave(mine, localStorage, sessionStorage)
    mine.getState().rename('Mine')
    stop()
    const doc = { ...lesson(), name: 'Shared net' }
    const encoded = encodeGraph(doc)
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(decodeGraph(encoded)).toEqual({ ok: true, doc })
    const initial = loadInitialGraph(localStorage, sessionStorage, `#${SHARE_KEY}=${encoded}`)
    expect(initial).toMatchObject({ source: 'link', doc: { name: 'Shared net' } })
    expect(initial.id).not.toBe(mine.getState().docId)
    const shared = createStudioStore({ initialDoc: initial.doc, docId: initial.id })
    autosave(shared, localStorage, sessionStorage)()
    expect(listDocuments(localStorage).map((e) => e.name)).toEqual(['Shared net', 'Mine'])
    expect(JSON.parse(localStorage.getItem(documentKey(mine.getState().docId))!).name).toBe('Mine')
    expect(decodeGraph('AAAA').ok).toBe(false)
  })

  it("takes over another tab's change of the same document", () => {
    const events = new EventTarget()
    const store = makeStore()
    const stop = autosave(store, localStorage, sessionStorage, events as unknown as Window)
    const changed = { ...store.getState().doc, name: 'From the other tab' }
    const event = new Event('storage') as StorageEvent
    Object.assign(event, {
      key: documentKey(store.getState().docId),
      newValue: JSON.stringify(changed),
    })
    events.dispatchEvent(event)
    expect(store.getState().doc.name).toBe('From the other tab')
    store.getState().undo()
    expect(store.getState().doc.name).toBe('MNIST lesson')
    stop()
  })
})

describe('a run that lost its WebGL context', () => {
  it('rolls the charts back to the checkpoint, shows the new backend and says what happened', () => {
    const trainer = recordingTrainer()
    const store = makeStore({ trainer: trainer.port })
    store.getState().startTraining()
    startedRun(trainer, 100)
    trainer.emit({
      type: 'evaluated',
      epoch: 1,
      testAccuracy: 0.9,
      testLoss: 0.3,
      trainAccuracy: 0.8,
      memory: { numTensors: 40, numBytes: 1000 },
    })
    for (const step of [104, 108, 112]) {
      trainer.emit({
        type: 'progress',
        epoch: 2,
        step: step - 100,
        globalStep: step,
        totalSteps: 200,
        curve: [[step, 1]],
        loss: 1,
        samplesPerSec: 900,
        etaSeconds: 10,
      })
    }
    trainer.emit({
      type: 'backend',
      backend: 'wasm',
      fallbacks: [{ backend: 'webgl', reason: 'WebGL context lost at epoch 2 batch 112' }],
    })
    trainer.emit({
      type: 'recovered',
      from: 'webgl',
      to: 'wasm',
      cause: 'the browser reported webglcontextlost',
      lostAt: { epoch: 2, step: 12, globalStep: 112 },
      resumedFrom: { epoch: 2, step: 4, globalStep: 104 },
      epochsDone: 1,
    })
    const { run, notice } = store.getState()
    expect(run.backend).toMatchObject({ name: 'wasm', fallbacks: [{ backend: 'webgl' }] })
    expect(run.recovery).toMatchObject({ to: 'wasm', resumedFrom: { globalStep: 104 } })
    // Points after the checkpoint are trained again: they are dropped, not drawn twice.
    expect(run.loss.steps).toEqual([100, 104])
    expect(run.loss.smooth).toHaveLength(2)
    expect(run.evals.map((e) => e.epoch)).toEqual([1])
    expect(run.progress).toMatchObject({ epoch: 2, step: 4, globalStep: 104 })
    expect(notice).toMatchObject({
      kind: 'info',
      text: 'WebGL context lost at epoch 2 batch 112; resumed from the checkpoint at batch 104 on wasm.',
    })

    // A loss before the first checkpoint: the whole run is trained again.
    trainer.emit({
      type: 'recovered',
      from: 'webgl',
      to: 'wasm',
      cause: 'gl.isContextLost() became true',
      lostAt: { epoch: 1, step: 50, globalStep: 50 },
      resumedFrom: { epoch: 1, step: 0, globalStep: 0 },
      epochsDone: 0,
    })
    expect(store.getState().run.loss.steps).toEqual([])
    expect(store.getState().run.evals).toEqual([])
    expect(store.getState().notice?.text).toContain('resumed from the start on wasm')
    // A new run starts without the notice.
    trainer.emit({ type: 'finished', reason: 'completed', results: results(0.95) })
    store.getState().startTraining()
    expect(store.getState().run.recovery).toBeNull()
  })

  it('passes the context-loss test hook to every run', () => {
    const options: unknown[] = []
    const trainer = recordingTrainer()
    const store = createStudioStore({
      initialDoc: lesson(),
      trainer: { ...trainer.port, train: (_graph, o) => void options.push(o) },
      loseWebGLContextAt: 300,
    })
    store.getState().startTraining()
    expect(options).toEqual([{ maxSteps: null, backend: 'auto', loseWebGLContextAt: 300 }])
    expect(makeStore().getState().run.recovery).toBeNull()
  })
})
