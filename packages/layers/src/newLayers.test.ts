// Runtime behaviour of the layers added after the first release beyond the PyTorch parity of
// parity.test.ts (forward, backward, print and state dict): seeded Dropout2d masks, BatchNorm2d's
// buffers and errors, LayerNorm's modes, argument checks, graph params and tensor leaks.
import * as tf from '@tensorflow/tfjs-core'
import { type LayerParams, type LayerType, layerDefaults } from '@tensorloom/graph'
import { describe, expect, it } from 'vitest'
import { fromFixture, liveTensors } from '../test/helpers'
import { AdaptiveAvgPool2d } from './AdaptiveAvgPool2d'
import { AvgPool2d } from './AvgPool2d'
import { BatchNorm2d } from './BatchNorm2d'
import { createLayer } from './createLayer'
import { Dropout2d } from './Dropout2d'
import { ELU } from './ELU'
import rng from './fixtures/rng.json'
import { GELU } from './GELU'
import { manualSeed } from './Generator'
import { Identity } from './Identity'
import { LayerNorm } from './LayerNorm'
import { LeakyReLU } from './LeakyReLU'
import { Sequential } from './Sequential'
import { SiLU } from './SiLU'
import { loadSafetensors, parseSafetensorsHeader, saveSafetensors } from './safetensors'

const values = (t: tf.Tensor) => Array.from(t.dataSync())

/** Each added layer type with its graph defaults, or params fitting `[2, 3, 4, 4]` input. */
const added: Array<[LayerType, object]> = [
  ['BatchNorm2d', { ...layerDefaults.BatchNorm2d, numFeatures: 3 }],
  ['LayerNorm', { normalizedShape: [4, 4], eps: 1e-5 }],
  ['AvgPool2d', { kernelSize: 3, stride: 1, padding: 1 }],
  ['AdaptiveAvgPool2d', { outputSize: 3 }],
  ['Dropout2d', layerDefaults.Dropout2d],
  ['Identity', {}],
  ['LeakyReLU', { negativeSlope: 0.2 }],
  ['ELU', { alpha: 0.5 }],
  ['GELU', { approximate: 'tanh' }],
  ['SiLU', {}],
]

describe('the added layers', () => {
  it.each(added)('%s is built from graph params and gives them back', (type, params) => {
    const layer = createLayer(type, params as LayerParams[LayerType])
    expect(layer.layerType).toBe(type)
    expect(layer.params).toEqual(params)
    layer.dispose()
  })

  it.each(added)('%s leaks no tensor in training or eval, forward or backward', (type, params) => {
    const layer = createLayer(type, params as LayerParams[LayerType], undefined)
    const x = tf.tidy(() => tf.variable(tf.randomNormal([2, 3, 4, 4], 0, 1, 'float32', 5)))
    layer.call(x).dispose() // first call may create lasting state (none of these do)
    const before = liveTensors()
    for (const training of [true, false]) {
      layer.train(training)
      layer.call(x).dispose()
      const { value, grads } = tf.variableGrads(
        () => tf.sum(layer.call(x)) as tf.Scalar,
        [x, ...layer.parameters()],
      )
      tf.dispose([value, ...Object.values(grads)])
    }
    expect(liveTensors()).toBe(before)
    x.dispose()
    layer.dispose()
  })
})

describe('Dropout2d', () => {
  const fx = rng.dropout2d

  it.skipIf(rng.mkl)("draws PyTorch's channel masks after the same manual seed", () => {
    manualSeed(fx.seed)
    const d = new Dropout2d(fx.p)
    const x = fromFixture(fx.input)
    const first = d.call(x)
    const second = d.call(x)
    expect(values(first)).toEqual(fx.first.data)
    expect(values(second)).toEqual(fx.second.data)
    // Like PyTorch 1.13: one draw per (input[0], input[1]), so 3-D input is read as (N, C, L).
    manualSeed(fx.seed2)
    const ones3 = tf.ones([3, 4, 2])
    const ones2 = tf.ones([5, 6])
    const three = new Dropout2d(0.5).call(ones3)
    const two = new Dropout2d(0.25).call(ones2)
    expect(values(three)).toEqual(fx.threeD.data)
    expect(values(two)).toEqual(fx.twoD.data)
    tf.dispose([x, first, second, ones3, ones2, three, two])
  })

  it('zeroes whole channels, scales the rest by 1/(1-p), and passes gradients through the mask', () => {
    const d = new Dropout2d(0.5, { seed: 4 })
    const x = tf.variable(tf.ones([8, 6, 3, 3]))
    const { grads, value } = tf.variableGrads(() => {
      const y = d.call(x)
      const per = tf.reshape(y, [48, 9])
      const channels = per.arraySync() as number[][]
      for (const channel of channels) expect(new Set(channel).size).toBe(1)
      expect(new Set(channels.map((c) => c[0]))).toEqual(new Set([0, 2]))
      return tf.sum(y) as tf.Scalar
    }, [x])
    expect(new Set(values(grads[x.name]!))).toEqual(new Set([0, 2]))
    tf.dispose([x, value, ...Object.values(grads)])
  })

  it('passes the input through in eval mode and for p = 0, and zeroes it for p = 1', () => {
    const x = tf.tensor([1, 2, 3, 4], [1, 2, 2])
    const results = [new Dropout2d(0.9).eval(), new Dropout2d(0), new Dropout2d(1)].map((d) =>
      d.call(x),
    )
    expect(results.map(values)).toEqual([
      [1, 2, 3, 4],
      [1, 2, 3, 4],
      [0, 0, 0, 0],
    ])
    tf.dispose([x, ...results])
  })

  it("refuses a 1-D input while training, and a probability outside [0, 1], in PyTorch's words", () => {
    const x = tf.ones([4])
    expect(() => new Dropout2d(0.5).call(x)).toThrowError(
      'Feature dropout requires at least 2 dimensions in the input',
    )
    expect(() => new Dropout2d(1.5)).toThrowError(
      'dropout probability has to be between 0 and 1, but got 1.5',
    )
    x.dispose()
  })
})

describe('BatchNorm2d', () => {
  it('keeps weight/bias as parameters and running stats as buffers under PyTorch keys', () => {
    const bn = new BatchNorm2d(3)
    expect(bn.namedParameters().map(([k]) => k)).toEqual(['weight', 'bias'])
    expect(bn.namedBuffers().map(([k, v]) => [k, v.dtype, v.shape])).toEqual([
      ['running_mean', 'float32', [3]],
      ['running_var', 'float32', [3]],
      ['num_batches_tracked', 'int32', []],
    ])
    expect(bn.toString()).toBe(
      'BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)',
    )
    bn.dispose()
  })

  it('updates the running stats per channel over N, H and W, in place, only in training', () => {
    const bn = new BatchNorm2d(2, { momentum: 0.5 })
    // Channel 0 holds 1 and 3 (mean 2, unbiased var 2), channel 1 holds 5 everywhere.
    const x = tf.tensor4d([1, 3, 5, 5], [1, 2, 1, 2])
    const before = liveTensors()
    bn.call(x).dispose()
    expect(liveTensors()).toBe(before)
    expect(values(bn.runningMean!)).toEqual([1, 2.5])
    expect(values(bn.runningVar!)).toEqual([1.5, 0.5])
    expect(values(bn.numBatchesTracked!)).toEqual([1])
    bn.eval()
    bn.call(x).dispose()
    expect(values(bn.numBatchesTracked!)).toEqual([1])
    x.dispose()
    bn.dispose()
  })

  it("refuses one value per channel while training, in PyTorch's words; eval accepts it", () => {
    const bn = new BatchNorm2d(3)
    const x = tf.zeros([1, 3, 1, 1])
    expect(() => bn.call(x)).toThrowError(
      'Expected more than 1 value per channel when training, got input size torch.Size([1, 3, 1, 1])',
    )
    expect(() => bn.call(tf.zeros([4, 3, 5]))).toThrowError(
      expect.objectContaining({ code: 'BATCHNORM2D_INPUT_RANK' }),
    )
    bn.eval()
    bn.call(x).dispose()
    x.dispose()
    bn.dispose()
  })

  it('saves num_batches_tracked as I64 in safetensors and loads it back', () => {
    const a = new Sequential(new BatchNorm2d(2))
    const x = tf.randomNormal([3, 2, 2, 2], 0, 1, 'float32', 1)
    a.call(x).dispose()
    a.call(x).dispose()
    const bytes = saveSafetensors(a)
    expect(parseSafetensorsHeader(bytes).tensors['0.num_batches_tracked']).toMatchObject({
      dtype: 'I64',
      shape: [],
    })
    const b = new Sequential(new BatchNorm2d(2))
    expect(loadSafetensors(b, bytes)).toEqual({ missingKeys: [], unexpectedKeys: [] })
    for (const [k, v] of Object.entries(a.stateDict())) {
      expect(values(b.stateDict()[k]!), k).toEqual(values(v))
    }
    expect(values(b.stateDict()['0.num_batches_tracked']!)).toEqual([2])
    tf.dispose(x)
    a.dispose()
    b.dispose()
  })
})

describe('LayerNorm', () => {
  it('takes an int or a list, with weight ones and bias zeros of that shape', () => {
    const one = new LayerNorm(5)
    const many = new LayerNorm([2, 3], { elementwiseAffine: false })
    expect(one.normalizedShape).toEqual([5])
    expect(values(one.weight!)).toEqual([1, 1, 1, 1, 1])
    expect(values(one.bias!)).toEqual([0, 0, 0, 0, 0])
    expect(many.parameters()).toEqual([])
    expect(many.toString()).toBe('LayerNorm((2, 3), eps=1e-05, elementwise_affine=False)')
    one.dispose()
    many.dispose()
  })

  it('computes the same in training and eval (no running statistics)', () => {
    const ln = new LayerNorm([4])
    const x = tf.randomNormal([3, 4], 0, 2, 'float32', 2)
    const train = ln.call(x)
    const evaluated = ln.eval().call(x)
    expect(values(evaluated)).toEqual(values(train))
    tf.dispose([x, train, evaluated])
    ln.dispose()
  })

  it('refuses input whose trailing dimensions differ, in PyTorch words', () => {
    const ln = new LayerNorm(4)
    const x = tf.zeros([2, 3])
    expect(() => ln.call(x)).toThrowError(
      'Given normalized_shape=[4], expected input with shape [*, 4], but got input of size[2, 3]',
    )
    x.dispose()
    ln.dispose()
    expect(() => new LayerNorm([])).toThrowError(/normalized_shape/)
  })
})

describe('pooling', () => {
  it('AvgPool2d counts padded zeros in the mean (count_include_pad=True)', () => {
    const x = tf.ones([1, 1, 2, 2])
    const y = new AvgPool2d(2, { stride: 1, padding: 1 }).call(x)
    expect(values(y)).toEqual([0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25])
    tf.dispose([x, y])
  })

  it("AdaptiveAvgPool2d averages PyTorch's overlapping windows", () => {
    // Width 5 to 3: windows [0, 2), [1, 4), [3, 5).
    const x = tf.tensor4d([0, 1, 2, 3, 4], [1, 1, 1, 5])
    const y = new AdaptiveAvgPool2d(3).call(tf.tile(x, [1, 1, 3, 1]))
    expect(values(y)).toEqual([0.5, 2, 3.5, 0.5, 2, 3.5, 0.5, 2, 3.5])
    // output_size 1 is a mean over the last two dimensions of any input, as in PyTorch.
    const flat = tf.tensor2d([
      [1, 2],
      [3, 6],
    ])
    const mean = new AdaptiveAvgPool2d(1).call(flat)
    expect(mean.shape).toEqual([1, 1])
    expect(values(mean)).toEqual([3])
    tf.dispose([x, y, flat, mean])
  })
})

describe('activations', () => {
  it('compute their PyTorch formulas', () => {
    const x = tf.tensor1d([-2, 0, 3])
    const close = (t: tf.Tensor) => values(t).map((v) => Math.round(v * 1e4) / 1e4)
    const outputs = [
      new LeakyReLU().call(x),
      new LeakyReLU(0.5).call(x),
      new ELU().call(x),
      new ELU(2).call(x),
      new GELU().call(x),
      new GELU('tanh').call(x),
      new SiLU().call(x),
      new Identity().call(x),
    ]
    expect(outputs.map(close)).toEqual([
      [-0.02, 0, 3],
      [-1, 0, 3],
      [-0.8647, 0, 3],
      [-1.7293, 0, 3],
      [-0.0455, 0, 2.996],
      [-0.0454, 0, 2.9964],
      [-0.2384, 0, 2.8577],
      [-2, 0, 3],
    ])
    tf.dispose([x, ...outputs])
  })

  it('refuse arguments outside their ranges', () => {
    expect(() => new LeakyReLU(-1)).toThrowError(/negative_slope/)
    expect(() => new ELU(Number.NaN)).toThrowError(/alpha/)
    expect(() => new GELU('erf' as 'none')).toThrowError(
      'approximate argument must be either none or tanh.',
    )
  })
})
