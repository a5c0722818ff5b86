import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectClose, useCpu, useWasm } from '../test/helpers'
import { gradientKernels, registerGradients } from './gradients'

beforeAll(() => {
  registerGradients()
})

/** Central differences of sum(f(x) * w) with a fixed random weighting w. */
function numericGrad(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, h = 1e-2): Float32Array {
  const base = Float32Array.from(x.dataSync())
  const out = new Float32Array(base.length)
  const w = tf.tidy(() => tf.randomUniform(f(x).shape, 0.5, 1.5, 'float32', 7))
  const value = (data: Float32Array) =>
    tf.tidy(() => tf.sum(tf.mul(f(tf.tensor(data, x.shape)), w)).dataSync()[0]!)
  for (let i = 0; i < base.length; i++) {
    const plus = base.slice()
    plus[i] = base[i]! + h
    const minus = base.slice()
    minus[i] = base[i]! - h
    out[i] = (value(plus) - value(minus)) / (2 * h)
  }
  w.dispose()
  return out
}

function check(name: string, f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, rtol = 2e-2) {
  it(name, () => {
    const w = tf.tidy(() => tf.randomUniform(f(x).shape, 0.5, 1.5, 'float32', 7))
    const analytic = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v), w)))(x)
    expect(analytic.shape).toEqual(x.shape)
    expectClose(analytic.dataSync(), numericGrad(f, x), rtol, 2e-2)
    tf.dispose([analytic, w])
  })
}

const float = (t: tf.Tensor) => tf.cast(t, 'float32')
const x23 = () =>
  tf.tensor2d([
    [0.3, -1.2, 2.1],
    [-0.7, 0.9, 1.6],
  ])
const pos23 = () =>
  tf.tensor2d([
    [0.3, 1.2, 2.1],
    [0.7, 0.9, 1.6],
  ])

describe.each([
  ['cpu', useCpu],
  ['wasm', useWasm],
])(
  'registerGradients on the %s backend: analytic gradients match finite differences',
  (_name, use) => {
    beforeAll(use)
    afterAll(useCpu)

    it('registers every kernel once, keeping existing registrations', () => {
      expect(gradientKernels.length).toBeGreaterThan(50)
      for (const name of gradientKernels) expect(tf.getGradient(name)).toBeDefined()
      registerGradients()
    })
    check(
      'Add/Sub/Multiply/RealDiv with broadcasting',
      (x) =>
        tf.div(tf.mul(tf.sub(tf.add(x, tf.tensor1d([1, 2, 3])), 0.5), x), tf.add(tf.abs(x), 1)),
      x23(),
    )
    check(
      'broadcast second operand',
      (x) =>
        tf.mul(
          tf.tensor2d([
            [1, 2, 3],
            [4, 5, 6],
          ]),
          tf.sum(x, 0),
        ),
      x23(),
    )
    check(
      'SquaredDifference, Maximum, Minimum',
      (x) => tf.add(tf.squaredDifference(x, 0.25), tf.add(tf.maximum(x, 0.5), tf.minimum(x, 0.1))),
      x23(),
    )
    check('Pow (base and exponent)', (x) => tf.add(tf.pow(x, 3), tf.pow(2, x)), pos23())
    check(
      'Neg, Abs, Exp, Log, Log1p, Sqrt, Rsqrt, Square, Reciprocal',
      (x) =>
        tf.addN([
          tf.neg(x),
          tf.exp(x),
          tf.log(x),
          tf.log1p(x),
          tf.sqrt(x),
          tf.rsqrt(x),
          tf.square(x),
          tf.reciprocal(x),
        ]),
      pos23(),
    )
    check(
      'Relu, Relu6, Elu, LeakyRelu, Softplus, Sigmoid, Tanh',
      (x) =>
        tf.addN([
          tf.relu(x),
          tf.relu6(tf.mul(x, 4)),
          tf.elu(x),
          tf.leakyRelu(x, 0.1),
          tf.softplus(x),
          tf.sigmoid(x),
          tf.tanh(x),
        ]),
      x23(),
    )
    check('Prelu', (x) => tf.prelu(x, tf.tensor1d([0.1, 0.2, 0.3])), x23())
    check('Erf (GELU)', (x) => tf.add(tf.erf(x), tf.mul(x, tf.erf(tf.mul(x, Math.SQRT1_2)))), x23())
    check(
      'AvgPool with explicit padding (AvgPool2d), Mean over the last axes (AdaptiveAvgPool2d 1)',
      (x) => {
        const img = tf.reshape(x, [1, 2, 3, 1]) as tf.Tensor4D
        const padded = tf.pad(img, [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ]) as tf.Tensor4D
        return tf.add(tf.sum(tf.avgPool(padded, [3, 3], 2, 'valid')), tf.mean(x, [0, 1], true))
      },
      x23(),
    )
    check(
      'comparisons, rounding and argMax have zero gradient',
      (x) =>
        tf.add(
          tf.addN([tf.mul(x, float(tf.greater(x, 0))), tf.round(x), tf.sign(x), tf.floor(x)]),
          tf.sum(float(tf.argMax(x, 1))),
        ),
      x23(),
    )
    check(
      'ClipByValue, Where',
      (x) => tf.where(tf.greater(x, 0), tf.clipByValue(x, -1, 1.8), tf.mul(x, 3)),
      x23(),
    )
    check('Softmax and LogSoftmax', (x) => tf.add(tf.softmax(x), tf.logSoftmax(x)), x23())
    check(
      'Sum, Mean, Max, Min over axes',
      (x) => tf.addN([tf.sum(x, 1), tf.mean(x, 1), tf.max(x, 1), tf.min(x, 1), tf.logSumExp(x, 1)]),
      x23(),
    )
    check(
      'Reshape, ExpandDims, Transpose, Cast',
      (x) => tf.reshape(tf.transpose(tf.expandDims(tf.cast(x, 'float32'), 0), [2, 0, 1]), [6]),
      x23(),
    )
    check(
      'BatchMatMul, all transpose combinations',
      (x) => {
        const m = tf.tensor2d([
          [1, -2],
          [0.5, 3],
          [2, 1],
        ])
        return tf.addN([
          tf.matMul(x, m),
          tf.matMul(x, tf.transpose(m), false, true),
          tf.transpose(tf.matMul(m, x, true, true)),
          tf.matMul(tf.transpose(x), m, true, false),
        ])
      },
      x23(),
    )
    check(
      'Concat, Pack, Unstack, Split, Slice, Pad, Tile, BroadcastTo',
      (x) => {
        const [a, b] = tf.split(x, [1, 2], 1)
        const stacked = tf.stack(tf.unstack(tf.concat([b!, a!], 1)))
        const sliced = tf.slice(
          tf.pad(stacked, [
            [1, 0],
            [0, 2],
          ]),
          [1, 1],
          [2, 3],
        )
        return tf.add(tf.tile(sliced, [2, 1]), tf.broadcastTo(tf.sum(x, 0, true), [4, 3]))
      },
      x23(),
    )
    check('GatherV2', (x) => tf.gather(x, tf.tensor1d([2, 0, 2], 'int32'), 1), x23())
    check(
      'Conv2D',
      (x) =>
        tf.conv2d(
          tf.reshape(x, [1, 2, 3, 1]) as tf.Tensor4D,
          tf.tensor4d([1, -1, 2, 0.5], [2, 2, 1, 1]),
          1,
          'valid',
        ),
      x23(),
    )
    check(
      'Conv2D filter, stride 2, explicit and same padding',
      (f) => {
        const img = tf.reshape(tf.range(0, 50, 1, 'float32'), [1, 5, 5, 2]) as tf.Tensor4D
        const w = tf.reshape(f, [2, 3, 2, 1]) as tf.Tensor4D
        return tf.concat([
          tf.reshape(tf.conv2d(img, w, 2, 1), [-1]),
          tf.reshape(tf.conv2d(img, w, 2, 'same'), [-1]),
          tf.reshape(tf.conv2d(img, w, 1, 'valid'), [-1]),
        ])
      },
      tf.tensor1d([0.1, -0.2, 0.3, 0.05, -0.1, 0.2, 0.15, -0.05, 0.25, 0.1, -0.3, 0.2]),
    )
    check(
      'MaxPool and AvgPool',
      (x) => {
        const img = tf.reshape(x, [1, 2, 3, 1]) as tf.Tensor4D
        return tf.add(tf.maxPool(img, [2, 2], 1, 'valid'), tf.avgPool(img, [2, 2], 1, 'valid'))
      },
      x23(),
    )
    check(
      'FusedBatchNorm (2-D input, moments from the batch)',
      (x) => {
        const { mean, variance } = tf.moments(x, 0)
        return tf.batchNorm(
          x,
          mean,
          variance,
          tf.tensor1d([0.5, 0.5, 0.5]),
          tf.tensor1d([0.1, 0.2, 0.3]),
          1e-5,
        )
      },
      tf.tensor2d([
        [0.3, -1.2, 2.1],
        [-0.7, 0.9, 1.6],
        [1.1, 0.2, -0.4],
      ]),
    )
  },
)
