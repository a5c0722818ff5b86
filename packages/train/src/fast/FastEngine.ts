import * as tf from '@tensorflow/tfjs-core'
import type { Module } from '@tensorloom/layers'
import type { CrossEntropyLoss } from '../CrossEntropyLoss'
import { trainError } from '../errors'
import type { StepEngine } from '../StepEngine'
import { EngineParams } from './EngineParams'
import { augmentable, inspect, isUnsupported } from './inspect'
import { KERNELS, kernelKind, registerFastKernels, type UpdateRule } from './kernels'
import type { DenseBlock } from './plan'
import { type IndexedLoader, makeResident, type ResidentData } from './residentData'
import { softmaxCrossEntropyOps, updateOps } from './tfjsOps'
import type { FastEngineOptions, FastStep, FastSupport, FastTuning } from './types'
import { updateRules } from './updateRules'
import { registerWebGLKernels, webglSeparateState } from './webglKernels'
import { texelsAvailable } from './webglRows'

export type { FastEngineOptions, FastStep, FastSupport, FastTuning } from './types'

/**
 * The fast training path for the lesson's kind of model — a chain of Linear (+ReLU) layers on a
 * flattened MNIST-like dataset, with CrossEntropyLoss and Adam, AdamW or SGD — computing exactly
 * what the reference path computes (PyTorch's update rules, the same batches in the same order),
 * in a fraction of the ops:
 *
 * - the training set is transformed once and stays on the device as one matrix; a batch is one
 *   gather there;
 * - each Linear+ReLU is one fused matmul with bias and activation; weights are kept transposed,
 *   so wasm's matmul runs on XNNPACK without transposes;
 * - the backward pass is written out by hand (no gradient tape);
 * - loss and its gradient come from one softmax-cross-entropy op, and one op updates every
 *   parameter (on wasm and cpu; on other backends the optimizer runs on one flat buffer);
 * - nothing is read back: losses stay on the device until the caller reads them.
 *
 * The model's variables and the optimizer's state are not updated while the engine trains:
 * {@link FastEngine.pull} writes them back (before evaluating, checkpointing or disposing), and
 * {@link FastEngine.push} reloads them after they were changed outside. A `Trainer` drives it
 * through its {@link StepEngine} methods.
 */
export class FastEngine extends EngineParams implements StepEngine<Int32Array, FastStep> {
  readonly kind = 'fast'
  readonly model: Module
  readonly loader: IndexedLoader
  /** The techniques in use. */
  readonly tuning: FastTuning
  private readonly data: ResidentData
  private readonly reduction: 'mean' | 'sum'
  /** The tfjs backend the engine was built for. */
  readonly backendName: string

  private constructor(
    options: FastEngineOptions,
    loader: IndexedLoader,
    blocks: DenseBlock[],
    data: ResidentData,
  ) {
    const backendName = tf.getBackend()
    const tuning = { kernels: true, residentData: true, fusedMatMul: true, ...options.tuning }
    let kernels = tuning.kernels ? kernelKind(backendName) : null
    if (kernels === 'webgl' && !data.texels) kernels = null
    const stackedState =
      kernels === 'webgl' &&
      !webglSeparateState(
        blocks.map(({ linear }): [number, number] => [
          linear.inFeatures + 2,
          linear.outFeatures + 2,
        ]),
      )
    if (kernels === 'js') registerFastKernels()
    if (kernels === 'webgl') registerWebGLKernels()
    super(options.optimizer, blocks, kernels, stackedState)
    this.model = options.model
    this.loader = loader
    this.backendName = backendName
    this.tuning = tuning
    this.reduction =
      (options.criterion as CrossEntropyLoss | undefined)?.reduction === 'sum' ? 'sum' : 'mean'
    this.data = data
  }

  /**
   * Whether the fast path can train this setup (model, optimizer, loss, loader), and if not, why.
   * Cheap: runs the model once on a probe batch of 2.
   */
  static check(options: Omit<FastEngineOptions, 'tuning'>): FastSupport {
    const verdict = inspect(options)
    return isUnsupported(verdict) ? { ok: false, reason: verdict.reason } : { ok: true }
  }

  /**
   * Builds the engine: uploads the transformed training set and copies the weights and optimizer
   * state. Throws a `TrainError` (`INVALID_OPTION`) saying why when {@link FastEngine.check} fails.
   */
  static async create(options: FastEngineOptions): Promise<FastEngine> {
    const verdict = inspect(options)
    if (isUnsupported(verdict)) {
      throw trainError('FAST_UNSUPPORTED', { reason: verdict.reason })
    }
    // WebGL's kernels read batches from the resident set in their own layout.
    const texels =
      (options.tuning?.kernels ?? true) &&
      augmentable(verdict.blocks, options.optimizer) &&
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

  /** Batches per epoch. */
  get length(): number {
    return this.loader.length
  }

  /** One epoch of batch indices, drawn from the loader's generator exactly as the loader would. */
  epochIndices(): Iterable<Int32Array> {
    return this.loader.batchSampler
  }

  /** {@link epochIndices} as an iterator (see {@link StepEngine.batches}). */
  batches(): Iterator<Int32Array> {
    return this.loader.batchSampler[Symbol.iterator]()
  }

  /** Nothing to free: a batch is its indices. */
  skip(_indices: Int32Array): void {}

  /** The steps' `[loss, correct]` stats as `[losses…, corrects…]`, one tensor to read back. */
  pack(steps: readonly FastStep[]): tf.Tensor {
    return tf.tidy(() => tf.reshape(tf.transpose(tf.stack(steps.map((s) => s.stats))), [-1]))
  }

  /** Frees the steps' stats. */
  release(steps: readonly FastStep[]): void {
    for (const s of steps) s.stats.dispose()
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
      // A hidden augmented layer's units from `out` on are its constant unit and a zero one.
      const frozen = (i: number) =>
        this.augmented && i < this.slots.length - 1 ? this.slots[i]!.block.linear.outFeatures : -1
      for (const slot of this.slots) {
        const input = acts[acts.length - 1]!
        const { activation } = slot.block
        let y: tf.Tensor
        if (this.kernels === 'webgl') {
          const rows = input === x ? indices : null
          y = webglMatMul(
            input,
            slot.wt,
            false,
            false,
            activation === 'relu',
            rows,
            null,
            rows ? frozen(0) : -1,
          )
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
            keep(
              webglMatMul(input, dy, true, false, false, i === 0 ? indices : null, null, frozen(i)),
            ),
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
    const variables = this.params.map((ref) => ref.variable)
    return updateRules(this.optimizer, variables, this.steps, this.hasBuffer)
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

  /** Frees the engine's copies (weights, optimizer state, resident data). Call {@link pull} first. */
  dispose(): void {
    if (this.disposed) return
    tf.dispose(this.tensors())
    for (const s of this.state) tf.dispose(s)
    this.data.x?.dispose()
    this.disposed = true
  }
}

/**
 * `op(a)·op(b)` (optionally ReLU'd) with the WebGL matmul kernel (see webglKernels.ts); with
 * `rows`, `a` is the resident set and the kernel reads those samples from it (webglRows.ts);
 * with `mask`, the product is zeroed where `mask` is not positive (a ReLU's gradient); with
 * `frozenFrom`, see `rowsMatMul`.
 */
function webglMatMul(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  transposeA: boolean,
  transposeB: boolean,
  relu = false,
  rows: Int32Array | null = null,
  mask: tf.Tensor2D | null = null,
  frozenFrom = -1,
): tf.Tensor2D {
  const attrs = { transposeA, transposeB, relu }
  if (mask) return tf.engine().runKernel<tf.Tensor2D>(KERNELS.matMul, { a, b, mask }, attrs)
  if (!rows) return tf.engine().runKernel<tf.Tensor2D>(KERNELS.matMul, { a, b }, attrs)
  return tf
    .engine()
    .runKernel<tf.Tensor2D>(
      KERNELS.rowsMatMul,
      { x: a, b },
      { ...attrs, indices: rows as never, frozenFrom },
    )
}
