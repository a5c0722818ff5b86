import * as tf from '@tensorflow/tfjs-core'
import { trainError } from '../errors'
import type { Optimizer, ParamState } from '../Optimizer'
import type { DenseBlock } from './plan'
import { groupsWithIndices, stateNames } from './updateRules'

/** One dense block's tensors as the engine trains them. */
export interface Slot {
  block: DenseBlock
  /** Transposed weight `[in, out]` (the layout wasm's matmul is fast with). */
  wt: tf.Tensor2D
  bias: tf.Tensor1D | null
}

/**
 * One tensor the engine trains: a weight (kept transposed, `[in, out]`), a bias, or — on WebGL — a
 * layer's weight and bias in one augmented matrix (see `augmented`).
 */
export interface ParamRef {
  kind: 'weight' | 'bias' | 'augmented'
  /** The weight (or the bias, for `'bias'`). */
  variable: tf.Variable
  /** Index of `variable` in `optimizer.params` (the optimizer's state-dict numbering). */
  index: number
  /** `'augmented'`: the layer's bias and its index. */
  bias?: tf.Variable
  biasIndex?: number
  /** `'augmented'`: the first layer (its input has no extra zero column). */
  first?: boolean
  /** `'augmented'`: a hidden layer (its output carries the constant-1 and a zero column). */
  hidden?: boolean
}

/**
 * The fast engine's copies of the parameters and the optimizer state, in the engine's layout
 * (weights transposed; on WebGL a layer's weight and bias in one augmented matrix, and a
 * parameter's state buffers side by side), and their sync with the model and the optimizer:
 * {@link pull} writes them back, {@link push} reloads them. {@link FastEngine} trains on them.
 */
export abstract class EngineParams {
  readonly optimizer: Optimizer<object>
  /** Which fused kernels run: JavaScript loops (wasm, cpu), WebGL programs, or none (tfjs ops). */
  readonly kernels: 'js' | 'webgl' | null
  /**
   * WebGL keeps each layer's bias as one more row of its weight matrix and feeds each layer a
   * constant-1 input column (the batch gets it from the gather program, a hidden layer's output
   * from one more frozen unit `relu(0·x + 1)`, padded with a zero unit to keep sizes even): every
   * layer is one matmul, and the optimizer updates one tensor per layer. Half the draws.
   */
  protected readonly augmented: boolean
  /**
   * WebGL keeps a parameter's state buffers side by side in one tensor (two draws per parameter
   * update), unless the optimizer can write them all at once (one draw, separate tensors).
   */
  protected readonly stackedState: boolean
  protected readonly slots: Slot[]
  protected readonly params: ParamRef[]
  /** Optimizer state per parameter (JavaScript kernels update it in place). */
  protected state: tf.Tensor[][]
  protected steps: number[]
  protected hasBuffer: boolean[]
  protected disposed = false

  /** Lays out `blocks`' parameters for `kernels` and copies them and the optimizer state in. */
  protected constructor(
    optimizer: Optimizer<object>,
    blocks: DenseBlock[],
    kernels: 'js' | 'webgl' | null,
    stackedState: boolean,
  ) {
    this.optimizer = optimizer
    this.kernels = kernels
    this.augmented = kernels === 'webgl'
    this.stackedState = stackedState
    const order = new Map(this.optimizer.params.map((p, i) => [p, i]))
    this.params = []
    this.slots = blocks.map((block, i) => {
      const { weight, bias } = block.linear
      if (this.augmented) {
        this.params.push({
          kind: 'augmented',
          variable: weight,
          index: order.get(weight)!,
          bias: bias!,
          biasIndex: order.get(bias!)!,
          first: i === 0,
          hidden: i < blocks.length - 1,
        })
      } else {
        this.params.push({ kind: 'weight', variable: weight, index: order.get(weight)! })
        if (bias) this.params.push({ kind: 'bias', variable: bias, index: order.get(bias)! })
      }
      return { block, wt: null as unknown as tf.Tensor2D, bias: null }
    })
    this.state = []
    this.steps = []
    this.hasBuffer = []
    this.push()
  }

  protected tensors(): tf.Tensor[] {
    return this.slots.flatMap((s) =>
      s.block.linear.bias && !this.augmented ? [s.wt, s.bias!] : [s.wt],
    )
  }

  protected setTensors(values: tf.Tensor[]): void {
    let k = 0
    for (const slot of this.slots) {
      slot.wt = values[k++] as tf.Tensor2D
      if (slot.block.linear.bias && !this.augmented) slot.bias = values[k++] as tf.Tensor1D
    }
  }

  /**
   * Writes the engine's weights into the model's variables and its optimizer state into the
   * optimizer (as `loadStateDict` would), so that evaluation, checkpoints and `stateDict()` see
   * the trained values.
   */
  pull(): void {
    this.assertLive()
    const values = this.tensors()
    const entries: Record<number, ParamState> = {}
    tf.tidy(() => {
      this.params.forEach((ref, i) => {
        const model = this.toModel(ref, values[i]!)
        ref.variable.assign(model[0]!)
        if (ref.kind === 'augmented') ref.bias!.assign(model[1]!)
        if (this.steps[i] === 0) return
        const indices = ref.kind === 'augmented' ? [ref.index, ref.biasIndex!] : [ref.index]
        for (const index of indices) {
          entries[index] = this.optimizer.optimizerName === 'SGD' ? {} : { step: this.steps[i]! }
        }
        const parts = this.unstack(this.state[i]!)
        stateNames(this.optimizer).forEach((name, j) => {
          this.toModel(ref, parts[j]!).forEach((t, k) => {
            entries[indices[k]!]![name] = tf.keep(t)
          })
        })
      })
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
  }

  /** Reloads weights and optimizer state from the model and optimizer (after they changed). */
  push(): void {
    this.assertLive()
    tf.dispose(this.tensors())
    for (const s of this.state) tf.dispose(s)
    const saved = this.optimizer.stateDict()
    try {
      const names = stateNames(this.optimizer)
      const values: tf.Tensor[] = []
      this.state = []
      this.steps = []
      this.hasBuffer = []
      for (const ref of this.params) {
        const own = ref.kind === 'augmented' ? [ref.variable, ref.bias!] : [ref.variable]
        const entries = (ref.kind === 'augmented' ? [ref.index, ref.biasIndex!] : [ref.index]).map(
          (index) => saved.state[index],
        )
        values.push(this.toEngine(ref, own))
        const buffers = names.map((name) => {
          const zeros: tf.Tensor[] = []
          const parts = own.map((p, k) => {
            const v = entries[k]?.[name]
            if (typeof v === 'object') return v
            zeros.push(tf.zerosLike(p))
            return zeros[zeros.length - 1]!
          })
          const buffer = this.toEngine(ref, parts, true)
          tf.dispose(zeros)
          return buffer
        })
        this.state.push(this.stack(buffers))
        const step = entries[0]?.step
        this.steps.push(typeof step === 'number' ? step : entries[0] ? 1 : 0)
        this.hasBuffer.push(entries[0]?.momentumBuffer !== undefined)
      }
      this.setTensors(values)
    } finally {
      for (const entry of Object.values(saved.state)) {
        for (const v of Object.values(entry)) if (typeof v !== 'number') v.dispose()
      }
    }
  }

  /**
   * A parameter (or a state buffer of it) in the engine's layout, from its model-layout tensors
   * (`[weight]`, `[bias]`, or `[weight, bias]` for an augmented layer): weights transposed to
   * `[in, out]`; augmented layers `[in + bias row (+ zero row), out (+ 2 frozen units)]`. The
   * result has its own memory: the JavaScript optimizer kernel writes state in place, and tfjs'
   * clone and reshape share data. For a `state` buffer the frozen units are 0, not 1.
   */
  private toEngine(ref: ParamRef, parts: tf.Tensor[], state = false): tf.Tensor {
    const shaped = tf.tidy(() => {
      if (ref.kind === 'bias') return tf.clone(parts[0]!)
      const wt = tf.transpose(parts[0]!)
      if (ref.kind === 'weight') return wt
      const [rowsIn, out] = wt.shape as [number, number]
      const rows = [wt, tf.reshape(parts[1]!, [1, out])]
      if (!ref.first) rows.push(tf.zeros([1, out]))
      const matrix = tf.concat(rows, 0)
      if (!ref.hidden) return matrix
      // The constant unit: weights 0, bias 1, so relu(x·w + b) = 1 feeds the next layer's bias row.
      const units = new Float32Array(matrix.shape[0]! * 2)
      if (!state) units[rowsIn * 2] = 1
      return tf.concat([matrix, tf.tensor2d(units, [matrix.shape[0]!, 2])], 1)
    })
    if (this.kernels !== 'js') return shaped
    const copy = tf.tensor(shaped.dataSync() as Float32Array, shaped.shape, 'float32')
    shaped.dispose()
    return copy
  }

  /** `t` (engine layout) in the model's layout, as new tensors: `[weight]`, `[bias]` or both. */
  private toModel(ref: ParamRef, t: tf.Tensor): tf.Tensor[] {
    if (ref.kind === 'bias') return [tf.reshape(t, ref.variable.shape)]
    if (ref.kind === 'weight') return [tf.transpose(t)]
    const [out, rowsIn] = ref.variable.shape as [number, number]
    return [
      tf.transpose(tf.slice(t, [0, 0], [rowsIn, out])),
      tf.reshape(tf.slice(t, [rowsIn, 0], [1, out]), [out]),
    ]
  }

  /** WebGL keeps a parameter's state buffers side by side in one tensor, `[R, k·C]`. */
  private stack(buffers: tf.Tensor[]): tf.Tensor[] {
    if (!this.stackedState || buffers.length <= 1) return buffers
    const stacked = tf.concat(buffers, 1)
    tf.dispose(buffers)
    return [stacked]
  }

  /** The state buffers of one parameter (views to read, inside a tidy). */
  private unstack(state: tf.Tensor[]): tf.Tensor[] {
    const count = stateNames(this.optimizer).length
    if (!this.stackedState || count <= 1) return state
    return tf.split(state[0]!, count, 1)
  }

  protected assertLive(): void {
    if (this.disposed) {
      throw trainError('FAST_DISPOSED')
    }
  }
}
