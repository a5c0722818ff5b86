// The graph engine's heaviest JavaScript loops as WebAssembly (SIMD where the data allows), built
// at run time (encoder.ts) into a module that imports tfjs-backend-wasm's own memory, so they work
// on its tensors in place. On this machine a JavaScript loop over a wasm heap view costs ~2-3 ns
// an element and these ~0.1-0.5 ns: batch norm and its gradient (normLoops.ts: channels last, 4
// channels per SIMD vector), max pooling's gradient and the im2col of a convolution's filter
// gradient (indexLoops.ts). graphKernels.ts and normKernels.ts call them on wasm and run their
// JavaScript loops elsewhere.
import { convTiled } from './conv'
import { encodeModule } from './encoder'
import { paddedFilterGrad, tiledFilterGrad } from './filterGrad'
import { im2colT, maxPoolArgmax, maxPoolArgmaxGrad, maxPoolGrad, maxPoolGrad4 } from './indexLoops'
import { affine, normGradApply, normGradSums, sumRows, sumSquares } from './normLoops'

/** The module's exports, as JavaScript functions of byte offsets and sizes. */
export interface SimdKernels {
  sumRows(x: number, bytes: number, rowBytes: number, acc: number): void
  sumSquares(x: number, bytes: number, rowBytes: number, mean: number, acc: number): void
  affine(
    x: number,
    y: number,
    bytes: number,
    rowBytes: number,
    a: number,
    b: number,
    relu: number,
  ): void
  normGradSums(...args: number[]): void
  normGradApply(...args: number[]): void
  maxPoolGrad(...args: number[]): void
  maxPoolGrad4(...args: number[]): void
  maxPoolGrad4Tiled(...args: number[]): void
  im2colT(...args: number[]): void
  tiledFilterGrad(...args: number[]): void
  convTiled(...args: number[]): void
  paddedFilterGrad(...args: number[]): void
  maxPoolArgmax(...args: number[]): void
  maxPoolArgmaxGrad(...args: number[]): void
}

const compiled = new WeakMap<WebAssembly.Memory, SimdKernels | null>()

/** The kernels over `memory` (built once per memory), or null where WebAssembly SIMD is missing. */
export function simdKernels(memory: WebAssembly.Memory): SimdKernels | null {
  if (compiled.has(memory)) return compiled.get(memory)!
  let kernels: SimdKernels | null = null
  try {
    const bytes = encodeModule([
      sumRows(),
      sumSquares(),
      affine(),
      normGradSums(),
      normGradApply(),
      maxPoolGrad(),
      maxPoolGrad4(),
      maxPoolGrad4(true),
      im2colT(),
      tiledFilterGrad(),
      convTiled(),
      paddedFilterGrad(),
      maxPoolArgmax(),
      maxPoolArgmaxGrad(),
    ])
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } })
    kernels = instance.exports as unknown as SimdKernels
  } catch {
    kernels = null
  }
  compiled.set(memory, kernels)
  return kernels
}
