import * as tf from '@tensorflow/tfjs-core'
import type { Module } from '@tensorloom/layers'
import { CrossEntropyLoss } from '../CrossEntropyLoss'
import { TrainError } from '../errors'
import type { BatchSource } from '../evaluate'
import type { Criterion } from '../Loss'
import type { Optimizer, ParamState } from '../Optimizer'
import { tensorUpdate } from '../optim/rules'
import { KERNELS, kernelKind, registerFastKernels, stateCount, type UpdateRule } from './kernels'
import { type DenseBlock, planDense, type Unsupported } from './plan'
import { checkLoader, type IndexedLoader, makeResident, type ResidentData } from './residentData'
import { registerWebGLKernels, webglSeparateState } from './webglKernels'
import { texelsAvailable } from './webglRows'

/** Options of {@link FastEngine.create}. */
export interface FastEngineOptions {
  /** The model: a chain of Flatten, Linear and ReLU layers (see {@link FastEngine.check}). */
  model: Module
  /** An `Adam`, `AdamW` or `SGD` over exactly the model's parameters. */
  optimizer: Optimizer<object>
  /** `CrossEntropyLoss` with reduction `'mean'` or `'sum'` and no class weights or smoothing. */
  criterion?: Criterion
  /** A `DataLoader` over an MNIST-like dataset whose transforms have batched forms. */
  trainLoader: BatchSource
  /** Switches for measuring what each technique brings (defaults: all on). */
  tuning?: Partial<FastTuning>
}

/** The techniques of the fast path that can be switched off, to measure what each brings. */
export interface FastTuning {
  /**
   * Fused kernels — softmax-cross-entropy with its gradient, ReLU gradient, one optimizer op for
   * every parameter — as JavaScript loops on wasm and cpu and WebGL programs on webgl (true), or
   * tfjs ops (false; always on other backends).
   */
  kernels: boolean
  /** Keep the transformed training set on the device and gather batches there (true), or build
   * each batch on the host and upload it (false). */
  residentData: boolean
  /** Fuse bias and ReLU into the matmul with `tf.fused.matMul` (true), or run them as ops. */
  fusedMatMul: boolean
}

/** One training step's results, still on the device (read them back when convenient). */
export interface FastStep {
  /** `[loss, correct]`: the batch's loss (as the criterion reduces it), and the number of rows
   * whose highest logit is the label. */
  stats: tf.Tensor1D
  /** Samples in the batch. */
  samples: number
}

/** Either the engine can train this setup, or why not. */
export type FastSupport = { ok: true } | { ok: false; reason: string }

interface Slot {
  block: DenseBlock
  /** Transposed weight `[in, out]` (the layout wasm's matmul is fast with). */
  wt: tf.Tensor2D
  bias: tf.Tensor1D | null
}

/**
 * One tensor the engine trains: a weight (kept transposed, `[in, out]`), a bias, or — on WebGL — a
 * layer's weight and bias in one augmented matrix (see `augmented`).
 */
interface ParamRef {
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

const isUnsupported = (v: unknown): v is Unsupported =>
  typeof (v as Unsupported | null)?.reason === 'string'

/**
 * The fast training path for the lesson's kind of model — a chain of Linear (+ReLU) layers on a
 * flattened MNIST-like dataset, with CrossEntropyLoss and Adam, AdamW or SGD — computing exactly
 * what the reference path computes (PyTorch's update rules, the same batches in the same order),
 * in a fraction of the ops:
 *
 * - the training set is transformed once and stays on the device as one matrix; a batch is one
 *   gather there (on WebGL, the first layer's matmuls read the batch's rows from it directly);
 * - each Linear+ReLU is one fused matmul with bias and activation; weights are kept transposed,
 *   so wasm's matmul runs on XNNPACK without transposes;
 * - the backward pass is written out by hand (no gradient tape);
 * - loss and its gradient come from one softmax-cross-entropy op, and one op updates every
 *   parameter (on wasm and cpu; on other backends the optimizer runs on one flat buffer);
 * - nothing is read back: losses stay on the device until the caller reads them.
 *
 * The model's variables and the optimizer's state are not updated while the engine trains:
 * {@link FastEngine.pull} writes them back (before evaluating, checkpointing or disposing), and
 * {@link FastEngine.push} reloads them after they were changed outside.
 */
export class FastEngine {
  readonly model: Module
  readonly optimizer: Optimizer<object>
  readonly loader: IndexedLoader
  /** Which fused kernels run: JavaScript loops (wasm, cpu), WebGL programs, or none (tfjs ops). */
  readonly kernels: 'js' | 'webgl' | null
  /**
   * WebGL keeps each layer's bias as one more row of its weight matrix and feeds each layer a
   * constant-1 input column (the resident set stores it with every sample, a hidden layer's output
   * from one more frozen unit `relu(0·x + 1)`, padded with a zero unit to keep sizes even): every
   * layer is one matmul, and the optimizer updates one tensor per layer. Half the draws.
   */
  private readonly augmented: boolean
  /**
   * WebGL keeps a parameter's state buffers side by side in one tensor (two draws per parameter
   * update), unless the optimizer can write them all at once (one draw, separate tensors).
   */
  private readonly stackedState: boolean
  /** The techniques in use. */
  readonly tuning: FastTuning
  private readonly slots: Slot[]
  private readonly params: ParamRef[]
  private readonly data: ResidentData
  private readonly reduction: 'mean' | 'sum'
  /** The tfjs backend the engine was built for. */
  readonly backendName: string
  /** Optimizer state per parameter (JavaScript kernels update it in place). */
  private state: tf.Tensor[][]
  private steps: number[]
  private hasBuffer: boolean[]
  private disposed = false

  private constructor(
    options: FastEngineOptions,
    loader: IndexedLoader,
    blocks: DenseBlock[],
    data: ResidentData,
  ) {
    this.model = options.model
    this.optimizer = options.optimizer
    this.loader = loader
    this.backendName = tf.getBackend()
    this.tuning = { kernels: true, residentData: true, fusedMatMul: true, ...options.tuning }
    let kernels = this.tuning.kernels ? kernelKind(this.backendName) : null
    if (kernels === 'webgl' && !data.texels) kernels = null
    this.kernels = kernels
    this.augmented = kernels === 'webgl'
    this.stackedState =
      kernels === 'webgl' &&
      !webglSeparateState(
        blocks.map(({ linear }): [number, number] => [
          linear.inFeatures + 2,
          linear.outFeatures + 2,
        ]),
      )
    if (this.kernels === 'js') registerFastKernels()
    if (this.kernels === 'webgl') registerWebGLKernels()
    this.reduction =
      (options.criterion as CrossEntropyLoss | undefined)?.reduction === 'sum' ? 'sum' : 'mean'
    this.data = data
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

  /**
   * Whether the WebGL layout fits: every layer has a bias in the same parameter group as its
   * weight (one update rule per augmented matrix), and even sizes (the programs work on texels).
   */
  private static augmentable(blocks: DenseBlock[], optimizer: Optimizer<object>): boolean {
    const group = (p: tf.Variable) => optimizer.paramGroups.findIndex((g) => g.params.includes(p))
    return blocks.every(
      ({ linear }) =>
        linear.bias !== null &&
        group(linear.weight) === group(linear.bias) &&
        linear.outFeatures % 2 === 0,
    )
  }

  /**
   * Whether the fast path can train this setup (model, optimizer, loss, loader), and if not, why.
   * Cheap: runs the model once on a probe batch of 2.
   */
  static check(options: Omit<FastEngineOptions, 'tuning'>): FastSupport {
    const verdict = FastEngine.inspect(options)
    return isUnsupported(verdict) ? { ok: false, reason: verdict.reason } : { ok: true }
  }

  /**
   * Builds the engine: uploads the transformed training set and copies the weights and optimizer
   * state. Throws a `TrainError` (`INVALID_OPTION`) saying why when {@link FastEngine.check} fails.
   */
  static async create(options: FastEngineOptions): Promise<FastEngine> {
    const verdict = FastEngine.inspect(options)
    if (isUnsupported(verdict)) {
      throw new TrainError(
        'INVALID_OPTION',
        `The fast training path cannot train this setup: ${verdict.reason}.`,
        "Use engine: 'reference', which trains any model.",
        { reason: verdict.reason },
      )
    }
    // WebGL's kernels read batches from the resident set in their own layout.
    const texels =
      (options.tuning?.kernels ?? true) &&
      FastEngine.augmentable(verdict.blocks, options.optimizer) &&
      texelsAvailable(
        verdict.blocks.map(({ linear }) => [linear.inFeatures + 2, linear.outFeatures + 2]),
      )
    const data = await makeResident(
      verdict.loader.dataset as never,
      options.tuning?.residentData ?? true,
      texels,
    )
    try {
      return new FastEngine(options, verdict.loader, verdict.blocks, data)
    } catch (error) {
      data.x?.dispose()
      throw error
    }
  }

  private static inspect(
    options: Omit<FastEngineOptions, 'tuning'>,
  ): { loader: IndexedLoader; blocks: DenseBlock[] } | Unsupported {
    const { model, optimizer } = options
    const criterion = options.criterion ?? new CrossEntropyLoss()
    if (!(criterion instanceof CrossEntropyLoss)) {
      return {
        reason: `the loss is ${criterion.constructor.name}; the fast path trains CrossEntropyLoss`,
      }
    }
    if (criterion.weight !== null || criterion.labelSmoothing !== 0) {
      return { reason: 'the CrossEntropyLoss has class weights or label smoothing' }
    }
    if (criterion.reduction !== 'mean' && criterion.reduction !== 'sum') {
      return { reason: `the loss reduction is '${criterion.reduction}'` }
    }
    const name = optimizer.optimizerName
    if (name !== 'Adam' && name !== 'AdamW' && name !== 'SGD') {
      return { reason: `the optimizer is ${name}; the fast path runs Adam, AdamW and SGD` }
    }
    const loader = checkLoader(options.trainLoader)
    if (isUnsupported(loader)) return loader
    const dataset = loader.dataset as {
      length: number
      get(i: number): readonly [unknown, unknown]
    }
    if (dataset.length === 0) return { reason: 'the training set is empty' }
    const [sample] = dataset.get(0)
    const sampleShape = (sample as tf.Tensor).shape
    tf.dispose(sample as tf.Tensor)
    const plan = planDense(model, sampleShape)
    if (isUnsupported(plan)) return { reason: `the model: ${plan.reason}` }
    const modelParams = new Set(plan.blocks.flatMap((b) => [b.linear.weight, b.linear.bias]))
    modelParams.delete(null)
    const optimizerParams = optimizer.params
    if (
      optimizerParams.length !== modelParams.size ||
      !optimizerParams.every((p) => modelParams.has(p))
    ) {
      return { reason: "the optimizer's parameters are not exactly the model's parameters" }
    }
    if (optimizerParams.some((p) => !p.trainable)) return { reason: 'some parameters are frozen' }
    return { loader, blocks: plan.blocks }
  }

  /** Batches per epoch. */
  get length(): number {
    return this.loader.length
  }

  /** One epoch of batch indices, drawn from the loader's generator exactly as the loader would. */
  epochIndices(): Iterable<Int32Array> {
    return this.loader.batchSampler
  }

  /** One training step on the samples `indices`: forward, loss, backward, optimizer update. */
  step(indices: Int32Array): FastStep {
    this.assertLive()
    const rules = this.rules()
    const labels = new Int32Array(indices.length)
    for (let i = 0; i < indices.length; i++) labels[i] = this.data.labels[indices[i]!]!
    const scale = this.reduction === 'mean' ? 1 / indices.length : 1
    const js = this.kernels === 'js'
    const temps: tf.Tensor[] = []
    const keep = <T extends tf.Tensor>(t: T): T => {
      temps.push(t)
      return t
    }
    try {
      // On WebGL the first layer's matmuls read the batch's rows from the resident set itself.
      const x = this.kernels === 'webgl' ? this.data.x! : keep(this.batch(indices))
      // Forward: one (fused) matmul per block; weights are stored transposed, [in, out].
      const acts: tf.Tensor2D[] = [x]
      for (const slot of this.slots) {
        const input = acts[acts.length - 1]!
        const { activation } = slot.block
        let y: tf.Tensor
        if (this.kernels === 'webgl') {
          const rows = input === x ? indices : null
          y = webglMatMul(input, slot.wt, false, false, activation === 'relu', rows)
        } else if (this.tuning.fusedMatMul) {
          const bias = slot.bias ? { bias: slot.bias } : {}
          y = tf.fused.matMul({ a: input, b: slot.wt, ...bias, activation })
        } else {
          y = keep(tf.matMul(input, slot.wt))
          if (slot.bias) y = keep(tf.add(y, slot.bias))
          if (activation === 'relu') y = tf.relu(y)
        }
        acts.push(keep(y as tf.Tensor2D))
      }
      const logits = acts[acts.length - 1]!
      // Loss: the gradient with respect to the logits and the stats [loss, correct].
      let dy: tf.Tensor2D
      let stats: tf.Tensor1D
      if (this.kernels) {
        const inputs: tf.NamedTensorMap = { logits }
        const out = tf.engine().runKernel<tf.Tensor[]>(KERNELS.softmaxCrossEntropy, inputs, {
          labels: labels as unknown as number[],
          scale,
        })
        dy = keep(out[0] as tf.Tensor2D)
        stats = out[1] as tf.Tensor1D
      } else {
        ;[dy, stats] = softmaxCrossEntropyOps(logits, labels, scale)
        keep(dy)
      }
      // Backward, block by block from the last, written out (no gradient tape).
      const grads = new Map<tf.Tensor, tf.Tensor>()
      for (let i = this.slots.length - 1; i >= 0; i--) {
        const slot = this.slots[i]!
        const input = acts[i]!
        if (js) {
          // wasm runs matmuls on XNNPACK only without transposes: materialise them (cheap here).
          grads.set(slot.wt, keep(tf.matMul(keep(tf.transpose(input)), dy)))
        } else if (this.kernels === 'webgl') {
          grads.set(
            slot.wt,
            keep(webglMatMul(input, dy, true, false, false, i === 0 ? indices : null)),
          )
        } else {
          grads.set(slot.wt, keep(tf.matMul(input, dy, true, false)))
        }
        if (slot.bias) {
          grads.set(
            slot.bias,
            // The fused optimizer sums the rows of dy itself (one op fewer per layer).
            this.kernels ? dy : keep(tf.sum(dy, 0)),
          )
        }
        if (i === 0) break
        const relu = this.slots[i - 1]!.block.activation === 'relu'
        // WebGL's matmul applies the ReLU's mask itself (one draw fewer).
        const mask = relu && this.kernels === 'webgl' ? input : null
        const dIn = js
          ? keep(tf.matMul(dy, keep(tf.transpose(slot.wt))))
          : this.kernels === 'webgl'
            ? keep(webglMatMul(dy, slot.wt, false, true, false, null, mask))
            : keep(tf.matMul(dy, slot.wt, false, true))
        if (relu && !mask) {
          dy = this.kernels
            ? keep(tf.engine().runKernel<tf.Tensor2D>(KERNELS.reluGrad, { dy: dIn, y: input }))
            : keep(tf.mul(dIn, keep(tf.step(input))) as tf.Tensor2D)
        } else {
          dy = dIn as tf.Tensor2D
        }
      }
      this.update(rules, grads, keep)
      return { stats, samples: indices.length }
    } finally {
      tf.dispose(temps)
    }
  }

  /** The batch `[B, D]`: gathered from the resident copy, or assembled on the host and uploaded. */
  private batch(indices: Int32Array): tf.Tensor2D {
    const d = this.data.features
    if (this.data.x && this.kernels === 'js') {
      return tf
        .engine()
        .runKernel<tf.Tensor2D>(
          KERNELS.gatherRows,
          { x: this.data.x },
          { indices: indices as unknown as number[] },
        )
    }
    if (this.data.x) {
      const idx = tf.tensor1d(indices, 'int32')
      try {
        return tf.gather(this.data.x, idx)
      } finally {
        idx.dispose()
      }
    }
    const host = this.data.host!
    const out = new Float32Array(indices.length * d)
    for (let r = 0; r < indices.length; r++) {
      const start = indices[r]! * d
      out.set(host.subarray(start, start + d), r * d)
    }
    return tf.tensor2d(out, [indices.length, d])
  }

  /** This step's update rule for every parameter (read each step: lr may change between steps). */
  private rules(): UpdateRule[] {
    const groupOf = new Map<tf.Variable, Record<string, unknown>>()
    for (const group of this.optimizer.paramGroups) {
      for (const p of group.params) groupOf.set(p, group as unknown as Record<string, unknown>)
    }
    const kind = this.optimizer.optimizerName === 'SGD' ? 'sgd' : 'adam'
    return this.params.map((ref, i) => {
      const g = groupOf.get(ref.variable)!
      const betas = (g.betas as [number, number] | undefined) ?? [0.9, 0.999]
      return {
        kind,
        lr: g.lr as number,
        weightDecay: (g.weightDecay as number | undefined) ?? 0,
        maximize: (g.maximize as boolean | undefined) ?? false,
        beta1: betas[0],
        beta2: betas[1],
        eps: (g.eps as number | undefined) ?? 1e-8,
        decoupled: this.optimizer.optimizerName === 'AdamW',
        amsgrad: (g.amsgrad as boolean | undefined) ?? false,
        step: this.steps[i]! + 1,
        momentum: (g.momentum as number | undefined) ?? 0,
        dampening: (g.dampening as number | undefined) ?? 0,
        nesterov: (g.nesterov as boolean | undefined) ?? false,
        hasBuffer: this.hasBuffer[i]!,
      }
    })
  }

  private tensors(): tf.Tensor[] {
    return this.slots.flatMap((s) =>
      s.block.linear.bias && !this.augmented ? [s.wt, s.bias!] : [s.wt],
    )
  }

  private setTensors(values: tf.Tensor[]): void {
    let k = 0
    for (const slot of this.slots) {
      slot.wt = values[k++] as tf.Tensor2D
      if (slot.block.linear.bias && !this.augmented) slot.bias = values[k++] as tf.Tensor1D
    }
  }

  private update(
    rules: UpdateRule[],
    grads: Map<tf.Tensor, tf.Tensor>,
    keep: <T extends tf.Tensor>(t: T) => T,
  ): void {
    const old = this.tensors()
    let next: tf.Tensor[]
    if (this.kernels) {
      const inputs: tf.NamedTensorMap = {}
      old.forEach((p, i) => {
        inputs[`p${i}`] = p
        inputs[`g${i}`] = grads.get(p)!
        this.state[i]!.forEach((s, j) => {
          inputs[`s${i}_${j}`] = s
        })
      })
      // Augmented hidden layers: the constant and padding units (columns >= out) stay as they are.
      const frozenFrom = this.params.map((ref) =>
        ref.kind === 'augmented' && ref.hidden ? ref.variable.shape[0]! : -1,
      )
      const out = tf.engine().runKernel<tf.Tensor[]>(KERNELS.optimizerStep, inputs, {
        rules: rules as unknown as number[],
        frozenFrom,
        separateState: this.kernels === 'webgl' && !this.stackedState,
      })
      next = out.slice(0, old.length)
      if (out.length > old.length) {
        // WebGL returns new state textures (it cannot write in place), in input order.
        let k = old.length
        for (const list of this.state) {
          for (let j = 0; j < list.length; j++) {
            list[j]!.dispose()
            list[j] = out[k++]!
          }
        }
      }
    } else {
      next = updateOps(
        rules,
        old,
        old.map((p) => grads.get(p)!),
        this.state,
        keep,
      )
    }
    for (let i = 0; i < rules.length; i++) {
      this.steps[i]!++
      this.hasBuffer[i] = true
    }
    this.setTensors(next)
    tf.dispose(old)
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
        this.stateNames().forEach((name, j) => {
          this.toModel(ref, parts[j]!).forEach((t, k) => {
            entries[indices[k]!]![name] = tf.keep(t)
          })
        })
      })
    })
    try {
      this.optimizer.loadStateDict({ state: entries, paramGroups: this.groupsWithIndices() })
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
      const names = this.stateNames()
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
    const count = this.stateNames().length
    if (!this.stackedState || count <= 1) return state
    return tf.split(state[0]!, count, 1)
  }

  private ruleShape(): Pick<UpdateRule, 'kind' | 'amsgrad' | 'momentum'> {
    const g = this.optimizer.paramGroups[0] as unknown as Record<string, unknown>
    return {
      kind: this.optimizer.optimizerName === 'SGD' ? 'sgd' : 'adam',
      amsgrad: (g.amsgrad as boolean | undefined) ?? false,
      momentum: (g.momentum as number | undefined) ?? 0,
    }
  }

  private stateNames(): string[] {
    const shape = this.ruleShape()
    const count = stateCount(shape)
    if (shape.kind === 'sgd') return count > 0 ? ['momentumBuffer'] : []
    return ['expAvg', 'expAvgSq', 'maxExpAvgSq'].slice(0, count)
  }

  private groupsWithIndices(): Array<Record<string, unknown> & { params: number[] }> {
    const order = new Map(this.optimizer.params.map((p, i) => [p, i]))
    return this.optimizer.paramGroups.map((group) => {
      const { params, ...options } = group as unknown as { params: tf.Variable[] }
      return { ...options, params: params.map((p) => order.get(p)!) }
    })
  }

  /** Frees the engine's copies (weights, optimizer state, resident data). Call {@link pull} first. */
  dispose(): void {
    if (this.disposed) return
    tf.dispose(this.tensors())
    for (const s of this.state) tf.dispose(s)
    this.data.x?.dispose()
    this.disposed = true
  }

  private assertLive(): void {
    if (this.disposed) {
      throw new TrainError(
        'TRAINER_DISPOSED',
        'This FastEngine has been disposed.',
        'Create a new one with FastEngine.create().',
      )
    }
  }
}

/**
 * `op(a)·op(b)` (optionally ReLU'd) with the WebGL matmul kernel (see webglKernels.ts); with
 * `rows`, `a` is the resident set and the kernel reads those samples from it (webglRows.ts);
 * with `mask`, the product is zeroed where `mask` is not positive (a ReLU's gradient).
 */
function webglMatMul(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  transposeA: boolean,
  transposeB: boolean,
  relu = false,
  rows: Int32Array | null = null,
  mask: tf.Tensor2D | null = null,
): tf.Tensor2D {
  const attrs = { transposeA, transposeB, relu }
  if (mask) return tf.engine().runKernel<tf.Tensor2D>(KERNELS.matMul, { a, b, mask }, attrs)
  if (!rows) return tf.engine().runKernel<tf.Tensor2D>(KERNELS.matMul, { a, b }, attrs)
  return tf
    .engine()
    .runKernel<tf.Tensor2D>(KERNELS.rowsMatMul, { x: a, b }, { ...attrs, indices: rows as never })
}

/** Softmax cross-entropy from logits with tfjs ops (backends without the fused kernel). */
function softmaxCrossEntropyOps(
  logits: tf.Tensor2D,
  labels: Int32Array,
  scale: number,
): [tf.Tensor2D, tf.Tensor1D] {
  const numClasses = logits.shape[1]
  return tf.tidy(() => {
    const y = tf.tensor1d(labels, 'int32')
    // Built on the host: a few hundred bytes, and wasm's OneHot ignores the float32 dtype.
    const hot = new Float32Array(labels.length * numClasses)
    labels.forEach((label, row) => {
      hot[row * numClasses + label] = 1
    })
    const onehot = tf.tensor2d(hot, [labels.length, numClasses])
    const probs = tf.softmax(logits)
    const dy = tf.mul(tf.sub(probs, onehot), tf.scalar(scale)) as tf.Tensor2D
    const lse = tf.logSumExp(logits, 1)
    const picked = tf.sum(tf.mul(logits, onehot), 1)
    const loss = tf.mul(tf.sum(tf.sub(lse, picked)), tf.scalar(scale))
    const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32'))
    return [dy, tf.stack([loss, correct]) as tf.Tensor1D]
  })
}

/** The optimizer update with tfjs ops: one flat buffer when every parameter shares a rule. */
function updateOps(
  rules: UpdateRule[],
  params: tf.Tensor[],
  grads: tf.Tensor[],
  state: tf.Tensor[][],
  keep: <T extends tf.Tensor>(t: T) => T,
): tf.Tensor[] {
  void keep
  return tf.tidy(() => {
    const out: tf.Tensor[] = []
    params.forEach((p, i) => {
      const rule = rules[i]!
      const s = state[i]!
      const [next, newState] = tensorUpdate(rule, p, grads[i]!, s)
      out.push(next)
      newState.forEach((t, j) => {
        tf.keep(t)
        s[j]!.dispose()
        s[j] = t
      })
    })
    return out
  })
}
