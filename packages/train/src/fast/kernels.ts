// Fused kernels of the fast training path for the backends whose tensors live in memory that
// JavaScript can address: `wasm` (the WebAssembly heap) and `cpu` (typed arrays). Each replaces a
// chain of small tfjs ops — whose cost on these backends is bookkeeping per op, not arithmetic —
// by one kernel that loops over the data once. Other backends (webgl, webgpu) run the same math as
// tfjs ops (see ops.ts).
import * as tf from '@tensorflow/tfjs-core'

type TypedArray = Float32Array | Int32Array | Uint8Array

/** The parts of tfjs-backend-wasm's `BackendWasm` used here (duck-typed: it is not a dependency). */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo
  typedArrayFromHeap(info: tf.TensorInfo): TypedArray
}

/** The parts of tfjs-backend-cpu's `MathBackendCPU` used here. */
interface CpuBackendLike {
  data: { get(dataId: tf.DataId): { values?: unknown } }
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: TypedArray): tf.TensorInfo
}

/** Memory access for one kernel call. */
interface Memory {
  /** A writable view of a float32 tensor's data (on wasm: valid until the next `alloc`). */
  view(info: tf.TensorInfo): Float32Array
  /** A new float32 tensor of `shape` (contents undefined until written). */
  alloc(shape: number[]): tf.TensorInfo
}

function memory(backendName: string, backend: unknown): Memory {
  if (backendName === 'wasm') {
    const b = backend as WasmBackendLike
    return {
      view: (info) => b.typedArrayFromHeap(info) as Float32Array,
      alloc: (shape) => b.makeOutput(shape, 'float32'),
    }
  }
  const b = backend as CpuBackendLike
  return {
    view: (info) => b.data.get(info.dataId).values as Float32Array,
    alloc: (shape) =>
      b.makeTensorInfo(shape, 'float32', new Float32Array(shape.reduce((a, c) => a * c, 1))),
  }
}

/** Kernel names, prefixed so they never clash with tfjs' own. */
export const KERNELS = {
  gatherRows: 'TensorloomGatherRows',
  softmaxCrossEntropy: 'TensorloomSoftmaxCrossEntropy',
  reluGrad: 'TensorloomReluGrad',
  optimizerStep: 'TensorloomOptimizerStep',
  /** WebGL only: a packed matmul reading texels directly (see webglKernels.ts). */
  matMul: 'TensorloomMatMul',
  /** WebGL only: the first layer's matmuls reading a batch's rows from the resident texels. */
  rowsMatMul: 'TensorloomRowsMatMul',
} as const

/** Backends whose tensors JavaScript can address: the kernels below are JavaScript loops. */
export const KERNEL_BACKENDS: readonly string[] = ['wasm', 'cpu']

/** One parameter's update rule with this step's hyper-parameters (PyTorch 1.13 semantics). */
export interface UpdateRule {
  kind: 'adam' | 'sgd'
  lr: number
  weightDecay: number
  maximize: boolean
  /** Adam: β₁, β₂, ε; AdamW decay (`decoupled`); AMSGrad; the step count after this update. */
  beta1: number
  beta2: number
  eps: number
  decoupled: boolean
  amsgrad: boolean
  step: number
  /** SGD: momentum, dampening, Nesterov; whether the momentum buffer holds a value yet. */
  momentum: number
  dampening: number
  nesterov: boolean
  hasBuffer: boolean
}

/** Number of state buffers a rule keeps per parameter (in this order: m, v, max v / momentum). */
export function stateCount(rule: Pick<UpdateRule, 'kind' | 'amsgrad' | 'momentum'>): number {
  if (rule.kind === 'adam') return rule.amsgrad ? 3 : 2
  return rule.momentum !== 0 ? 1 : 0
}

type Params = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }

const attr = <T>(attrs: tf.NamedAttrMap | undefined, name: string): T =>
  (attrs as Record<string, unknown>)[name] as T

/** `TensorloomGatherRows`: rows `indices` of a resident `[N, D]` matrix, as `[B, D]` (memcpy per row). */
function gatherRows(backendName: string) {
  return ({ inputs, backend, attrs }: Params): tf.TensorInfo => {
    const x = inputs.x!
    const indices = attr<Int32Array>(attrs, 'indices')
    const d = x.shape[1]!
    const mem = memory(backendName, backend)
    const out = mem.alloc([indices.length, d])
    const src = mem.view(x)
    const dst = mem.view(out)
    for (let r = 0; r < indices.length; r++) {
      const start = indices[r]! * d
      dst.set(src.subarray(start, start + d), r * d)
    }
    return out
  }
}

/**
 * `TensorloomSoftmaxCrossEntropy`: from logits `[B, C]` and integer labels, the gradient of the
 * loss with respect to the logits, `scale · (softmax − onehot)`, and the stats `[loss, correct]`:
 * the loss `scale · Σ (lse − logit_y)` and the number of rows whose first maximum is the label.
 * Sums run in float64.
 */
function softmaxCrossEntropy(backendName: string) {
  return ({ inputs, backend, attrs }: Params): tf.TensorInfo[] => {
    const logitsInfo = inputs.logits!
    const labels = attr<Int32Array>(attrs, 'labels')
    const scale = attr<number>(attrs, 'scale')
    const [b, c] = logitsInfo.shape as [number, number]
    const mem = memory(backendName, backend)
    const gradInfo = mem.alloc([b, c])
    const statsInfo = mem.alloc([2])
    const logits = mem.view(logitsInfo)
    const grad = mem.view(gradInfo)
    let loss = 0
    let correct = 0
    for (let r = 0; r < b; r++) {
      const o = r * c
      let max = logits[o]!
      let arg = 0
      for (let k = 1; k < c; k++) {
        const v = logits[o + k]!
        if (v > max) {
          max = v
          arg = k
        }
      }
      let sum = 0
      for (let k = 0; k < c; k++) sum += Math.exp(logits[o + k]! - max)
      const y = labels[r]!
      loss += max + Math.log(sum) - logits[o + y]!
      if (arg === y) correct++
      const inv = scale / sum
      for (let k = 0; k < c; k++) grad[o + k] = Math.exp(logits[o + k]! - max) * inv
      grad[o + y] = grad[o + y]! - scale
    }
    const stats = mem.view(statsInfo)
    stats[0] = loss * scale
    stats[1] = correct
    return [gradInfo, statsInfo]
  }
}

/** `TensorloomReluGrad`: `dy` where the ReLU's output `y` is positive, else 0. */
function reluGrad(backendName: string) {
  return ({ inputs, backend }: Params): tf.TensorInfo => {
    const mem = memory(backendName, backend)
    const outInfo = mem.alloc(inputs.dy!.shape)
    const dy = mem.view(inputs.dy!)
    const y = mem.view(inputs.y!)
    const out = mem.view(outInfo)
    for (let i = 0; i < out.length; i++) out[i] = y[i]! > 0 ? dy[i]! : 0
    return outInfo
  }
}

/**
 * `TensorloomOptimizerStep`: one Adam/AdamW/SGD update of every parameter, PyTorch 1.13's
 * single-tensor rules element by element. Inputs `p{i}`, `g{i}` (for a bias, the layer's output
 * gradient `[B, N]`, whose column sums are the bias gradient) and state buffers `s{i}_{j}`;
 * the state buffers are updated in place (they belong to the fast engine), the parameters are
 * returned as new tensors (wasm's matmul caches packed weights by tensor id, so a weight must
 * never change in place).
 */
function optimizerStep(backendName: string) {
  return ({ inputs, backend, attrs }: Params): tf.TensorInfo[] => {
    const rules = attr<UpdateRule[]>(attrs, 'rules')
    const mem = memory(backendName, backend)
    const outs = rules.map((_, i) => mem.alloc(inputs[`p${i}`]!.shape))
    rules.forEach((rule, i) => {
      const p = mem.view(inputs[`p${i}`]!)
      const g = columnSums(mem.view(inputs[`g${i}`]!), p.length)
      const out = mem.view(outs[i]!)
      const s = (j: number) => mem.view(inputs[`s${i}_${j}`]!)
      if (rule.kind === 'adam') adam(rule, p, g, out, s(0), s(1), rule.amsgrad ? s(2) : null)
      else sgd(rule, p, g, out, rule.momentum !== 0 ? s(0) : null)
    })
    return outs
  }
}

/**
 * A bias's gradient arrives as the layer's output gradient `[B, N]` (one op fewer per layer):
 * its column sums. Other gradients pass through.
 */
function columnSums(g: Float32Array, n: number): Float32Array {
  if (g.length === n) return g
  const sums = new Float64Array(n)
  for (let start = 0; start < g.length; start += n) {
    for (let c = 0; c < n; c++) sums[c] = sums[c]! + g[start + c]!
  }
  return Float32Array.from(sums)
}

function adam(
  rule: UpdateRule,
  p: Float32Array,
  g: Float32Array,
  out: Float32Array,
  m: Float32Array,
  v: Float32Array,
  vMax: Float32Array | null,
): void {
  const { lr, beta1, beta2, eps, weightDecay, decoupled, maximize, step } = rule
  // Arithmetic in float64, rounded to float32 on store: within an ulp of PyTorch's float32 ops.
  const stepSize = lr / (1 - beta1 ** step)
  const invBc2Sqrt = 1 / Math.sqrt(1 - beta2 ** step)
  const c1 = 1 - beta1
  const c2 = 1 - beta2
  const n = p.length
  if (weightDecay === 0 && !maximize && !vMax) {
    for (let i = 0; i < n; i++) {
      const grad = g[i]!
      const mi = m[i]! * beta1 + grad * c1
      const vi = v[i]! * beta2 + grad * grad * c2
      m[i] = mi
      v[i] = vi
      out[i] = p[i]! - (mi * stepSize) / (Math.sqrt(vi) * invBc2Sqrt + eps)
    }
    return
  }
  const shrink = decoupled ? 1 - lr * weightDecay : 1
  const l2 = decoupled ? 0 : weightDecay
  const sign = maximize ? -1 : 1
  for (let i = 0; i < n; i++) {
    const grad = sign * g[i]! + l2 * p[i]!
    const mi = m[i]! * beta1 + grad * c1
    const vi = v[i]! * beta2 + grad * grad * c2
    m[i] = mi
    v[i] = vi
    let second = v[i]!
    if (vMax) {
      second = Math.max(vMax[i]!, second)
      vMax[i] = second
    }
    out[i] = p[i]! * shrink - (mi * stepSize) / (Math.sqrt(second) * invBc2Sqrt + eps)
  }
}

function sgd(
  rule: UpdateRule,
  p: Float32Array,
  g: Float32Array,
  out: Float32Array,
  buf: Float32Array | null,
): void {
  const { lr, weightDecay, maximize, momentum, dampening, nesterov, hasBuffer } = rule
  const sign = maximize ? -1 : 1
  const keep = 1 - dampening
  const n = p.length
  for (let i = 0; i < n; i++) {
    let d = sign * g[i]! + weightDecay * p[i]!
    if (buf) {
      const b = hasBuffer ? buf[i]! * momentum + keep * d : d
      buf[i] = b
      d = nesterov ? d + momentum * buf[i]! : buf[i]!
    }
    out[i] = p[i]! - lr * d
  }
}

/** Registers the JavaScript kernels for wasm and cpu (once; later calls do nothing). */
export function registerFastKernels(): void {
  for (const backendName of KERNEL_BACKENDS) {
    const configs: Array<[string, (name: string) => tf.KernelFunc]> = [
      [KERNELS.gatherRows, gatherRows as unknown as (name: string) => tf.KernelFunc],
      [
        KERNELS.softmaxCrossEntropy,
        softmaxCrossEntropy as unknown as (name: string) => tf.KernelFunc,
      ],
      [KERNELS.reluGrad, reluGrad as unknown as (name: string) => tf.KernelFunc],
      [KERNELS.optimizerStep, optimizerStep as unknown as (name: string) => tf.KernelFunc],
    ]
    for (const [kernelName, make] of configs) {
      if (tf.getKernel(kernelName, backendName)) continue
      tf.registerKernel({ kernelName, backendName, kernelFunc: make(backendName) })
    }
  }
}

/** Which fused kernels run on `backendName`: JavaScript loops, WebGL programs, or none. */
export function kernelKind(backendName: string): 'js' | 'webgl' | null {
  if (KERNEL_BACKENDS.includes(backendName)) return 'js'
  return backendName === 'webgl' ? 'webgl' : null
}
