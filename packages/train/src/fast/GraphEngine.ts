import * as tf from '@tensorflow/tfjs-core'
import type { Module } from '@tensorloom/layers'
import type { CrossEntropyLoss } from '../CrossEntropyLoss'
import { trainError } from '../errors'
import type { StepEngine, StepSetup } from '../StepEngine'
import { GraphParams } from './GraphParams'
import {
  GRAPH_KERNELS,
  hasArgmaxPool,
  hasDirectConv,
  hasDirectFilterGrad,
  registerGraphKernels,
} from './graphKernels'
import { consumers, type GraphNode, type GraphPlan, planGraph } from './graphPlan'
import { checkParams, inspectSetup, isUnsupported } from './inspect'
import { KERNEL_BACKENDS, KERNELS, registerFastKernels } from './kernels'
import type { Unsupported } from './plan'
import { type IndexedLoader, makeResident } from './residentData'
import type { FastStep, FastSupport } from './types'
import { updateRules } from './updateRules'

/**
 * The fast path for networks — convolutions, pooling, batch norm, residual adds — on the backends
 * whose memory JavaScript can address (wasm, cpu), computing what the reference path computes
 * (PyTorch's update rules, the same batches in the same order) with far fewer and faster kernels:
 *
 * - the training set is transformed once and kept on the device, channels last; a batch is one
 *   gather;
 * - activations stay channels last (`[B, H, W, C]`) from the batch to the classifier: the
 *   parameters are laid out once for it (a Conv2d's weight as `[k, k, Cin, Cout]`, the Linear
 *   after a Flatten with its columns reordered), so no step transposes an activation;
 * - a convolution's forward, its input's gradient (a convolution of the output's gradient with
 *   the flipped filter) and its filter's gradient are WebAssembly kernels on wasm where the output
 *   channels come in eights (wasm/conv.ts, wasm/filterGrad.ts); else XNNPACK's convolution, and
 *   im2col then one matmul for the filter's gradient;
 * - max pooling, batch norm, the residual add and global average pooling are JavaScript kernels
 *   with ReLUs fused in (graphKernels.ts); the loss, its gradient and the optimizer update are the
 *   {@link FastEngine}'s kernels;
 * - the backward pass is written out (no tape); nothing is read back per step.
 *
 * Like the {@link FastEngine}, it trains its own copies of the weights, optimizer state and batch
 * norm statistics: {@link GraphParams.pull} writes them back, {@link GraphParams.push} reloads them.
 */
export class GraphEngine extends GraphParams implements StepEngine<Int32Array, FastStep> {
  readonly kind = 'fast'
  readonly backendName: string
  readonly model: Module
  readonly loader: IndexedLoader
  private readonly nodes: GraphNode[]
  private readonly reduction: 'mean' | 'sum'
  /** The training set, transformed, channels last, `[N, features]`. */
  private readonly data: tf.Tensor2D
  private readonly labels: Int32Array

  private constructor(
    setup: StepSetup,
    loader: IndexedLoader,
    plan: GraphPlan,
    data: tf.Tensor2D,
    labels: Int32Array,
  ) {
    registerFastKernels()
    registerGraphKernels()
    super(setup.optimizer, plan)
    this.backendName = tf.getBackend()
    this.model = setup.model
    this.loader = loader
    this.nodes = plan.nodes
    this.reduction = (setup.criterion as CrossEntropyLoss).reduction === 'sum' ? 'sum' : 'mean'
    this.data = data
    this.labels = labels
  }

  /** Whether this engine can train `setup` on the current backend, and if not, why. */
  static check(setup: StepSetup): FastSupport {
    const verdict = GraphEngine.inspect(setup)
    return isUnsupported(verdict) ? { ok: false, reason: verdict.reason } : { ok: true }
  }

  private static inspect(
    setup: StepSetup,
  ): { loader: IndexedLoader; plan: GraphPlan } | Unsupported {
    if (!KERNEL_BACKENDS.includes(tf.getBackend())) {
      return { reason: `the backend is ${tf.getBackend()}; networks train fast on wasm and cpu` }
    }
    const base = inspectSetup(setup)
    if (isUnsupported(base)) return base
    const plan = planGraph(setup.model, base.sampleShape)
    if (isUnsupported(plan)) return { reason: `the model: ${plan.reason}` }
    const params = checkParams(setup.optimizer, plan.params)
    if (params) return params
    return { loader: base.loader, plan }
  }

  /** Builds the engine: uploads the transformed training set and copies weights and state. */
  static async create(setup: StepSetup): Promise<GraphEngine> {
    const verdict = GraphEngine.inspect(setup)
    if (isUnsupported(verdict)) throw trainError('FAST_UNSUPPORTED', { reason: verdict.reason })
    const resident = await makeResident(verdict.loader.dataset as never, false)
    const host = channelsLastRows(resident.host!, resident.sampleShape)
    const data = tf.tensor2d(host, [resident.labels.length, resident.features], 'float32')
    try {
      return new GraphEngine(setup, verdict.loader, verdict.plan, data, resident.labels)
    } catch (error) {
      data.dispose()
      throw error
    }
  }

  /** One epoch of batch indices, drawn from the loader's generator exactly as the loader would. */
  batches(): Iterator<Int32Array> {
    return this.loader.batchSampler[Symbol.iterator]()
  }

  /** Nothing to free: a batch is its indices. */
  skip(_indices: Int32Array): void {}

  /** The steps' `[loss, correct]` stats as `[losses…, corrects…]`, one tensor to read back. */
  pack(steps: readonly FastStep[]): tf.Tensor {
    return tf.tidy(() => tf.reshape(tf.transpose(tf.stack(steps.map((s) => s.stats))), [-1]))
  }

  release(steps: readonly FastStep[]): void {
    for (const s of steps) s.stats.dispose()
  }

  /** One training step on the samples `indices`: forward, loss, backward, optimizer update. */
  step(indices: Int32Array): FastStep {
    this.assertLive()
    const b = indices.length
    const labels = new Int32Array(b)
    for (let i = 0; i < b; i++) labels[i] = this.labels[indices[i]!]!
    const temps: tf.Tensor[] = []
    const keep = <T extends tf.Tensor>(t: T): T => {
      temps.push(t)
      return t
    }
    const run = (name: string, inputs: tf.NamedTensorMap, attrs: object = {}) =>
      tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[]
    const weight = new Map(this.params.map((p, i) => [p.variable, this.values[i]!]))
    try {
      const x = keep(run(KERNELS.gatherRows, { x: this.data }, { indices }) as tf.Tensor)
      const values: tf.Tensor[] = [keep(tf.reshape(x, [b, ...this.nodes[0]!.shape]))]
      /** Per node, what its backward needs besides its input and output. */
      const saved: Array<tf.Tensor | null> = [null]
      for (const node of this.nodes.slice(1)) {
        const input = values[node.inputs[0]!]!
        let y: tf.Tensor
        let aux: tf.Tensor | null = null
        const activation = node.relu ? 'relu' : 'linear'
        if (node.op === 'conv') {
          const { layer } = node
          const filter = weight.get(layer.weight) as tf.Tensor4D
          const bias = layer.bias ? weight.get(layer.bias)! : null
          if (hasDirectConv(b * node.shape[0]! * node.shape[1]!, filter.shape[3]!)) {
            const inputs: tf.NamedTensorMap = { x: input, w: filter }
            if (bias) inputs.bias = bias
            y = run(GRAPH_KERNELS.conv, inputs, {
              pad: layer.padding,
              relu: node.relu,
            }) as tf.Tensor
          } else {
            y = tf.fused.conv2d({
              x: input as tf.Tensor4D,
              filter,
              strides: 1,
              pad: layer.padding,
              ...(bias ? { bias } : {}),
              activation,
            })
          }
        } else if (node.op === 'linear') {
          const { layer } = node
          y = tf.fused.matMul({
            a: input as tf.Tensor2D,
            b: weight.get(layer.weight) as tf.Tensor2D,
            ...(layer.bias ? { bias: weight.get(layer.bias)! } : {}),
            activation,
          })
        } else if (node.op === 'maxpool') {
          if (hasArgmaxPool(input.shape, node.kernel, node.stride)) {
            const attrs = { kernel: node.kernel }
            ;[y, aux] = run(GRAPH_KERNELS.maxPoolArgmax, { x: input }, attrs) as [
              tf.Tensor,
              tf.Tensor,
            ]
          } else {
            y = tf.maxPool(input as tf.Tensor4D, node.kernel, node.stride, 'valid')
          }
        } else if (node.op === 'batchnorm') {
          const { layer } = node
          const training = layer.training || !layer.runningMean || !layer.runningVar
          const norm = this.norms.get(layer)!
          if (training && layer.runningMean) norm.batches++
          const inputs: tf.NamedTensorMap = { x: input }
          if (layer.weight) inputs.gamma = weight.get(layer.weight)!
          if (layer.bias) inputs.beta = weight.get(layer.bias)!
          const attrs = { eps: layer.eps, relu: node.relu, training, running: this.running(layer) }
          ;[y, aux] = run(GRAPH_KERNELS.batchNorm, inputs, attrs) as [tf.Tensor, tf.Tensor]
        } else if (node.op === 'add') {
          y = tf.add(input, values[node.inputs[1]!]!)
          if (node.relu) y = tf.relu(keep(y))
        } else if (node.op === 'avgpool') {
          const pooled = keep(run(GRAPH_KERNELS.meanPool, { x: input }) as tf.Tensor)
          y = tf.reshape(pooled, [b, ...node.shape])
        } else if (node.op === 'flatten') {
          y = tf.reshape(input, [b, ...node.shape])
        } else {
          y = tf.relu(input)
        }
        if (y === input) y = tf.clone(y)
        values.push(keep(y))
        saved.push(aux && keep(aux))
      }
      const logits = values[values.length - 1]!
      const scale = this.reduction === 'mean' ? 1 / b : 1
      const [dLogits, stats] = run(KERNELS.softmaxCrossEntropy, { logits }, { labels, scale }) as [
        tf.Tensor,
        tf.Tensor1D,
      ]
      const grads = this.backward(values, saved, keep(dLogits), weight, keep)
      this.update(grads, keep)
      return { stats, samples: b }
    } finally {
      tf.dispose(temps)
    }
  }

  /** The gradient of every parameter, node by node from the output (no tape). */
  private backward(
    values: tf.Tensor[],
    saved: Array<tf.Tensor | null>,
    dLogits: tf.Tensor,
    weight: Map<tf.Variable, tf.Tensor>,
    keep: <T extends tf.Tensor>(t: T) => T,
  ): Map<tf.Variable, tf.Tensor> {
    const run = (name: string, inputs: tf.NamedTensorMap, attrs: object = {}) =>
      tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[]
    const nodes = this.nodes
    const readers = consumers(nodes)
    const grads = new Map<tf.Variable, tf.Tensor>()
    const dValues: Array<tf.Tensor | null> = nodes.map(() => null)
    dValues[nodes.length - 1] = dLogits
    /** Nodes whose fused ReLU's mask a max pool's backward applied already. */
    const masked = new Set<number>()
    /** Adds `g` to the gradient of node `i`'s output (a value read twice gets two). */
    const flow = (i: number, g: tf.Tensor) => {
      if (i === 0) return
      const prev = dValues[i]
      dValues[i] = prev ? keep(tf.add(prev, g)) : g
    }
    for (let i = nodes.length - 1; i > 0; i--) {
      const node = nodes[i]!
      let g = dValues[i]
      if (!g) continue
      const src = node.inputs[0]!
      const input = values[src]!
      const y = values[i]!
      if (node.relu && !masked.has(i) && node.op !== 'batchnorm') {
        g = keep(tf.mul(g, keep(tf.step(y))))
      }
      if (node.op === 'conv') {
        const { layer } = node
        const co = y.shape[3]!
        const k = layer.kernelSize
        const bias = layer.bias !== null
        const rows = k * k * input.shape[3]!
        let dW: tf.Tensor
        if (hasDirectFilterGrad(k, input.shape[3]!, co)) {
          // Computed directly, no im2col and nothing packed ([rows + 1, co], the bias's last).
          const attrs = { kernel: k, pad: layer.padding }
          dW = keep(run(GRAPH_KERNELS.filterGrad, { x: input, dy: g }, attrs) as tf.Tensor)
        } else {
          // With a bias, the last row of ones in `cols` makes the matmul sum dy into its gradient.
          const attrs = { kernel: k, pad: layer.padding, ones: bias }
          const cols = keep(run(GRAPH_KERNELS.im2colT, { x: input }, attrs) as tf.Tensor2D)
          dW = keep(tf.matMul(cols, keep(tf.reshape(g, [-1, co]) as tf.Tensor2D)))
        }
        grads.set(layer.weight, dW.shape[0] === rows ? dW : keep(tf.slice(dW, [0, 0], [rows, co])))
        if (bias) grads.set(layer.bias!, keep(tf.slice(dW, [rows, 0], [1, co])))
        if (src !== 0) {
          const w = weight.get(layer.weight)!
          const flipped = keep(run(GRAPH_KERNELS.flipFilter, { w }) as tf.Tensor4D)
          const pad = k - 1 - layer.padding
          const [n, h, wd, ci] = input.shape as [number, number, number, number]
          const dx = hasDirectConv(n * h * wd, ci)
            ? (run(GRAPH_KERNELS.conv, { x: g, w: flipped }, { pad, relu: false }) as tf.Tensor)
            : tf.conv2d(g as tf.Tensor4D, flipped, 1, pad)
          flow(src, keep(dx))
        }
      } else if (node.op === 'linear') {
        const { layer } = node
        const wt = weight.get(layer.weight)!
        // wasm runs matmuls on XNNPACK only without transposes: materialise them (small here).
        grads.set(layer.weight, keep(tf.matMul(keep(tf.transpose(input)), g as tf.Tensor2D)))
        // The bias's gradient: the optimizer kernel sums dy's rows itself.
        if (layer.bias) grads.set(layer.bias, g)
        if (src !== 0) flow(src, keep(tf.matMul(g as tf.Tensor2D, keep(tf.transpose(wt)))))
      } else if (node.op === 'maxpool') {
        // A pool of a fused ReLU's output (read by nothing else) applies the ReLU's mask itself.
        const relu = nodes[src]!.relu && readers[src]!.length === 1
        if (relu) masked.add(src)
        const idx = saved[i]
        // With the forward's argmax, the input is not read again.
        const dx = idx
          ? run(
              GRAPH_KERNELS.maxPoolArgmaxGrad,
              { dy: g, y, idx },
              {
                kernel: node.kernel,
                relu,
                inShape: input.shape,
              },
            )
          : run(
              GRAPH_KERNELS.maxPoolGrad,
              { dy: g, x: input, y },
              {
                kernel: node.kernel,
                stride: node.stride,
                relu,
              },
            )
        flow(src, keep(dx as tf.Tensor))
      } else if (node.op === 'batchnorm') {
        const { layer } = node
        const inputs: tf.NamedTensorMap = { dy: g, x: input, stats: saved[i]! }
        if (layer.weight) inputs.gamma = weight.get(layer.weight)!
        if (layer.bias) inputs.beta = weight.get(layer.bias)!
        const training = layer.training || !layer.runningMean || !layer.runningVar
        const relu = node.relu && !masked.has(i)
        const out = run(GRAPH_KERNELS.batchNormGrad, inputs, { relu, training }) as tf.Tensor[]
        for (const t of out) keep(t)
        if (layer.weight) grads.set(layer.weight, out[1]!)
        if (layer.bias) grads.set(layer.bias, out[2]!)
        flow(src, out[0]!)
      } else if (node.op === 'add') {
        flow(src, g)
        flow(node.inputs[1]!, g)
      } else if (node.op === 'avgpool') {
        const flat = keep(tf.reshape(g, [g.shape[0]!, -1]))
        const attrs = { inShape: input.shape }
        flow(src, keep(run(GRAPH_KERNELS.meanPoolGrad, { dy: flat }, attrs) as tf.Tensor))
      } else if (node.op === 'flatten') {
        flow(src, keep(tf.reshape(g, input.shape)))
      } else if (node.op === 'relu') {
        flow(src, keep(tf.mul(g, keep(tf.step(y)))))
      }
    }
    return grads
  }

  /** One optimizer kernel over every parameter: new parameter tensors, state updated in place. */
  private update(grads: Map<tf.Variable, tf.Tensor>, keep: <T extends tf.Tensor>(t: T) => T): void {
    const variables = this.params.map((p) => p.variable)
    const rules = updateRules(this.optimizer, variables, this.steps, this.hasBuffer)
    const inputs: tf.NamedTensorMap = {}
    this.values.forEach((p, i) => {
      inputs[`p${i}`] = p
      // A parameter the output does not depend on gets a zero gradient, as on the tape.
      inputs[`g${i}`] = grads.get(variables[i]!) ?? keep(tf.zerosLike(p))
      this.state[i]!.forEach((s, j) => {
        inputs[`s${i}_${j}`] = s
      })
    })
    const next = tf.engine().runKernel<tf.Tensor[]>(KERNELS.optimizerStep, inputs, {
      rules: rules as unknown as number[],
      frozenFrom: rules.map(() => -1),
      separateState: false,
    })
    for (let i = 0; i < rules.length; i++) {
      this.steps[i]!++
      this.hasBuffer[i] = true
    }
    tf.dispose(this.values)
    this.values = next
  }

  /** Frees the engine's copies (weights, optimizer state, resident data). Call {@link pull} first. */
  dispose(): void {
    if (this.disposed) return
    tf.dispose(this.values)
    for (const s of this.state) tf.dispose(s)
    this.data.dispose()
    this.disposed = true
  }
}

/** Rows of `[C, H, W]` samples reordered to `[H, W, C]` (a copy; as is for one channel or flat rows). */
function channelsLastRows(host: Float32Array, sampleShape: number[]): Float32Array {
  if (sampleShape.length !== 3 || sampleShape[0] === 1) return host
  const [c, h, w] = sampleShape as [number, number, number]
  const d = c * h * w
  const out = new Float32Array(host.length)
  for (let start = 0; start < host.length; start += d) {
    for (let ch = 0; ch < c; ch++) {
      for (let p = 0; p < h * w; p++) out[start + p * c + ch] = host[start + ch * h * w + p]!
    }
  }
  return out
}
