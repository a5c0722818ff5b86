import * as tf from '@tensorflow/tfjs-core'
import { applyFix, templates } from '@tensorloom/graph'
import { describe, expect, it } from 'vitest'
import { fromGraph } from './fromGraph'
import type { Linear } from './Linear'
import { runMerge } from './merges'

describe('GraphModel of a branching network', () => {
  it('names its parameters and prints like the exported PyTorch class', () => {
    const { model } = fromGraph(templates.residualMlp)
    expect(Object.keys(model.stateDict())).toEqual([
      'fc1.weight',
      'fc1.bias',
      'fc2.weight',
      'fc2.bias',
      'fc3.weight',
      'fc3.bias',
      'fc4.weight',
      'fc4.bias',
    ])
    expect(model.toString()).toBe(
      [
        'SimpleNN(',
        '  (flatten): Flatten(start_dim=1, end_dim=-1)',
        '  (fc1): Linear(in_features=784, out_features=128, bias=True)',
        '  (relu1): ReLU()',
        '  (fc2): Linear(in_features=128, out_features=128, bias=True)',
        '  (relu2): ReLU()',
        '  (fc3): Linear(in_features=128, out_features=128, bias=True)',
        '  (relu3): ReLU()',
        '  (fc4): Linear(in_features=128, out_features=10, bias=True)',
        ')',
      ].join('\n'),
    )
    expect(model.layers).toBeNull()
    expect(model.flatten).not.toBeNull()
    model.dispose()
  })

  it('computes x + identity and torch.cat the way the graph says', () => {
    const { model } = fromGraph(templates.residualMlp)
    const m = model as unknown as Record<'fc1' | 'fc2' | 'fc3' | 'fc4', Linear>
    const x = tf.randomNormal([4, 1, 28, 28], 0, 1, 'float32', 3)
    const ours = model.call(x)
    const manual = tf.tidy(() => {
      const h = tf.relu(m.fc1.call(tf.reshape(x, [4, 784])))
      const inner = m.fc3.call(tf.relu(m.fc2.call(h)))
      return m.fc4.call(tf.relu(tf.add(inner, h)))
    })
    expect(ours.shape).toEqual([4, 10])
    expect(Array.from(ours.dataSync())).toEqual(Array.from(manual.dataSync()))
    tf.dispose([x, ours, manual])
    model.dispose()

    const towers = fromGraph(templates.twoTower).model
    const t = towers as unknown as Record<'fc1' | 'fc2' | 'fc3', Linear>
    const y = tf.randomNormal([3, 1, 28, 28], 0, 1, 'float32', 4)
    const out = towers.call(y)
    const expected = tf.tidy(() => {
      const flat = tf.reshape(y, [3, 784])
      const joined = tf.concat([tf.relu(t.fc1.call(flat)), tf.tanh(t.fc2.call(flat))], 1)
      return t.fc3.call(joined)
    })
    expect(Array.from(out.dataSync())).toEqual(Array.from(expected.dataSync()))
    expect(towers.outputShape([3, 1, 28, 28])).toEqual([3, 10])
    tf.dispose([y, out, expected])
    towers.dispose()
  })

  it("raises PyTorch's error for a mismatched merge at run time, and leaks nothing", () => {
    const before = tf.memory().numTensors
    const a = tf.zeros([2, 128])
    const b = tf.zeros([2, 64])
    expect(() => runMerge('Add', [a, b], {})).toThrowError(
      expect.objectContaining({
        code: 'BROADCAST_SIZE_MISMATCH',
        message: expect.stringContaining(
          'The size of tensor a (128) must match the size of tensor b (64) at non-singleton dimension 1',
        ),
      }),
    )
    tf.dispose([a, b])
    // A graph built without validation fails in forward with the same words.
    const broken = applyFix(templates.residualMlp, 'n10', {
      kind: 'setParam',
      param: 'outFeatures',
      value: 64,
      label: 'test',
    })
    const { model } = fromGraph(broken, { validate: false })
    const x = tf.zeros([2, 1, 28, 28])
    expect(() => model.call(x)).toThrowError(/must match the size of tensor b \(128\)/)
    x.dispose()
    model.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })

  it('trains: every parameter gets a gradient through the merges', () => {
    for (const doc of [templates.residualMlp, templates.twoTower]) {
      const { model } = fromGraph(doc)
      const x = tf.randomNormal([8, 1, 28, 28], 0, 1, 'float32', 5)
      const { grads } = tf.variableGrads(
        () => tf.mean(tf.square(model.call(x))) as tf.Scalar,
        model.parameters(),
      )
      for (const [name, p] of model.namedParameters()) {
        const g = grads[p.name]
        expect(g, name).toBeDefined()
        expect(tf.sum(tf.abs(g!)).dataSync()[0], name).toBeGreaterThan(0)
      }
      tf.dispose([x, ...Object.values(grads)])
      model.dispose()
    }
  })
})
