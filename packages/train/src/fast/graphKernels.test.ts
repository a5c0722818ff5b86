// The graph engine's kernels against tfjs' own ops, on cpu (JavaScript loops) and on wasm (the
// WebAssembly loops where they apply): odd sizes, channel counts that are and are not multiples of
// 4, overlapping pools, ties, padding 0-2.
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-backend-wasm'
import { beforeAll, describe, expect, it } from 'vitest'
import { expectClose } from '../../test/helpers'
import { registerGradients } from '../gradients'
import {
  GRAPH_KERNELS,
  hasArgmaxPool,
  hasDirectConv,
  hasDirectFilterGrad,
  registerGraphKernels,
} from './graphKernels'

beforeAll(async () => {
  await tf.setBackend('cpu')
  registerGraphKernels()
  registerGradients()
})

type Values = { shape: number[]; data: Float32Array }
const values = (t: tf.Tensor): Values => ({
  shape: [...t.shape],
  data: t.dataSync() as Float32Array,
})
const tensor = (v: Values) => tf.tensor(v.data, v.shape)

/** Runs `f` on `backend` with `inputs` uploaded there, returning its outputs' values. */
async function on(
  backend: string,
  inputs: Values[],
  f: (...t: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
) {
  await tf.setBackend(backend)
  const ts = inputs.map(tensor)
  const out = [f(...ts)].flat()
  const result = out.map(values)
  tf.dispose([...ts, ...out])
  await tf.setBackend('cpu')
  return result
}

const run = (name: string, inputs: tf.NamedTensorMap, attrs: object) =>
  tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[]

/** Values in a few levels (ties in pooling windows), reproducible. */
function sample(shape: number[], levels = 0, seed = 1): Values {
  const n = shape.reduce((a, b) => a * b, 1)
  const data = new Float32Array(n)
  let s = seed
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31
    const u = s / 2 ** 31 - 0.5
    data[i] = levels > 0 ? Math.round(u * levels) / levels : u
  }
  return { shape, data }
}

describe.each(['cpu', 'wasm'])('graph kernels on %s', (backend) => {
  it.each([
    [[2, 7, 9, 8], 2, 2],
    [[2, 7, 9, 8], 3, 2],
    [[3, 6, 6, 3], 2, 2],
    // Windows that tile the input, 4 channels at a time: every element of dx is written.
    [[2, 6, 8, 8], 2, 2],
    [[1, 9, 7, 5], 3, 1],
  ])(
    'max pool gradient of %j (k %i, stride %i), with and without a ReLU: as tfjs',
    async (shape, k, s) => {
      for (const relu of [false, true]) {
        const x = sample(shape, relu ? 3 : 4)
        const xr = relu ? { ...x, data: x.data.map((v) => Math.max(v, 0)) } : x
        const [y] = await on('cpu', [xr], (t) => tf.maxPool(t as tf.Tensor4D, k, s, 'valid'))
        const dy = sample(y!.shape, 0, 7)
        const [expected] = await on(
          'cpu',
          [xr, y!, dy],
          (t, p, d) =>
            tf
              .engine()
              .runKernel(
                'MaxPoolGrad',
                { dy: relu ? tf.mul(d!, tf.step(p!)) : d!, input: t!, output: p! },
                {
                  filterSize: k,
                  strides: s,
                  pad: 'valid',
                } as never,
              ) as tf.Tensor,
        )
        const [got] = await on(backend, [xr, y!, dy], (t, p, d) =>
          run(GRAPH_KERNELS.maxPoolGrad, { dy: d!, x: t!, y: p! }, { kernel: k, stride: s, relu }),
        )
        expectClose(got!.data, expected!.data, 1e-6, 1e-7)
      }
    },
  )

  it.each([
    [[2, 6, 8, 8], 2],
    [[1, 6, 9, 4], 3],
  ])('max pool of %j (k %i) with its argmax, and its gradient: as tfjs', async (shape, k) => {
    for (const relu of [false, true]) {
      const x = sample(shape, relu ? 3 : 4)
      const xr = relu ? { ...x, data: x.data.map((v) => Math.max(v, 0)) } : x
      const [y] = await on('cpu', [xr], (t) => tf.maxPool(t as tf.Tensor4D, k, k, 'valid'))
      const dy = sample(y!.shape, 0, 7)
      const [dx] = await on('cpu', [xr, y!, dy], (t, p, d) =>
        run(GRAPH_KERNELS.maxPoolGrad, { dy: d!, x: t!, y: p! }, { kernel: k, stride: k, relu }),
      )
      await tf.setBackend(backend)
      const argmax = hasArgmaxPool(shape, k, k)
      await tf.setBackend('cpu')
      expect(argmax).toBe(backend === 'wasm')
      if (!argmax) return
      const [gotY, gotDx] = await on(backend, [xr, dy], (t, d) => {
        const [p, idx] = run(GRAPH_KERNELS.maxPoolArgmax, { x: t! }, { kernel: k }) as tf.Tensor[]
        const attrs = { kernel: k, relu, inShape: shape }
        const grad = run(GRAPH_KERNELS.maxPoolArgmaxGrad, { dy: d!, y: p!, idx: idx! }, attrs)
        return [p!, grad as tf.Tensor]
      })
      expectClose(gotY!.data, y!.data, 0, 0)
      expectClose(gotDx!.data, dx!.data, 1e-6, 1e-7)
    }
  })

  it.each([
    [[2, 6, 5, 1], 3, 1, 4],
    [[2, 5, 7, 3], 3, 0, 4],
    [[1, 6, 6, 8], 5, 2, 8],
    [[2, 8, 8, 1], 3, 1, 16],
    [[1, 5, 5, 2], 3, 1, 8],
    // Blocks of 4 input × 8 output channels (wasm), with and without padding.
    [[2, 7, 6, 8], 3, 1, 16],
    [[2, 6, 5, 4], 3, 0, 8],
    [[1, 6, 6, 4], 5, 2, 16],
    // Any input channels, output channels in eights (wasm: a zero-padded copy, rows in fours).
    [[2, 6, 7, 3], 5, 2, 8],
    [[2, 6, 5, 1], 3, 0, 16],
  ])(
    'filter and bias gradient of %j (k %i, pad %i, %i out): as tfjs',
    async (shape, k, pad, co) => {
      const x = sample(shape)
      const ho = shape[1]! + 2 * pad - k + 1
      const wo = shape[2]! + 2 * pad - k + 1
      const dy = sample([shape[0]!, ho, wo, co], 0, 3)
      const filterShape = [k, k, shape[3]!, co] as [number, number, number, number]
      const [expected, bias] = await on('cpu', [x, dy], (t, d) => [
        tf.engine().runKernel('Conv2DBackpropFilter', { x: t!, dy: d! }, {
          strides: 1,
          pad,
          dataFormat: 'NHWC',
          filterShape,
        } as never) as tf.Tensor,
        tf.sum(d!, [0, 1, 2]),
      ])
      const [got] = await on(backend, [x, dy], (t, d) => {
        const cols = run(
          GRAPH_KERNELS.im2colT,
          { x: t! },
          { kernel: k, pad, ones: true },
        ) as tf.Tensor2D
        return tf.matMul(cols, tf.reshape(d!, [-1, co]) as tf.Tensor2D)
      })
      const rows = k * k * shape[3]!
      expectClose(got!.data.subarray(0, rows * co), expected!.data, 1e-4, 1e-5)
      expectClose(got!.data.subarray(rows * co), bias!.data, 1e-4, 1e-5)
      await tf.setBackend(backend)
      const direct = hasDirectFilterGrad(k, shape[3]!, co)
      await tf.setBackend('cpu')
      if (!direct) return
      // The generated WebAssembly (few input channels), same layout.
      const [generated] = await on(
        backend,
        [x, dy],
        (t, d) => run(GRAPH_KERNELS.filterGrad, { x: t!, dy: d! }, { kernel: k, pad }) as tf.Tensor,
      )
      expectClose(generated!.data, got!.data, 1e-4, 1e-5)
    },
  )

  it.each([
    [[2, 6, 6, 4], 3, 1, 8, true, true],
    [[1, 5, 6, 16], 3, 0, 16, false, true],
    [[4, 4, 4, 8], 3, 1, 8, true, false],
    [[3, 5, 4, 1], 3, 1, 16, true, true],
    [[2, 7, 6, 3], 5, 2, 8, false, true],
    [[2, 6, 5, 8], 5, 2, 24, false, false],
  ])(
    'convolution of %j (k %i, pad %i, %i out, bias %s, ReLU %s): as tfjs',
    async (shape, k, pad, co, withBias, relu) => {
      const x = sample(shape)
      const w = sample([k, k, shape[3]!, co], 0, 3)
      const bias = sample([co], 0, 5)
      const conv = (t: tf.Tensor, f: tf.Tensor, b: tf.Tensor) =>
        tf.fused.conv2d({
          x: t as tf.Tensor4D,
          filter: f as tf.Tensor4D,
          strides: 1,
          pad,
          ...(withBias ? { bias: b } : {}),
          activation: relu ? 'relu' : 'linear',
        })
      const [expected] = await on('cpu', [x, w, bias], conv)
      await tf.setBackend(backend)
      const pixels = shape[0]! * (shape[1]! + 2 * pad - k + 1) * (shape[2]! + 2 * pad - k + 1)
      const direct = hasDirectConv(pixels, co)
      await tf.setBackend('cpu')
      expect(direct).toBe(backend === 'wasm')
      if (!direct) return
      const [got] = await on(backend, [x, w, bias], (t, f, b) =>
        run(GRAPH_KERNELS.conv, withBias ? { x: t!, w: f!, bias: b! } : { x: t!, w: f! }, {
          pad,
          relu,
        }),
      )
      expect(got!.shape).toEqual(expected!.shape)
      expectClose(got!.data, expected!.data, 1e-4, 1e-5)
    },
  )

  it('the flipped filter turns a convolution of the gradient into the input gradient', async () => {
    const [k, ci, co, pad] = [3, 3, 4, 1]
    const w = sample([k, k, ci, co])
    const dy = sample([2, 5, 6, co], 0, 5)
    const [expected] = await on('cpu', [dy, w], (d, f) =>
      tf.conv2dTranspose(d as tf.Tensor4D, f as tf.Tensor4D, [2, 5, 6, ci], 1, pad),
    )
    const [got] = await on(backend, [dy, w], (d, f) =>
      tf.conv2d(
        d as tf.Tensor4D,
        run(GRAPH_KERNELS.flipFilter, { w: f! }, {}) as tf.Tensor4D,
        1,
        k - 1 - pad,
      ),
    )
    expectClose(got!.data, expected!.data, 1e-5, 1e-6)
  })

  it.each([8, 6])(
    'batch norm of %i channels (training, ReLU): forward and gradients as tfjs ops',
    async (c) => {
      const x = sample([3, 4, 5, c])
      const gamma = sample([c], 0, 11)
      const beta = sample([c], 0, 13)
      const dy = sample([3, 4, 5, c], 0, 17)
      const norm = (t: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(t, [0, 1, 2])
        return tf.relu(
          tf.add(tf.mul(tf.div(tf.sub(t, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b),
        )
      }
      const [y, dx, dg, db] = await on('cpu', [x, gamma, beta, dy], (t, g, b, d) => {
        const grads = tf.grads((a, s, o) => tf.sum(tf.mul(norm(a, s, o), d!)))([t!, g!, b!])
        return [norm(t!, g!, b!), ...grads]
      })
      const [gy, stats] = await on(
        backend,
        [x, gamma, beta],
        (t, g, b) =>
          run(
            GRAPH_KERNELS.batchNorm,
            { x: t!, gamma: g!, beta: b! },
            { eps: 1e-5, relu: true, training: true, running: null },
          ) as tf.Tensor[],
      )
      expectClose(gy!.data, y!.data, 1e-4, 1e-5)
      const got = await on(
        backend,
        [dy, x, stats!, gamma, beta],
        (d, t, st, g, b) =>
          run(
            GRAPH_KERNELS.batchNormGrad,
            { dy: d!, x: t!, stats: st!, gamma: g!, beta: b! },
            { relu: true, training: true },
          ) as tf.Tensor[],
      )
      expectClose(got[0]!.data, dx!.data, 1e-3, 1e-5)
      expectClose(got[1]!.data, dg!.data, 1e-3, 1e-5)
      expectClose(got[2]!.data, db!.data, 1e-3, 1e-5)
      expect(got).toHaveLength(3)
    },
  )
})
