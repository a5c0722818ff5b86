// Batch norm on channels-last data `[M, C]` for the graph fast path: the forward with the batch's
// statistics (and the running ones' update), and the backward, each with a ReLU fused in. On wasm
// (channels a multiple of 4) the passes over the data are WebAssembly SIMD loops (wasm/); elsewhere
// JavaScript loops. The per-channel arithmetic between the passes is shared.
import type * as tf from '@tensorflow/tfjs-core'
import { memory } from './kernels'
import { wasmHeap } from './wasm/heap'

/** Running statistics a training-mode batch norm updates in place (float64, the engine's copy). */
export interface RunningStats {
  mean: Float64Array
  variance: Float64Array
  /** Weight of this batch: `momentum`, or `1 / batches` for a cumulative average. */
  factor: number
}

type Params = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }
type Attrs = Record<string, unknown>

/**
 * Accumulators for per-channel sums, in the precision of tfjs' own reductions on the backend
 * (float32 on wasm, float64 in cpu's JavaScript loops), summed row by row as tfjs sums: a batch
 * norm's gradient is a small difference of large sums, and with float64 sums on wasm a ResNet's
 * per-step losses drift from the reference path's by ~2.5e-4 over 20 steps, against ~1e-4 (about
 * the reference path's own spread, see the bench) with float32.
 */
const sumsOf = (backendName: string) => (backendName === 'wasm' ? Float32Array : Float64Array)

/** The WebAssembly loops, when they apply (wasm backend, 4 channels per SIMD group). */
const simdFor = (backendName: string, backend: unknown, c: number) =>
  c % 4 === 0 ? wasmHeap(backendName, backend) : null

/**
 * Per channel, from the statistics (as float32, which both passes read) and the affine
 * parameters: x̂ = x·r + s, and the output before its ReLU, x·a + b.
 */
function coefficients(stats: Float32Array, gamma: Float32Array | null, beta: Float32Array | null) {
  const c = stats.length / 2
  const [r, s, a, b] = [0, 0, 0, 0].map(() => new Float32Array(c)) as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ]
  for (let ch = 0; ch < c; ch++) {
    r[ch] = stats[c + ch]!
    s[ch] = -stats[ch]! * r[ch]!
    a[ch] = r[ch]! * (gamma ? gamma[ch]! : 1)
    b[ch] = (beta ? beta[ch]! : 0) - stats[ch]! * a[ch]!
  }
  return { r, s, a, b }
}

/**
 * `TensorloomBatchNorm`: per-channel normalisation of `x` seen as `[M, C]` (channels last), then
 * `gamma`, `beta` and optionally a ReLU. `training`: with the batch's mean and biased variance
 * (two passes), updating `running` in place with the unbiased variance as PyTorch does; otherwise
 * with `running`'s. Returns `y` and `stats` `[2, C]` (mean, 1/√(var + eps)), from which the
 * backward recomputes x̂ and the ReLU's mask exactly as here.
 */
export const batchNorm =
  (backendName: string) =>
  ({ inputs, backend, attrs }: Params) => {
    const { eps, relu, training, running } = attrs as Attrs as {
      eps: number
      relu: boolean
      training: boolean
      running: RunningStats | null
    }
    const shape = inputs.x!.shape
    const c = shape[shape.length - 1]!
    const mem = memory(backendName, backend)
    const yInfo = mem.alloc([...shape])
    const statsInfo = mem.alloc([2, c])
    const n = mem.view(inputs.x!).length
    const m = n / c
    const simd = simdFor(backendName, backend, c)
    const mean = new (sumsOf(backendName))(c)
    const variance = new (sumsOf(backendName))(c)
    if (training) {
      if (simd) {
        const acc = simd.alloc(2 * c)
        simd.f32().fill(0, acc / 4, acc / 4 + 2 * c)
        simd.kernels.sumRows(simd.ptr(inputs.x!), n * 4, c * 4, acc)
        mean.set(simd.f32().subarray(acc / 4, acc / 4 + c))
        for (let ch = 0; ch < c; ch++) mean[ch]! /= m
        simd.f32().set(mean, acc / 4)
        simd.kernels.sumSquares(simd.ptr(inputs.x!), n * 4, c * 4, acc, acc + c * 4)
        variance.set(simd.f32().subarray(acc / 4 + c, acc / 4 + 2 * c))
        simd.free(acc)
      } else {
        const x = mem.view(inputs.x!)
        for (let i = 0; i < n; i += c) for (let ch = 0; ch < c; ch++) mean[ch]! += x[i + ch]!
        for (let ch = 0; ch < c; ch++) mean[ch]! /= m
        for (let i = 0; i < n; i += c) {
          for (let ch = 0; ch < c; ch++) {
            const d = x[i + ch]! - mean[ch]!
            variance[ch]! += d * d
          }
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
    const stats = mem.view(statsInfo)
    for (let ch = 0; ch < c; ch++) {
      stats[ch] = mean[ch]!
      stats[c + ch] = 1 / Math.sqrt(variance[ch]! + eps)
    }
    const gamma = inputs.gamma ? mem.view(inputs.gamma) : null
    const beta = inputs.beta ? mem.view(inputs.beta) : null
    const { a, b } = coefficients(stats.slice(), gamma, beta)
    if (simd) {
      const ab = simd.alloc(2 * c)
      simd.f32().set(a, ab / 4)
      simd.f32().set(b, ab / 4 + c)
      const { kernels, ptr } = simd
      kernels.affine(ptr(inputs.x!), ptr(yInfo), n * 4, c * 4, ab, ab + c * 4, relu ? 1 : 0)
      simd.free(ab)
    } else {
      const x = mem.view(inputs.x!)
      const y = mem.view(yInfo)
      for (let i = 0; i < n; i += c) {
        for (let ch = 0; ch < c; ch++) {
          const v = Math.fround(Math.fround(x[i + ch]! * a[ch]!) + b[ch]!)
          y[i + ch] = relu && !(v > 0) ? 0 : v
        }
      }
    }
    return [yInfo, statsInfo]
  }

/**
 * `TensorloomBatchNormGrad`: from `dy` (of the ReLU's output with `relu`, recomputing its mask),
 * `x` and the forward's `stats`: `dx`, and `dgamma`, `dbeta` when the norm is affine. In training
 * mode `dx` goes through the batch statistics: `γ·rstd·(g − mean(g) − x̂·mean(g·x̂))`.
 */
export const batchNormGrad =
  (backendName: string) =>
  ({ inputs, backend, attrs }: Params) => {
    const { relu, training } = attrs as Attrs as { relu: boolean; training: boolean }
    const shape = inputs.x!.shape
    const c = shape[shape.length - 1]!
    const mem = memory(backendName, backend)
    const dxInfo = mem.alloc([...shape])
    const affine = inputs.gamma !== undefined
    const dgInfo = affine ? mem.alloc([c]) : null
    const dbInfo = affine ? mem.alloc([c]) : null
    const n = mem.view(inputs.x!).length
    const m = n / c
    const gamma = affine ? mem.view(inputs.gamma!) : null
    const beta = inputs.beta ? mem.view(inputs.beta) : null
    const { r, s, a, b } = coefficients(mem.view(inputs.stats!).slice(), gamma, beta)
    const simd = simdFor(backendName, backend, c)
    const sumG = new (sumsOf(backendName))(c)
    const sumGX = new (sumsOf(backendName))(c)
    // dx = kg·g + kx·x + k0 per channel (x̂ expanded): kg = γ·rstd.
    const finish = () => {
      const [kg, kx, k0] = [a, new Float32Array(c), new Float32Array(c)]
      for (let ch = 0; ch < c; ch++) {
        const bh = training ? (-a[ch]! * sumGX[ch]!) / m : 0
        kx[ch] = bh * r[ch]!
        k0[ch] = bh * s[ch]! - (training ? (a[ch]! * sumG[ch]!) / m : 0)
      }
      return { kg, kx, k0 }
    }
    if (simd) {
      const { kernels, ptr } = simd
      // a, b, r, s, sumG, sumGX, kx, k0: 8 vectors of C.
      const v = simd.alloc(8 * c)
      const at = (k: number) => v + k * c * 4
      const heap = simd.f32()
      for (const [k, vec] of [a, b, r, s].entries()) heap.set(vec, at(k) / 4)
      heap.fill(0, at(4) / 4, at(6) / 4)
      const [x, dy] = [ptr(inputs.x!), ptr(inputs.dy!)]
      const rel = relu ? 1 : 0
      kernels.normGradSums(x, dy, n * 4, c * 4, at(0), at(1), at(2), at(3), rel, at(4), at(5))
      sumG.set(simd.f32().subarray(at(4) / 4, at(4) / 4 + c))
      sumGX.set(simd.f32().subarray(at(5) / 4, at(5) / 4 + c))
      const { kx, k0 } = finish()
      simd.f32().set(kx, at(6) / 4)
      simd.f32().set(k0, at(7) / 4)
      kernels.normGradApply(
        x,
        dy,
        ptr(dxInfo),
        n * 4,
        c * 4,
        at(0),
        at(1),
        rel,
        at(0),
        at(6),
        at(7),
      )
      simd.free(v)
    } else {
      const x = mem.view(inputs.x!)
      const dy = mem.view(inputs.dy!)
      const dx = mem.view(dxInfo)
      // The ReLU's mask: the forward's output, recomputed in float32 as it was computed.
      const off = (v: number, ch: number) =>
        relu && !(Math.fround(Math.fround(v * a[ch]!) + b[ch]!) > 0)
      for (let i = 0; i < n; i += c) {
        for (let ch = 0; ch < c; ch++) {
          const v = x[i + ch]!
          const g = off(v, ch) ? 0 : dy[i + ch]!
          sumG[ch]! += g
          sumGX[ch]! += g * (v * r[ch]! + s[ch]!)
        }
      }
      const { kg, kx, k0 } = finish()
      for (let i = 0; i < n; i += c) {
        for (let ch = 0; ch < c; ch++) {
          const v = x[i + ch]!
          const g = off(v, ch) ? 0 : dy[i + ch]!
          dx[i + ch] = kg[ch]! * g + kx[ch]! * v + k0[ch]!
        }
      }
    }
    if (!affine) return [dxInfo]
    mem.view(dgInfo!).set(sumGX)
    mem.view(dbInfo!).set(sumG)
    return [dxInfo, dgInfo!, dbInfo!]
  }
