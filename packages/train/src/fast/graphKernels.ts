// Kernels of the graph fast path (GraphEngine) for the backends whose tensors JavaScript can
// address (wasm's heap, cpu's typed arrays), on channels-last images `[B, H, W, C]`: max pooling's
// gradient, batch norm (normKernels.ts), global average pooling, and the two reshuffles that let
// XNNPACK compute a convolution's gradients (im2col for the filter's, a flipped filter for the
// input's). The engine uses them where tfjs has no kernel, or only a slow one (a scalar loop, or a
// broadcast or reduction over leading axes); same-shape element-wise work (add, ReLU and its mask)
// stays with tfjs, whose wasm kernels are SIMD. On wasm the big loops run as WebAssembly (wasm/):
// a JavaScript loop over the heap costs ~2-3 ns an element here, ~10× a wasm loop.
import * as tf from '@tensorflow/tfjs-core'
import { KERNEL_BACKENDS, memory } from './kernels'
import { batchNorm, batchNormGrad } from './normKernels'
import { directFilterGrad, filterGrad as generatedFilterGrad } from './wasm/filterGrad'
import { type WasmHeap, wasmHeap } from './wasm/heap'

/** Kernel names, prefixed so they never clash with tfjs' own. */
export const GRAPH_KERNELS = {
  maxPoolGrad: 'TensorloomMaxPoolGrad',
  batchNorm: 'TensorloomBatchNorm',
  batchNormGrad: 'TensorloomBatchNormGrad',
  meanPool: 'TensorloomMeanPool',
  meanPoolGrad: 'TensorloomMeanPoolGrad',
  im2colT: 'TensorloomIm2ColT',
  filterGrad: 'TensorloomConvFilterGrad',
  flipFilter: 'TensorloomFlipFilter',
  conv: 'TensorloomConv2D',
  maxPoolArgmax: 'TensorloomMaxPoolArgmax',
  maxPoolArgmaxGrad: 'TensorloomMaxPoolArgmaxGrad',
} as const

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
    const simd = wasmHeap(backendName, backend)
    if (simd) {
      const { ptr } = simd
      const args = [b, h, w, c, ho, wo, k, s, relu ? 1 : 0]
      // 4 channels at a time when they come in fours; windows that tile x write all of dx.
      const tiled = c % 4 === 0 && k === s && h === ho * s && w === wo * s
      if (!tiled) dx.fill(0)
      const { maxPoolGrad4, maxPoolGrad4Tiled, maxPoolGrad } = simd.kernels
      const run = tiled ? maxPoolGrad4Tiled : c % 4 === 0 ? maxPoolGrad4 : maxPoolGrad
      run(ptr(inputs.x!), ptr(inputs.y!), ptr(inputs.dy!), ptr(dxInfo), ...args)
      return dxInfo
    }
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
 * Whether {@link GRAPH_KERNELS.maxPoolArgmax} runs on the current backend for `kernel`×`kernel`
 * windows every `stride` over `[B, h, w, c]`: on wasm, for windows that tile the input and
 * channels in fours.
 */
export function hasArgmaxPool(shape: readonly number[], kernel: number, stride: number): boolean {
  const [, h, w, c] = shape as [number, number, number, number]
  const tiles = kernel === stride && h % kernel === 0 && w % kernel === 0 && c % 4 === 0
  return tiles && wasmHeap(tf.getBackend(), tf.backend()) !== null
}

/**
 * `TensorloomMaxPoolArgmax` (where {@link hasArgmaxPool}): `[y, idx]`, the max pool of `x` over
 * `kernel`×`kernel` windows that tile it, and (int32) each maximum's position `di·kernel + dj` in
 * its window, the first in row-major order, for {@link GRAPH_KERNELS.maxPoolArgmaxGrad}.
 */
const maxPoolArgmax: Kernel =
  (backendName) =>
  ({ inputs, backend, attrs }) => {
    const [b, h, w, c] = inputs.x!.shape as [number, number, number, number]
    const k = attr<number>(attrs, 'kernel')
    const [ho, wo] = [h / k, w / k]
    const mem = memory(backendName, backend)
    const y = mem.alloc([b, ho, wo, c])
    const idx = mem.alloc([b, ho, wo, c], 'int32')
    const simd = wasmHeap(backendName, backend)!
    simd.kernels.maxPoolArgmax(
      simd.ptr(inputs.x!),
      simd.ptr(y),
      simd.ptr(idx),
      b,
      h,
      w,
      c,
      ho,
      wo,
      k,
    )
    return [y, idx]
  }

/**
 * `TensorloomMaxPoolArgmaxGrad`: from `dy`, `y` and `idx` of {@link GRAPH_KERNELS.maxPoolArgmax},
 * the gradient `[B, H, W, C]` (`inShape`) of its input, as {@link GRAPH_KERNELS.maxPoolGrad} with
 * `relu` but without reading the input.
 */
const maxPoolArgmaxGrad: Kernel =
  (backendName) =>
  ({ inputs, backend, attrs }) => {
    const [b, h, w, c] = attr<number[]>(attrs, 'inShape') as [number, number, number, number]
    const k = attr<number>(attrs, 'kernel')
    const relu = attr<boolean>(attrs, 'relu') ? 1 : 0
    const dx = memory(backendName, backend).alloc([b, h, w, c])
    const simd = wasmHeap(backendName, backend)!
    const { ptr } = simd
    const [dy, y, idx] = [ptr(inputs.dy!), ptr(inputs.y!), ptr(inputs.idx!)]
    simd.kernels.maxPoolArgmaxGrad(dy, y, idx, ptr(dx), b, h, w, c, h / k, w / k, k, relu)
    return dx
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
    const out = mem.view(outInfo)
    if (ones) out.fill(1, k * k * c * cols)
    const simd = wasmHeap(backendName, backend)
    if (simd) {
      const { ptr } = simd
      simd.kernels.im2colT(ptr(inputs.x!), ptr(outInfo), b, h, w, c, k, pad, ho, wo)
      return outInfo
    }
    const x = mem.view(inputs.x!)
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
 * Whether {@link GRAPH_KERNELS.filterGrad} runs on the current backend for a stride-1 `k`×`k`
 * convolution `cin` -> `cout`: on wasm, for `cout` a multiple of 8 (blocks of 4 × 8 channels where
 * `cin` is a multiple of 4, else on a zero-padded copy of the input) or few input channels
 * (wasm/filterGrad.ts).
 */
export function hasDirectFilterGrad(k: number, cin: number, cout: number): boolean {
  const simd = wasmHeap(tf.getBackend(), tf.backend())
  if (simd === null) return false
  return (
    cout % 8 === 0 ||
    (directFilterGrad(k, cin, cout) && generatedFilterGrad(simd.memory, k, cin, cout) !== null)
  )
}

/** Whether the filter gradient of `cin` -> `cout` runs in blocks of 4 × 8 channels. */
const tiled = (cin: number, cout: number) => cin % 4 === 0 && cout % 8 === 0

/**
 * `TensorloomConvFilterGrad` (where {@link hasDirectFilterGrad}): from the input `x` and the
 * output's gradient `dy`, `[k·k·Cin + 1, Cout]`: the filter's gradient, then the bias's.
 */
const filterGrad: Kernel =
  (backendName) =>
  ({ inputs, backend, attrs }) => {
    const [b, h, w, c] = inputs.x!.shape as [number, number, number, number]
    const co = inputs.dy!.shape[3]!
    const k = attr<number>(attrs, 'kernel')
    const simd = wasmHeap(backendName, backend)!
    const mem = memory(backendName, backend)
    const outInfo = mem.alloc([k * k * c + 1, co])
    const { ptr } = simd
    const pad = attr<number>(attrs, 'pad')
    if (tiled(c, co)) {
      mem.view(outInfo).fill(0)
      const [x, dy, out] = [ptr(inputs.x!), ptr(inputs.dy!), ptr(outInfo)]
      simd.kernels.tiledFilterGrad(x, dy, out, b, h, w, c, co, k, pad)
      return outInfo
    }
    if (co % 8 === 0) {
      mem.view(outInfo).fill(0)
      const [hp, wp] = [h + 2 * pad, w + 2 * pad]
      const [ho, wo] = [hp - k + 1, wp - k + 1]
      const padded = padInput(simd, inputs.x!, pad, 4)
      const [dy, out] = [ptr(inputs.dy!), ptr(outInfo)]
      simd.kernels.paddedFilterGrad(padded.ptr, dy, out, b, ho, wo, hp, wp, c, co, k)
      simd.kernels.sumRows(dy, b * ho * wo * co * 4, co * 4, out + k * k * c * co * 4)
      padded.free()
      return outInfo
    }
    const run = generatedFilterGrad(simd.memory, k, c, co)!
    run(ptr(inputs.x!), ptr(inputs.dy!), ptr(outInfo), b, h, w, pad)
    return outInfo
  }

/**
 * Whether {@link GRAPH_KERNELS.conv} runs on the current backend for `pixels` output pixels
 * (`B·Ho·Wo`) and `cout` output channels: on wasm, for pixels in fours and channels in eights.
 */
export function hasDirectConv(pixels: number, cout: number): boolean {
  return pixels % 4 === 0 && cout % 8 === 0 && wasmHeap(tf.getBackend(), tf.backend()) !== null
}

/**
 * `TensorloomConv2D` (where {@link hasDirectConv}): the stride-1 convolution of `x` `[B, H, W, Cin]`
 * with `w` `[k, k, Cin, Cout]` padded by `pad`, plus `bias` when given, then a ReLU with `relu`
 * (wasm/conv.ts, on a zero-padded copy of `x`).
 */
const conv: Kernel =
  (backendName) =>
  ({ inputs, backend, attrs }) => {
    const [b, h, w, cin] = inputs.x!.shape as [number, number, number, number]
    const [k, , , cout] = inputs.w!.shape as [number, number, number, number]
    const pad = attr<number>(attrs, 'pad')
    const relu = attr<boolean>(attrs, 'relu')
    const [hp, wp] = [h + 2 * pad, w + 2 * pad]
    const [ho, wo] = [hp - k + 1, wp - k + 1]
    const simd = wasmHeap(backendName, backend)!
    const outInfo = memory(backendName, backend).alloc([b, ho, wo, cout])
    const { ptr } = simd
    const padded = padInput(simd, inputs.x!, pad)
    const bias = inputs.bias ? ptr(inputs.bias) : 0
    const args = [b, ho, wo, wp, hp, cin, cout, k, relu ? 1 : 0, inputs.bias ? 1 : 0]
    simd.kernels.convTiled(padded.ptr, ptr(inputs.w!), bias, ptr(outInfo), ...args)
    padded.free()
    return outInfo
  }

/**
 * `x` `[B, H, W, C]` zero-padded by `pad` on each side, in scratch memory with `spare` floats after
 * it (`x` itself when `pad` is 0 and nothing is spared); `free` releases the copy.
 */
function padInput(
  simd: WasmHeap,
  x: tf.TensorInfo,
  pad: number,
  spare = 0,
): { ptr: number; free(): void } {
  if (pad === 0 && spare === 0) return { ptr: simd.ptr(x), free: () => {} }
  const [b, h, w, c] = x.shape as [number, number, number, number]
  const [hp, wp] = [h + 2 * pad, w + 2 * pad]
  const scratch = simd.alloc(b * hp * wp * c + spare)
  const heap = simd.f32()
  const dst = scratch / 4
  heap.fill(0, dst, dst + b * hp * wp * c + spare)
  const src = simd.ptr(x) / 4
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < h; i++) {
      const from = src + (n * h + i) * w * c
      heap.copyWithin(dst + ((n * hp + i + pad) * wp + pad) * c, from, from + w * c)
    }
  }
  return { ptr: scratch, free: () => simd.free(scratch) }
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
  [GRAPH_KERNELS.filterGrad, filterGrad],
  [GRAPH_KERNELS.conv, conv],
  [GRAPH_KERNELS.maxPoolArgmax, maxPoolArgmax],
  [GRAPH_KERNELS.maxPoolArgmaxGrad, maxPoolArgmaxGrad],
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
