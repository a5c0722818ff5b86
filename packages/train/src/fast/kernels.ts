// Fused kernels of the fast training path for the backends whose tensors live in memory that
// JavaScript can address: `wasm` (the WebAssembly heap) and `cpu` (typed arrays). Each replaces a
// chain of small tfjs ops — whose cost on these backends is bookkeeping per op, not arithmetic —
// by one kernel that loops over the data once. WebGL has its own programs (webglKernels.ts); other
// backends (webgpu) run the same math as tfjs ops.
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import * as tf from '@tensorflow/tfjs-core'
import { adamRule } from '../optim/adam'
import { jsStep, type RuleHyper } from '../optim/rules'
import { sgdRule } from '../optim/sgd'

/** Memory access for one kernel call. */
export interface Memory {
  /** A writable view of a float32 tensor's data (on wasm: valid until the next `alloc`). */
  view(info: tf.TensorInfo): Float32Array
  /** A writable view of an int32 tensor's data (same validity). */
  viewInt(info: tf.TensorInfo): Int32Array
  /** A new float32 (or int32) tensor of `shape` (contents undefined until written). */
  alloc(shape: number[], dtype?: 'float32' | 'int32'): tf.TensorInfo
}

export function memory(backendName: string, backend: unknown): Memory {
  if (backendName === 'wasm') {
    const b = backend as BackendWasm
    return {
      view: (info) => b.typedArrayFromHeap(info) as Float32Array,
      viewInt: (info) => b.typedArrayFromHeap(info) as Int32Array,
      alloc: (shape, dtype = 'float32') => b.makeOutput(shape, dtype),
    }
  }
  const b = backend as MathBackendCPU
  const size = (shape: number[]) => shape.reduce((a, c) => a * c, 1)
  return {
    view: (info) => b.data.get(info.dataId).values as Float32Array,
    viewInt: (info) => b.data.get(info.dataId).values as Int32Array,
    alloc: (shape, dtype = 'float32') =>
      b.makeTensorInfo(
        shape,
        dtype,
        dtype === 'int32' ? new Int32Array(size(shape)) : new Float32Array(size(shape)),
      ),
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

/**
 * One parameter's update rule with this step's hyper-parameters (PyTorch 1.13 semantics): the
 * fields of every rule (optim/adam.ts, optim/sgd.ts), `kind` saying which applies.
 */
export type UpdateRule = RuleHyper &
  Omit<Extract<RuleHyper, { kind: 'adam' }>, 'kind'> &
  Omit<Extract<RuleHyper, { kind: 'sgd' }>, 'kind'>

/** Number of state buffers a rule keeps per parameter (in this order: m, v, max v / momentum). */
export function stateCount(rule: Pick<UpdateRule, 'kind' | 'amsgrad' | 'momentum'>): number {
  if (rule.kind === 'adam') {
    return adamRule.state({ maximize: false, weightDecay: 'none', amsgrad: rule.amsgrad }).length
  }
  const momentum = rule.momentum !== 0 ? 'later' : 'none'
  return sgdRule.state({ maximize: false, weightDecay: false, momentum, nesterov: false }).length
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
 * `TensorloomOptimizerStep`: one Adam/AdamW/SGD update of every parameter with the rules'
 * generated JavaScript loops (optim/). Inputs `p{i}`, `g{i}` (for a bias, the layer's output
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
      const state = Array.from({ length: stateCount(rule) }, (_, j) =>
        mem.view(inputs[`s${i}_${j}`]!),
      )
      jsStep(rule, p, g, mem.view(outs[i]!), state)
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
