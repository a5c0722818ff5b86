import * as tf from '@tensorflow/tfjs-core'
import type { LayerParams, LayerType } from '@tensorloom/graph'
import { describe, expect, it } from 'vitest'
import { liveTensors } from '../test/helpers'
import { AdaptiveAvgPool2d } from './AdaptiveAvgPool2d'
import { AvgPool2d } from './AvgPool2d'
import { BatchNorm1d } from './BatchNorm1d'
import { BatchNorm2d } from './BatchNorm2d'
import { createLayer } from './createLayer'
import { Dropout } from './Dropout'
import { Dropout2d } from './Dropout2d'
import { ELU } from './ELU'
import { Flatten } from './Flatten'
import reprFixtures from './fixtures/repr.json'
import stateDictFixtures from './fixtures/state_dict.json'
import { GELU } from './GELU'
import { manualSeed } from './Generator'
import { LayerNorm } from './LayerNorm'
import { LeakyReLU } from './LeakyReLU'
import { Linear } from './Linear'
import { Module, StateDictError } from './Module'
import { ReLU } from './ReLU'
import { Sequential } from './Sequential'

interface Spec {
  type: string
  params?: Record<string, unknown>
}

function buildSeq(specs: Spec[]): Sequential {
  return new Sequential(
    ...specs.map((s) =>
      createLayer(s.type as LayerType, (s.params ?? {}) as LayerParams[LayerType]),
    ),
  )
}

class SimpleNN extends Module {
  flatten = new Flatten()
  layers = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10))
  forward(x: tf.Tensor) {
    return this.layers.call(this.flatten.call(x))
  }
}

function describeModel(model: Module) {
  return {
    repr: model.toString(),
    stateDict: Object.entries(model.stateDict()).map(([k, v]) => [
      k,
      v.shape,
      v.dtype === 'int32' ? 'int64' : v.dtype,
    ]),
    namedParameters: model.namedParameters().map(([k]) => k),
    namedBuffers: model.namedBuffers().map(([k]) => k),
    namedModules: model.namedModules().map(([k]) => k),
    paramCount: model.parameters().reduce((n, p) => n + p.size, 0),
  }
}

function omitSpecs<T extends { specs?: unknown; inputShape?: unknown; outputShape?: unknown }>(
  fixture: T,
) {
  const { specs: _s, inputShape: _i, outputShape: _o, ...rest } = fixture
  return rest
}

describe('Module registration and naming', () => {
  it('registers class-field children like PyTorch and names parameters layers.0.weight', () => {
    const model = new SimpleNN()
    expect(describeModel(model)).toEqual(reprFixtures.simpleNN)
    expect(model.children()).toEqual([model.flatten, model.layers])
    expect(model.namedChildren().map(([k]) => k)).toEqual(['flatten', 'layers'])
    expect(model.parameters()[0]).toBe((model.layers.at(0) as Linear).weight)
    model.dispose()
  })

  it.each([
    ['lesson', reprFixtures.lesson],
    ['cnn', reprFixtures.cnn],
    ['newBlocks', reprFixtures.newBlocks],
  ])(
    'matches PyTorch for the %s Sequential: print, state dict, names, parameter count',
    (_, fx) => {
      const model = buildSeq(fx.specs as Spec[])
      expect(describeModel(model)).toEqual(omitSpecs(fx))
      model.dispose()
    },
  )

  it('prints nested Sequentials and edge-case layer arguments exactly like PyTorch', () => {
    const nested = new Sequential(
      new Sequential(new Linear(2, 2), new Sequential(new ReLU())),
      new Linear(2, 1),
    )
    expect(describeModel(nested)).toEqual(reprFixtures.nested)
    nested.dispose()
    const odd = new Sequential(
      new Dropout(0.1),
      new Dropout(1e-5),
      new Dropout(0),
      new Dropout(1),
      new BatchNorm1d(3, { eps: 0.001, momentum: null }),
      new BatchNorm1d(3, { affine: false, trackRunningStats: false }),
      createLayer('Softmax', { dim: -1 }),
      new Flatten({ startDim: 0, endDim: 2 }),
      createLayer('Conv2d', {
        inChannels: 3,
        outChannels: 3,
        kernelSize: 1,
        stride: 3,
        padding: 2,
        bias: true,
      }),
      createLayer('MaxPool2d', { kernelSize: 4, stride: 3 }),
    )
    expect(describeModel(odd)).toEqual(reprFixtures.odd)
    odd.dispose()
    const oddNew = new Sequential(
      new LeakyReLU(1e-5),
      new LeakyReLU(1),
      new ELU(0),
      new ELU(2.5),
      new GELU(),
      new Dropout2d(0),
      new Dropout2d(1),
      new BatchNorm2d(3, { eps: 0.001, momentum: null }),
      new BatchNorm2d(3, { affine: false, trackRunningStats: false }),
      new LayerNorm(7),
      new LayerNorm([2, 3], { eps: 1e-6, elementwiseAffine: false }),
      new AvgPool2d(3, { stride: 1, padding: 1 }),
      new AdaptiveAvgPool2d(7),
    )
    expect(describeModel(oddNew)).toEqual(reprFixtures.oddNew)
    oddNew.dispose()
  })

  it('registers parameters, buffers and modules assigned in the constructor, in order', () => {
    class Custom extends Module {
      scale: tf.Variable
      plain: tf.Tensor
      head: Linear
      notAModule = [new ReLU()]
      constructor() {
        super()
        this.head = new Linear(3, 2)
        this.scale = tf.variable(tf.ones([2]))
        this.plain = tf.zeros([1])
        this.registerBuffer('steps', tf.zeros([1]))
        this.registerBuffer('cache', tf.zeros([2]), { persistent: false })
      }
      forward(x: tf.Tensor) {
        return tf.mul(this.head.call(x), this.scale)
      }
    }
    const m = new Custom()
    expect(m.namedParameters().map(([k]) => k)).toEqual(['scale', 'head.weight', 'head.bias'])
    expect(m.namedBuffers().map(([k]) => k)).toEqual(['steps', 'cache'])
    expect(Object.keys(m.stateDict())).toEqual(['scale', 'steps', 'head.weight', 'head.bias'])
    expect(m.namedParameters({ recurse: false }).map(([k]) => k)).toEqual(['scale'])
    expect(m.namedModules().map(([k]) => k)).toEqual(['', 'head'])
    m.dispose()
    m.plain.dispose()
  })

  it('sees reassigned and later-added children (no registration step to forget)', () => {
    const seq = new Sequential(new Linear(2, 2))
    const old = seq.at(0)
    seq.registerModule('0', new Linear(2, 3))
    expect(seq.at(0)).not.toBe(old)
    expect(seq.stateDict()['0.weight']!.shape).toEqual([3, 2])
    seq.append(new ReLU())
    expect(seq.length).toBe(2)
    expect(seq.at(-1)).toBeInstanceOf(ReLU)
    old.dispose()
    seq.dispose()
  })

  it('lists a shared module or parameter once, like PyTorch', () => {
    const shared = new Linear(2, 2)
    const seq = new Sequential(shared, new ReLU(), shared)
    expect(seq.namedModules().map(([k]) => k)).toEqual(['', '0', '1'])
    expect(seq.namedParameters().map(([k]) => k)).toEqual(['0.weight', '0.bias'])
    expect(Object.keys(seq.stateDict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias'])
    seq.dispose()
  })

  it('rejects bad names with PyTorch wording', () => {
    const seq = new Sequential()
    expect(() => seq.registerModule('a.b', new ReLU())).toThrow(
      `module name can't contain ".", got: a.b`,
    )
    expect(() => seq.registerModule('', new ReLU())).toThrow(`module name can't be empty string ""`)
    expect(() => seq.registerModule('training', new ReLU())).toThrow(
      "attribute 'training' already exists",
    )
    expect(() => seq.registerModule('x', {} as Module)).toThrowError(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: 'Object is not a Module subclass',
      }),
    )
    expect(() => seq.registerParameter('p', tf.zeros([1]) as tf.Variable)).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
  })

  it('indexes, slices and iterates a Sequential', () => {
    const seq = new Sequential({ fc: new Linear(2, 2), act: new ReLU() })
    expect(seq.namedChildren().map(([k]) => k)).toEqual(['fc', 'act'])
    expect([...seq]).toEqual([seq.at(0), seq.at(1)])
    const tail = seq.slice(1)
    expect(tail.namedChildren().map(([k]) => k)).toEqual(['act'])
    expect(() => seq.at(2)).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    expect(seq.toString()).toBe(
      'Sequential(\n  (fc): Linear(in_features=2, out_features=2, bias=True)\n  (act): ReLU()\n)',
    )
    seq.dispose()
  })

  it('uses a static displayName when set (minified builds)', () => {
    class A extends Module {
      static displayName = 'Net'
      forward(x: tf.Tensor) {
        return x
      }
    }
    class B extends A {
      override forward(x: tf.Tensor) {
        return x
      }
    }
    expect(new A().toString()).toBe('Net()')
    expect(new B().toString()).toBe('B()')
    class Sub extends Linear {}
    const s = new Sub(1, 1)
    expect(s.toString()).toBe('Sub(in_features=1, out_features=1, bias=True)')
    s.dispose()
  })
})

describe('train() / eval()', () => {
  it('propagates the mode to every descendant and returns the module', () => {
    const model = new SimpleNN()
    expect(model.modules().every((m) => m.training)).toBe(true)
    expect(model.eval()).toBe(model)
    expect(model.modules().map((m) => m.training)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ])
    model.train()
    expect(model.modules().every((m) => m.training)).toBe(true)
    model.layers.train(false)
    expect(model.training).toBe(true)
    expect(model.layers.at(2).training).toBe(false)
    model.dispose()
  })
})

describe('call()', () => {
  it('runs forward inside tf.tidy: only the output survives', () => {
    const model = new SimpleNN()
    const x = tf.randomNormal([4, 1, 28, 28])
    const before = liveTensors()
    const y = model.call(x)
    expect(y.shape).toEqual([4, 10])
    expect(liveTensors()).toBe(before + 1)
    y.dispose()
    x.dispose()
    model.dispose()
  })

  it('rejects non-tensors with a hint', () => {
    const model = new SimpleNN()
    expect(() => model.call([1, 2] as unknown as tf.Tensor)).toThrowError(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: 'SimpleNN.call expects a tf.Tensor, got Array',
      }),
    )
    model.dispose()
  })

  it('runs forward hooks, lets them replace the output, and removes them', () => {
    const model = new SimpleNN()
    const seen: number[][] = []
    const handle = model.layers.registerForwardHook((m, input, output) => {
      expect(m).toBe(model.layers)
      seen.push(input.shape, output.shape)
      return undefined
    })
    const replace = model.flatten.registerForwardHook((_m, _i, output) => tf.mul(output, 0))
    const x = tf.ones([2, 1, 28, 28])
    const y = model.call(x)
    expect(seen).toEqual([
      [2, 784],
      [2, 10],
    ])
    const bias = (model.layers.at(2) as Linear).bias!
    expect(Array.from(y.dataSync())).toEqual(
      Array.from(tf.tidy(() => model.layers.call(tf.zeros([2, 784]))).dataSync()),
    )
    handle.remove()
    replace.remove()
    const z = model.call(x)
    expect(seen).toHaveLength(4)
    expect(Array.from(z.dataSync())).not.toEqual(Array.from(y.dataSync()))
    expect(bias.shape).toEqual([10])
    tf.dispose([x, y, z])
    model.dispose()
  })
})

describe('outputShape()', () => {
  it('chains the graph shape rules through Sequential without computing', () => {
    const model = buildSeq(reprFixtures.cnn.specs as Spec[])
    const before = liveTensors()
    expect(model.outputShape(reprFixtures.cnn.inputShape)).toEqual(reprFixtures.cnn.outputShape)
    expect(liveTensors()).toBe(before)
    model.dispose()
    const added = buildSeq(reprFixtures.newBlocks.specs as Spec[])
    expect(added.outputShape(reprFixtures.newBlocks.inputShape)).toEqual(
      reprFixtures.newBlocks.outputShape,
    )
    added.dispose()
  })

  it('runs custom modules in eval mode on zeros, changing no state', () => {
    manualSeed(3)
    class Net extends Module {
      body = new Sequential(new Flatten(), new Linear(12, 6), new BatchNorm1d(6), new Dropout(0.5))
      forward(x: tf.Tensor) {
        return this.body.call(x)
      }
    }
    const net = new Net()
    net.body.at(3).eval()
    const state = Object.fromEntries(
      Object.entries(net.stateDict()).map(([k, v]) => [k, Array.from(v.dataSync())]),
    )
    const before = liveTensors()
    expect(net.outputShape([5, 3, 4])).toEqual([5, 6])
    expect(liveTensors()).toBe(before)
    expect(net.training).toBe(true)
    expect(net.body.at(3).training).toBe(false)
    for (const [k, v] of Object.entries(net.stateDict())) {
      expect(Array.from(v.dataSync()), k).toEqual(state[k])
    }
    net.dispose()
  })

  it('throws the graph ShapeError for the lesson bug (Linear fed images)', () => {
    const model = new Sequential(new Linear(784, 128))
    expect(() => model.outputShape([64, 1, 28, 28])).toThrowError(
      expect.objectContaining({
        name: 'ShapeError',
        code: 'LINEAR_SHAPE_MISMATCH',
        message: expect.stringContaining(
          'mat1 and mat2 shapes cannot be multiplied (1792x28 and 784x128)',
        ),
      }),
    )
    model.dispose()
  })
})

describe('stateDict() / loadStateDict()', () => {
  it.each(stateDictFixtures.cases.map((c) => [c.name, c] as const))(
    'matches PyTorch: %s',
    (_, fx) => {
      const model = buildSeq(fx.modelSpecs as Spec[])
      const sd: Record<string, tf.Tensor> = {}
      for (const [k, shape] of Object.entries(fx.stateDict)) {
        sd[k] = k.endsWith('num_batches_tracked') ? tf.scalar(0, 'int32') : tf.zeros(shape)
      }
      const before = liveTensors()
      const run = () => model.loadStateDict(sd, { strict: fx.strict })
      if (fx.result.ok) {
        expect(run()).toEqual({
          missingKeys: fx.result.missingKeys,
          unexpectedKeys: fx.result.unexpectedKeys,
        })
      } else {
        expect(run).toThrowError(
          expect.objectContaining({
            name: 'StateDictError',
            code: 'STATE_DICT_MISMATCH',
            message: fx.result.message,
          }),
        )
      }
      expect(liveTensors()).toBe(before)
      tf.dispose(Object.values(sd))
      model.dispose()
    },
  )

  it('copies values (casting dtypes), keeps the caller owning the dict, and round-trips', () => {
    manualSeed(1)
    const a = new SimpleNN()
    manualSeed(2)
    const b = new SimpleNN()
    const x = tf.randomUniform([3, 1, 28, 28])
    const ya = a.call(x)
    b.loadStateDict(a.stateDict())
    const yb = b.call(x)
    expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()))
    a.dispose()
    const yb2 = b.call(x)
    expect(Array.from(yb2.dataSync())).toEqual(Array.from(ya.dataSync()))

    const bn = new BatchNorm1d(2)
    const floatCount = tf.scalar(7)
    bn.loadStateDict({
      weight: tf.ones([2]),
      bias: tf.zeros([2]),
      running_mean: tf.zeros([2]),
      running_var: tf.ones([2]),
      num_batches_tracked: floatCount,
    })
    expect(bn.numBatchesTracked!.dtype).toBe('int32')
    expect(bn.numBatchesTracked!.dataSync()[0]).toBe(7)
    tf.dispose([x, ya, yb, yb2, floatCount])
    b.dispose()
    bn.dispose()
  })

  it('is all-or-nothing: a failed load changes nothing', () => {
    const model = buildSeq(reprFixtures.lesson.specs as Spec[])
    const before = Array.from(model.stateDict()['1.bias']!.dataSync())
    const sd = { '1.bias': tf.ones([128]), '3.weight': tf.ones([3, 3]) }
    let error: unknown
    try {
      model.loadStateDict(sd, { strict: false })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(StateDictError)
    expect((error as StateDictError).errors).toHaveLength(1)
    expect(Array.from(model.stateDict()['1.bias']!.dataSync())).toEqual(before)
    tf.dispose(Object.values(sd))
    model.dispose()
  })

  it('loading a module its own state dict is a no-op that frees nothing', () => {
    const model = new SimpleNN()
    const before = liveTensors()
    model.loadStateDict(model.stateDict())
    expect(liveTensors()).toBe(before)
    const y = model.call(tf.zeros([1, 1, 28, 28]))
    expect(y.shape).toEqual([1, 10])
    y.dispose()
    model.dispose()
  })
})

describe('dispose()', () => {
  it('frees every parameter and buffer exactly once', () => {
    const before = liveTensors()
    const shared = new Linear(4, 4)
    const model = new Sequential(shared, new BatchNorm1d(4), shared, new Dropout())
    expect(liveTensors()).toBe(before + 2 + 5)
    model.dispose()
    expect(liveTensors()).toBe(before)
    expect(shared.weight.isDisposed).toBe(true)
  })

  it('apply() visits children before the parent', () => {
    const model = new SimpleNN()
    const order: string[] = []
    model.apply((m) => order.push(m.constructor.name))
    expect(order).toEqual(['Flatten', 'Linear', 'ReLU', 'Linear', 'Sequential', 'SimpleNN'])
    model.dispose()
  })
})
