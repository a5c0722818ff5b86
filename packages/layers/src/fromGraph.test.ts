import * as tf from '@tensorflow/tfjs-core'
import { type GraphDocument, templates } from '@tensorloom/graph'
import { describe, expect, it } from 'vitest'
import { liveTensors } from '../test/helpers'
import { BatchNorm1d } from './BatchNorm1d'
import { Dropout } from './Dropout'
import reprFixtures from './fixtures/repr.json'
import rng from './fixtures/rng.json'
import { fromGraph } from './fromGraph'
import { Generator } from './Generator'
import type { Linear } from './Linear'

function edit(doc: GraphDocument, id: string, params: Record<string, unknown>): GraphDocument {
  const copy = structuredClone(doc) as GraphDocument
  const node = copy.nodes.find((n) => n.id === id)!
  node.params = { ...node.params, ...params }
  return copy
}

describe('fromGraph', () => {
  it("builds the lesson's SimpleNN with PyTorch's printout, keys and initial weights", () => {
    const before = liveTensors()
    const { model, lossType, loss, data, training, nodes, warnings } = fromGraph(templates.lesson)
    expect(model.toString()).toBe(reprFixtures.simpleNN.repr)
    expect(Object.keys(model.stateDict())).toEqual(reprFixtures.simpleNN.stateDict.map(([k]) => k))
    expect(model.parameters().reduce((n, p) => n + p.size, 0)).toBe(101_770)
    expect(training.seed).toBe(42)
    // torch.manual_seed(42) then the model: the same draws in the same order.
    const first = Array.from(model.stateDict()['layers.0.weight']!.dataSync().slice(0, 8))
    expect(first).toEqual(rng.lesson_seed42['1.weight'].head)
    const last = Array.from(model.stateDict()['layers.2.bias']!.dataSync().slice(0, 8))
    expect(last).toEqual(rng.lesson_seed42['3.bias'].head)
    expect(lossType).toBe('CrossEntropyLoss')
    expect(loss).toEqual({
      type: 'CrossEntropyLoss',
      labelSmoothing: 0,
      reduction: 'mean',
      target: 'classIndex',
      classes: 10,
    })
    expect(data).toEqual({
      dataset: 'MNIST',
      train: true,
      toTensor: true,
      normalize: { mean: [0.1307], std: [0.3081] },
      batchSize: 64,
      shuffle: true,
    })
    const ids = templates.lesson.nodes.filter((n) => ['Flatten', 'Linear', 'ReLU'].includes(n.type))
    expect(nodes.map((n) => [n.id, n.path])).toEqual([
      [ids[0]!.id, 'flatten'],
      [ids[1]!.id, 'layers.0'],
      [ids[2]!.id, 'layers.1'],
      [ids[3]!.id, 'layers.2'],
    ])
    expect(nodes[1]!.module).toBe(model.layers!.at(0))
    expect(warnings).toEqual([])

    const x = tf.zeros([data.batchSize, 1, 28, 28])
    const y = model.call(x)
    expect(y.shape).toEqual([64, 10])
    expect(model.outputShape([64, 1, 28, 28])).toEqual([64, 10])
    tf.dispose([x, y])
    model.dispose()
    expect(liveTensors()).toBe(before)
  })

  it('builds the deeper MLP and the CNN templates, running forward in train and eval mode', () => {
    for (const doc of [templates.deepMlp, templates.smallCnn]) {
      const { model } = fromGraph(doc)
      const x = tf.randomNormal([4, 1, 28, 28])
      const y = model.call(x)
      expect(y.shape).toEqual([4, 10])
      model.eval()
      const z = model.call(x)
      expect(z.shape).toEqual([4, 10])
      tf.dispose([x, y, z])
      model.dispose()
    }
    const { model } = fromGraph(templates.deepMlp)
    expect(model.layers!.children().some((m) => m instanceof BatchNorm1d)).toBe(true)
    expect(
      model
        .layers!.children()
        .filter((m) => m instanceof Dropout)
        .map((d) => (d as Dropout).p),
    ).toEqual([0.2, 0.2])
    model.dispose()
  })

  it('puts every layer in layers when the graph does not start with a default Flatten', () => {
    const { model, nodes } = fromGraph(templates.smallCnn)
    expect(model.flatten).toBeNull()
    expect(nodes[0]!.path).toBe('layers.0')
    expect(Object.keys(model.stateDict())[0]).toBe('layers.0.weight')
    model.dispose()
  })

  it('is deterministic per seed and takes an explicit generator', () => {
    const a = fromGraph(templates.lesson).model
    const b = fromGraph(templates.lesson, { generator: new Generator(42) }).model
    const c = fromGraph({
      ...templates.lesson,
      training: { ...templates.lesson.training, seed: 1 },
    }).model
    const w = (m: typeof a) => Array.from(m.stateDict()['layers.0.weight']!.dataSync().slice(0, 4))
    expect(w(b)).toEqual(w(a))
    expect(w(c)).not.toEqual(w(a))
    for (const m of [a, b, c]) m.dispose()
  })

  it("refuses a graph with errors, quoting the graph's first issue", () => {
    const linear = templates.lesson.nodes.find((n) => n.type === 'Linear')!
    const broken = edit(templates.lesson, linear.id, { inFeatures: 700 })
    const before = liveTensors()
    expect(() => fromGraph(broken)).toThrowError(
      expect.objectContaining({
        code: 'GRAPH_NOT_BUILDABLE',
        message: expect.stringContaining(
          'mat1 and mat2 shapes cannot be multiplied (64x784 and 700x128)',
        ),
      }),
    )
    expect(liveTensors()).toBe(before)
    const { model } = fromGraph(broken, { validate: false })
    expect((model.layers!.at(0) as Linear).inFeatures).toBe(700)
    model.dispose()
  })

  it('uses the class name given', () => {
    const { model } = fromGraph(templates.lesson, { className: 'Net' })
    expect(model.toString().split('\n')[0]).toBe('Net(')
    model.dispose()
  })
})
