// JavaScript kernels of the graph fast path (GraphEngine) for the backends whose tensors
// JavaScript can address (wasm's heap, cpu's typed arrays), on channels-last images `[B, H, W, C]`:
// max pooling's gradient, batch norm with its statistics and its gradient, global average
// pooling, and the two reshuffles that let XNNPACK compute a convolution's gradients (im2col for
// the filter's, a flipped filter for the input's). The engine uses them where tfjs has no kernel,
// or only a slow one (a scalar loop, or a broadcast or reduction over leading axes, 2-20× slower
// than these loops); same-shape element-wise work (add, ReLU and its mask) stays with tfjs, whose
// wasm kernels are SIMD and ~10× faster than a JavaScript loop.
import * as tf from '@tensorflow/tfjs-core'
import { KERNEL_BACKENDS, memory } from './kernels'

/** Kernel names, prefixed so they never clash with tfjs' own. */
export const GRAPH_KERNELS = {
  maxPoolGrad: 'TensorloomMaxPoolGrad',
  batchNorm: 'TensorloomBatchNorm',
  batchNormGrad: 'TensorloomBatchNormGrad',
  meanPool: 'TensorloomMeanPool',
  meanPoolGrad: 'TensorloomMeanPoolGrad',
  im2colT: 'TensorloomIm2ColT',
  flipFilter: 'TensorloomFlipFilter',
} as const

/** Running statistics a training-mode batch norm updates in place (float64, the engine's copy). */
export interface RunningStats {
  mean: Float64Array
  variance: Float64Array
  /** Weight of this batch: `momentum`, or `1 / batches` for a cumulative average. */
  factor: number
}

type Params = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }
type Kernel = (backendName: string) => (params: Params) => tf.TensorInfo | tf.TensorInfo[]

const attr = <T>(attrs: tf.NamedAttrMap | undefined, name: string): T =>
  (attrs as Record<string, unknown>)[name] as T

/**
 * `TensorloomMaxPoolGrad`: the gradient of a max pool (`kernel`×`kernel` windows every `stride`,
 * no padding) of `x` `[B, H, W, C]` whose output was `y`: each of `dy`'s values added at its
 * window's maximum, the first element equal to `y` in row-major order (PyTorch's and tfjs' pick).
 * With `relu`, only where `y` > 0: `x` is a ReLU's output, whose gradient is then applied too.
 * (tfjs-backend-wasm's MaxPoolGrad is a scalar loop over every input element and window.)
 */
const maxPoolGrad: Kernel =
  (backendName) =>
  ({ inputs, backend, attrs }) => {
    const [b, h, w, c] = inputs.x!.shape as [number, number, number, number]
    const [, ho, wo] = inputs.y!.shape as [number, number, number, number]
    const k = attr<number>(attrs, 'kernel')
    const s = attr<number>(attrs, 'stride')
    const relu = attr<boolean>(attrs, 'relu')
    const mem = memory(backendName, backend)
    const dxInfo = mem.alloc([b, h, w, c])
    const dx = mem.view(dxInfo)
    dx.fill(0)
    const x = mem.view(inputs.x!)
    const y = mem.view(inputs.y!)
    const dy = mem.view(inputs.dy!)
    let o = 0
    for (let n = 0; n < b; n++) {
      for (let i = 0; i < ho; i++) {
        for (let j = 0; j < wo; j++) {
          const corner = ((n * h + i * s) * w + j * s) * c
          for (let ch = 0; ch < c; ch++, o++) {
            const g = dy[o]!
            const v = y[o]!
            if (g === 0 || (relu && !(v > 0))) continue
            search: for (let di = 0; di < k; di++) {
              for (let dj = 0; dj < k; dj++) {
                const at = corner + (di * w + dj) * c + ch
                if (x[at] === v) {
                  dx[at] = dx[at]! + g
                  break search
                }
              }
            }
          }
        }
      }
    }
    return dxInfo
  }

/**
 * Accumulators for per-channel sums, in the precision of tfjs' own reductions on the backend
 * (float32 on wasm, float64 in cpu's JavaScript loops) and in the reference path's order: a batch
 * norm's gradient is a small difference of large sums, and with float64 sums on wasm a ResNet's
 * per-step losses drift from the reference path's by ~2.5e-4 over 20 steps, against ~1e-4 (about
 * the reference path's own spread, see the bench) with float32.
 */
const sumsOf = (backendName: string) => (backendName === 'wasm' ? Float32Array : Float64Array)

/**
 * `TensorloomBatchNorm`: per-channel normalisation of `x` seen as `[M, C]` (channels last), then
 * `gamma`, `beta` and optionally a ReLU. `training`: with the batch's mean and biased variance
 * (two passes), updating `running` in place with the unbiased variance; otherwise with
 * `running`'s. The sums run as tfjs' reductions run on the backend (see {@link sumsOf}). Returns `y` and `stats` `[2, C]` (mean,
 * 1/√(var + eps)), from which the backward recomputes x̂ exactly as here.
 */
const batchNorm: Kernel =
  (backendName) =>
  ({ inputs, backend, attrs }) => {
    const shape = inputs.x!.shape
    const c = shape[shape.length - 1]!
    const eps = attr<number>(attrs, 'eps')
    const relu = attr<boolean>(attrs, 'relu')
    const training = attr<boolean>(attrs, 'training')
    const running = attr<RunningStats | null>(attrs, 'running')
    const mem = memory(backendName, backend)
    const yInfo = mem.alloc([...shape])
    const statsInfo = mem.alloc([2, c])
    const x = mem.view(inputs.x!)
    const y = mem.view(yInfo)
    const stats = mem.view(statsInfo)
    const n = x.length
    const m = n / c
    const Sums = sumsOf(backendName)
    const mean = new Sums(c)
    const variance = new Sums(c)
    if (training) {
      for (let i = 0; i < n; i += c) for (let ch = 0; ch < c; ch++) mean[ch]! += x[i + ch]!
      for (let ch = 0; ch < c; ch++) mean[ch]! /= m
      for (let i = 0; i < n; i += c) {
        for (let ch = 0; ch < c; ch++) {
          const d = x[i + ch]! - mean[ch]!
          variance[ch]! += d * d
        }
      }
      for (let ch = 0; ch < c; ch++) variance[ch]! /= m
      if (running) {
        const f = running.factor
        for (let ch = 0; ch < c; ch++) {
          running.mean[ch] = (1 - f) * running.mean[ch]! + f * mean[ch]!
          running.variance[ch] = (1 - f) * running.variance[ch]! + (f * variance[ch]! * m) / (m - 1)
        }
      }
    } else {
      mean.set(running!.mean)
      variance.set(running!.variance)
    }
    const gamma = inputs.gamma ? mem.view(inputs.gamma) : null
    const beta = inputs.beta ? mem.view(inputs.beta) : null
    // y = x·a + b per channel, with the float32 mean and rstd the backward reads.
    const a = new Float64Array(c)
    const b = new Float64Array(c)
    for (let ch = 0; ch < c; ch++) {
      stats[ch] = mean[ch]!
      stats[c + ch] = 1 / Math.sqrt(variance[ch]! + eps)
      a[ch] = stats[c + ch]! * (gamma ? gamma[ch]! : 1)
      b[ch] = (beta ? beta[ch]! : 0) - stats[ch]! * a[ch]!
    }
    for (let i = 0; i < n; i += c) {
      for (let ch = 0; ch < c; ch++) {
        const v = x[i + ch]! * a[ch]! + b[ch]!
        y[i + ch] = relu && !(v > 0) ? 0 : v
      }
    }
    return [yInfo, statsInfo]
  }

/**
 * `TensorloomBatchNormGrad`: from `dy` (of the ReLU's output with `relu`, recomputing its mask),
 * `x` and the forward's `stats`: `dx`, and `dgamma`, `dbeta` when the norm is affine. In training
 * mode `dx` goes through the batch statistics: `γ·rstd·(g − mean(g) − x̂·mean(g·x̂))`.
 */
const batchNormGrad: Kernel =
  (backendName) =>
  ({ inputs, backend, attrs }) => {
    const shape = inputs.x!.shape
    const c = shape[shape.length - 1]!
    const relu = attr<boolean>(attrs, 'relu')
    const training = attr<boolean>(attrs, 'training')
    const mem = memory(backendName, backend)
    const dxInfo = mem.alloc([...shape])
    const affine = inputs.gamma !== undefined
    const dgInfo = affine ? mem.alloc([c]) : null
    const dbInfo = affine ? mem.alloc([c]) : null
    const x = mem.view(inputs.x!)
    const dy = mem.view(inputs.dy!)
    const stats = mem.view(inputs.stats!)
    const gamma = affine ? mem.view(inputs.gamma!) : null
    const beta = inputs.beta ? mem.view(inputs.beta) : null
    const dx = mem.view(dxInfo)
    const n = x.length
    const m = n / c
    // Per channel: x̂ = x·r + s; the forward's output before its ReLU is x·a + b.
    const r = new Float64Array(c)
    const s = new Float64Array(c)
    const a = new Float64Array(c)
    const b = new Float64Array(c)
    for (let ch = 0; ch < c; ch++) {
      r[ch] = stats[c + ch]!
      s[ch] = -stats[ch]! * r[ch]!
      a[ch] = r[ch]! * (gamma ? gamma[ch]! : 1)
      b[ch] = (beta ? beta[ch]! : 0) - stats[ch]! * a[ch]!
    }
    const Sums = sumsOf(backendName)
    const sumG = new Sums(c)
    const sumGX = new Sums(c)
    for (let i = 0; i < n; i += c) {
      for (let ch = 0; ch < c; ch++) {
        const v = x[i + ch]!
        const g = relu && !(v * a[ch]! + b[ch]! > 0) ? 0 : dy[i + ch]!
        sumG[ch]! += g
        sumGX[ch]! += g * (v * r[ch]! + s[ch]!)
      }
    }
    // dx = A·g + B·x + C per channel (x̂ expanded), A = γ·rstd.
    const kg = new Float64Array(c)
    const kx = new Float64Array(c)
    const k0 = new Float64Array(c)
    for (let ch = 0; ch < c; ch++) {
      const A = a[ch]!
      const Bh = training ? (-A * sumGX[ch]!) / m : 0
      kg[ch] = A
      kx[ch] = Bh * r[ch]!
      k0[ch] = Bh * s[ch]! - (training ? (A * sumG[ch]!) / m : 0)
    }
    for (let i = 0; i < n; i += c) {
      for (let ch = 0; ch < c; ch++) {
        const v = x[i + ch]!
        const g = relu && !(v * a[ch]! + b[ch]! > 0) ? 0 : dy[i + ch]!
        dx[i + ch] = kg[ch]! * g + kx[ch]! * v + k0[ch]!
      }
    }
    if (!affine) return [dxInfo]
    const dg = mem.view(dgInfo!)
    const db = mem.view(dbInfo!)
    for (let ch = 0; ch < c; ch++) {
      dg[ch] = sumGX[ch]!
      db[ch] = sumG[ch]!
    }
    return [dxInfo, dgInfo!, dbInfo!]
  }

/** `TensorloomMeanPool`: `[B, H, W, C]` -> `[B, C]`, the mean of each channel (float64 sums). */
const meanPool: Kernel =
  (backendName) =>
  ({ inputs, backend }) => {
    const [b, h, w, c] = inputs.x!.shape as [number, number, number, number]
    const mem = memory(backendName, backend)
    const outInfo = mem.alloc([b, c])
    const x = mem.view(inputs.x!)
    const out = mem.view(outInfo)
    const sums = new Float64Array(c)
    const plane = h * w * c
    for (let n = 0; n < b; n++) {
      sums.fill(0)
      for (let i = n * plane; i < (n + 1) * plane; i += c) {
        for (let ch = 0; ch < c; ch++) sums[ch]! += x[i + ch]!
      }
      for (let ch = 0; ch < c; ch++) out[n * c + ch] = sums[ch]! / (h * w)
    }
    return outInfo
  }

/** `TensorloomMeanPoolGrad`: `[B, C]` -> `[B, H, W, C]`, each gradient spread evenly. */
const meanPoolGrad: Kernel =
  (backendName) =>
  ({ inputs, backend, attrs }) => {
    const shape = attr<number[]>(attrs, 'inShape')
    const [b, h, w, c] = shape as [number, number, number, number]
    const mem = memory(backendName, backend)
    const dxInfo = mem.alloc(shape)
    const dy = mem.view(inputs.dy!)
    const dx = mem.view(dxInfo)
    const plane = h * w * c
    for (let n = 0; n < b; n++) {
      for (let i = n * plane; i < (n + 1) * plane; i += c) {
        for (let ch = 0; ch < c; ch++) dx[i + ch] = dy[n * c + ch]! / (h * w)
      }
    }
    return dxInfo
  }

/**
 * `TensorloomIm2ColT`: the patches of a stride-1 convolution as the columns of
 * `[k·k·C (+ 1), B·Ho·Wo]` (row `(ki·k + kj)·C + c`; zeros where a patch reaches into the padding),
 * so that the filter's gradient `[k, k, C, Cout]` is one matmul `im2colT · dy` (XNNPACK). With
 * `ones`, a last row of ones makes the same matmul sum `dy` into the bias's gradient.
 */
const im2colT: Kernel =
  (backendName) =>
  ({ inputs, backend, attrs }) => {
    const [b, h, w, c] = inputs.x!.shape as [number, number, number, number]
    const k = attr<number>(attrs, 'kernel')
    const pad = attr<number>(attrs, 'pad')
    const ho = h + 2 * pad - k + 1
    const wo = w + 2 * pad - k + 1
    const cols = b * ho * wo
    const ones = attr<boolean>(attrs, 'ones')
    const mem = memory(backendName, backend)
    const outInfo = mem.alloc([k * k * c + (ones ? 1 : 0), cols])
    const x = mem.view(inputs.x!)
    const out = mem.view(outInfo)
    if (ones) out.fill(1, k * k * c * cols)
    // One output row at a time (sequential writes); its reads step through x by C.
    const hw = h * w * c
    for (let ki = 0; ki < k; ki++) {
      // Output rows whose input row is inside the image.
      const i0 = Math.max(0, pad - ki)
      const i1 = Math.min(ho, h + pad - ki)
      for (let kj = 0; kj < k; kj++) {
        const j0 = Math.max(0, pad - kj)
        const j1 = Math.min(wo, w + pad - kj)
        for (let ch = 0; ch < c; ch++) {
          let r = ((ki * k + kj) * c + ch) * cols
          for (let n = 0; n < b; n++) {
            if (i0 > 0) {
              out.fill(0, r, r + i0 * wo)
              r += i0 * wo
            }
            for (let i = i0; i < i1; i++) {
              for (let j = 0; j < j0; j++) out[r++] = 0
              let at = n * hw + ((i + ki - pad) * w + j0 + kj - pad) * c + ch
              for (let j = j0; j < j1; j++, at += c) out[r++] = x[at]!
              for (let j = j1; j < wo; j++) out[r++] = 0
            }
            if (i1 < ho) {
              out.fill(0, r, r + (ho - i1) * wo)
              r += (ho - i1) * wo
            }
          }
        }
      }
    }
    return outInfo
  }

/**
 * `TensorloomFlipFilter`: `[k, k, Cin, Cout]` -> `[k, k, Cout, Cin]` rotated by 180°: the filter
 * whose stride-1 convolution of a gradient (padded by `k − 1 − pad`) is the input's gradient.
 */
const flipFilter: Kernel =
  (backendName) =>
  ({ inputs, backend }) => {
    const [k, , ci, co] = inputs.w!.shape as [number, number, number, number]
    const mem = memory(backendName, backend)
    const outInfo = mem.alloc([k, k, co, ci])
    const w = mem.view(inputs.w!)
    const out = mem.view(outInfo)
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) {
        const src = ((k - 1 - a) * k + (k - 1 - b)) * ci * co
        const dst = (a * k + b) * co * ci
        for (let i = 0; i < ci; i++)
          for (let o = 0; o < co; o++) out[dst + o * ci + i] = w[src + i * co + o]!
      }
    }
    return outInfo
  }

const ALL: Array<[string, Kernel]> = [
  [GRAPH_KERNELS.maxPoolGrad, maxPoolGrad],
  [GRAPH_KERNELS.batchNorm, batchNorm],
  [GRAPH_KERNELS.batchNormGrad, batchNormGrad],
  [GRAPH_KERNELS.meanPool, meanPool],
  [GRAPH_KERNELS.meanPoolGrad, meanPoolGrad],
  [GRAPH_KERNELS.im2colT, im2colT],
  [GRAPH_KERNELS.flipFilter, flipFilter],
]

/** Registers the graph kernels for wasm and cpu (once; later calls do nothing). */
export function registerGraphKernels(): void {
  for (const backendName of KERNEL_BACKENDS) {
    for (const [kernelName, make] of ALL) {
      if (tf.getKernel(kernelName, backendName)) continue
      tf.registerKernel({
        kernelName,
        backendName,
        kernelFunc: make(backendName) as unknown as tf.KernelFunc,
      })
    }
  }
}
