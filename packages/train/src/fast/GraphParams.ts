import * as tf from '@tensorflow/tfjs-core'
import type { BatchNormBase } from '@tensorloom/layers'
import { trainError } from '../errors'
import type { Optimizer, ParamState } from '../Optimizer'
import type { GraphPlan } from './graphPlan'
import type { RunningStats } from './normKernels'
import { groupsWithIndices, stateNames } from './updateRules'

/** One trained tensor in the engine's layout: `engine[i] = model[perm[i]]` (null: same order). */
export interface GraphParam {
  variable: tf.Variable
  /** Its shape in the engine. */
  shape: number[]
  perm: Int32Array | null
}

/** A batch norm's running statistics as the engine keeps them between read-backs. */
interface NormBuffers {
  layer: BatchNormBase<'BatchNorm1d' | 'BatchNorm2d'>
  mean: Float64Array
  variance: Float64Array
  batches: number
}

/**
 * The graph engine's copies of the parameters (channels-last layouts: a Conv2d's weight as
 * `[k, k, Cin, Cout]`, a Linear's transposed to `[in, out]` with its columns in the engine's
 * order when it reads a flattened image), the optimizer state in the same layouts, and the batch
 * norms' running statistics; {@link pull} writes them into the model and the optimizer,
 * {@link push} reloads them.
 */
export abstract class GraphParams {
  readonly optimizer: Optimizer<object>
  /** In `optimizer.params` order. */
  protected readonly params: GraphParam[]
  protected values: tf.Tensor[] = []
  /** Optimizer state per parameter (the JavaScript kernel updates it in place). */
  protected state: tf.Tensor[][] = []
  protected steps: number[] = []
  protected hasBuffer: boolean[] = []
  protected readonly norms: Map<object, NormBuffers>
  protected disposed = false

  protected constructor(optimizer: Optimizer<object>, plan: GraphPlan) {
    this.optimizer = optimizer
    const layouts = new Map<tf.Variable, Omit<GraphParam, 'variable'>>()
    this.norms = new Map()
    for (const node of plan.nodes) {
      if (node.op === 'conv') {
        const { weight } = node.layer
        const [co, ci, k] = weight.shape as [number, number, number]
        layouts.set(weight, { shape: [k, k, ci, co], perm: convPerm(k, ci, co) })
      } else if (node.op === 'linear') {
        const src = plan.nodes[node.inputs[0]!]!
        const from = src.op === 'flatten' ? plan.nodes[src.inputs[0]!]!.shape : null
        const { weight } = node.layer
        const [out, inF] = weight.shape as [number, number]
        layouts.set(weight, { shape: [inF, out], perm: linearPerm(out, inF, from) })
      } else if (node.op === 'batchnorm') {
        const { layer } = node
        this.norms.set(layer, {
          layer,
          mean: new Float64Array(layer.numFeatures),
          variance: new Float64Array(layer.numFeatures),
          batches: 0,
        })
      }
    }
    this.params = optimizer.params.map((variable) => ({
      variable,
      ...(layouts.get(variable) ?? { shape: [...variable.shape], perm: null }),
    }))
    this.push()
  }

  /** The running statistics a batch norm updates this step, or null when it keeps none. */
  protected running(layer: BatchNormBase<'BatchNorm1d' | 'BatchNorm2d'>): RunningStats | null {
    const n = this.norms.get(layer)!
    if (!layer.runningMean || !layer.runningVar) return null
    return { mean: n.mean, variance: n.variance, factor: layer.momentum ?? 1 / n.batches }
  }

  /**
   * Writes the engine's weights into the model's variables, its optimizer state into the
   * optimizer (as `loadStateDict` would) and the running statistics into the batch norms'
   * buffers, so that evaluation, checkpoints and `stateDict()` see the trained values.
   */
  pull(): void {
    this.assertLive()
    const names = stateNames(this.optimizer)
    const entries: Record<number, ParamState> = {}
    this.params.forEach((p, i) => {
      const value = toModel(p, this.values[i]!)
      p.variable.assign(value)
      value.dispose()
      if (this.steps[i] === 0) return
      const entry: ParamState =
        this.optimizer.optimizerName === 'SGD' ? {} : { step: this.steps[i]! }
      names.forEach((name, j) => {
        entry[name] = toModel(p, this.state[i]![j]!)
      })
      entries[i] = entry
    })
    try {
      this.optimizer.loadStateDict({
        state: entries,
        paramGroups: groupsWithIndices(this.optimizer),
      })
    } finally {
      for (const entry of Object.values(entries)) {
        for (const v of Object.values(entry)) if (typeof v !== 'number') v.dispose()
      }
    }
    for (const n of this.norms.values()) {
      const { runningMean, runningVar, numBatchesTracked } = n.layer
      if (!runningMean || !runningVar) continue
      assignValues(runningMean, Float32Array.from(n.mean))
      assignValues(runningVar, Float32Array.from(n.variance))
      if (numBatchesTracked) {
        const count = tf.scalar(n.batches, 'int32')
        numBatchesTracked.assign(count)
        count.dispose()
      }
    }
  }

  /** Reloads weights, optimizer state and running statistics after they changed outside. */
  push(): void {
    this.assertLive()
    tf.dispose(this.values)
    for (const s of this.state) tf.dispose(s)
    const names = stateNames(this.optimizer)
    const saved = this.optimizer.stateDict()
    try {
      this.values = this.params.map((p) => toEngine(p, p.variable))
      this.state = this.params.map((p, i) =>
        names.map((name) => {
          const v = saved.state[i]?.[name]
          return typeof v === 'object' ? toEngine(p, v) : tf.zeros(p.shape)
        }),
      )
      this.steps = this.params.map((_, i) => {
        const step = saved.state[i]?.step
        return typeof step === 'number' ? step : saved.state[i] ? 1 : 0
      })
      this.hasBuffer = this.params.map((_, i) => saved.state[i]?.momentumBuffer !== undefined)
    } finally {
      for (const entry of Object.values(saved.state)) {
        for (const v of Object.values(entry)) if (typeof v !== 'number') v.dispose()
      }
    }
    for (const n of this.norms.values()) {
      const { runningMean, runningVar, numBatchesTracked } = n.layer
      if (runningMean) n.mean.set(runningMean.dataSync() as Float32Array)
      if (runningVar) n.variance.set(runningVar.dataSync() as Float32Array)
      n.batches = numBatchesTracked ? numBatchesTracked.dataSync()[0]! : 0
    }
  }

  protected assertLive(): void {
    if (this.disposed) throw trainError('FAST_DISPOSED')
  }
}

/** `[Cout, Cin, k, k]` (PyTorch) -> `[k, k, Cin, Cout]`. */
function convPerm(k: number, ci: number, co: number): Int32Array {
  const perm = new Int32Array(k * k * ci * co)
  let e = 0
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) perm[e++] = ((o * ci + i) * k + a) * k + b
    }
  }
  return perm
}

/**
 * `[out, in]` (PyTorch) -> `[in, out]`; when the input is a flattened `[H, W, C]` image, row
 * `(h·W + w)·C + c` of the result is PyTorch's column `c·H·W + h·W + w`.
 */
function linearPerm(out: number, inF: number, image: number[] | null): Int32Array {
  const perm = new Int32Array(inF * out)
  const [h, w, c] = image && image.length === 3 ? (image as [number, number, number]) : [1, 1, inF]
  let r = 0
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++, r++) {
        const column = (ch * h + y) * w + x
        for (let o = 0; o < out; o++) perm[r * out + o] = o * inF + column
      }
    }
  }
  return perm
}

/** A tensor of the model's layout as a new engine tensor (its own memory: kernels write state in place). */
function toEngine(p: GraphParam, t: tf.Tensor): tf.Tensor {
  const src = t.dataSync() as Float32Array
  if (!p.perm) return tf.tensor(Float32Array.from(src), p.shape, 'float32')
  const out = new Float32Array(src.length)
  for (let i = 0; i < out.length; i++) out[i] = src[p.perm[i]!]!
  return tf.tensor(out, p.shape, 'float32')
}

/** An engine tensor in the model's layout, as a new tensor. */
function toModel(p: GraphParam, t: tf.Tensor): tf.Tensor {
  const src = t.dataSync() as Float32Array
  if (!p.perm) return tf.tensor(Float32Array.from(src), p.variable.shape, 'float32')
  const out = new Float32Array(src.length)
  for (let i = 0; i < src.length; i++) out[p.perm[i]!] = src[i]!
  return tf.tensor(out, p.variable.shape, 'float32')
}

function assignValues(variable: tf.Variable, values: Float32Array): void {
  const t = tf.tensor(values, variable.shape, 'float32')
  variable.assign(t)
  t.dispose()
}
