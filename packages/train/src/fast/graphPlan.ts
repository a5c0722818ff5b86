// What the graph fast path (GraphEngine) trains: a model read as a small dataflow graph of the
// operations it has kernels for, in the engine's layout (channels last), with ReLUs fused into
// the operation before or after them.
import * as tf from '@tensorflow/tfjs-core'
import {
  AdaptiveAvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  type BatchNormBase,
  Conv2d,
  Flatten,
  GraphModel,
  Identity,
  Linear,
  MaxPool2d,
  type Module,
  ReLU,
} from '@tensorloom/layers'
import type { Unsupported } from './plan'

/** One operation of a {@link GraphPlan}; `inputs` are indices of earlier nodes (0: the batch). */
export type GraphOp =
  | { op: 'input' }
  | { op: 'conv'; layer: Conv2d }
  | { op: 'linear'; layer: Linear }
  | { op: 'relu' }
  | { op: 'maxpool'; kernel: number; stride: number }
  | { op: 'batchnorm'; layer: BatchNormBase<'BatchNorm1d' | 'BatchNorm2d'> }
  | { op: 'add' }
  | { op: 'avgpool' }
  | { op: 'flatten' }

/**
 * A node: its operation, its inputs, its output's shape per sample in the engine's layout —
 * `[H, W, C]` (channels last) or `[F]` — and whether a ReLU is fused into it (applied to its
 * output).
 */
export type GraphNode = GraphOp & { inputs: number[]; shape: number[]; relu: boolean }

/** A model the graph fast path trains: nodes in execution order, the last one the output. */
export interface GraphPlan {
  nodes: GraphNode[]
  /** Every parameter of the model the plan trains (weights, biases, batch-norm scales). */
  params: tf.Variable[]
}

/** One layer or merge call as the model makes it, by value ids (`''`: the model's input). */
interface Call {
  id: string
  module: Module | null
  merge: string | null
  inputs: string[]
}

/**
 * Reads `model` as a graph the fast path can train, or says why not: a `GraphModel` (from a graph
 * document) through its steps, any other module through the calls of one forward pass on a probe
 * batch (then it must be a plain chain of layers). Supported: Conv2d (stride 1), Linear, ReLU,
 * MaxPool2d, BatchNorm1d/2d, AdaptiveAvgPool2d(1), Flatten (of everything but the batch), Identity
 * and the Add merge; a Flatten of an image must feed a Linear.
 */
export function planGraph(model: Module, sampleShape: readonly number[]): GraphPlan | Unsupported {
  const calls = model instanceof GraphModel ? stepCalls(model) : traceChain(model, sampleShape)
  if ('reason' in calls) return calls
  return buildPlan(calls, sampleShape)
}

function stepCalls(model: GraphModel): Call[] | Unsupported {
  const calls = model.steps.map((s) =>
    s.kind === 'layer'
      ? { id: s.id, module: s.module as Module, merge: null, inputs: [...s.inputs] }
      : { id: s.id, module: null, merge: s.type as string, inputs: [...s.inputs] },
  )
  // GraphModel keeps its layout private; its output is the step `forward` returns.
  const output = (model as unknown as { layout: { output: string } }).layout.output
  if (calls.length === 0 || calls[calls.length - 1]!.id !== output) {
    return { reason: 'its output is not its last step' }
  }
  return calls
}

/** The calls of one forward pass, when they form a chain from the input to the output. */
function traceChain(model: Module, sampleShape: readonly number[]): Call[] | Unsupported {
  const leaves = model.modules().filter((m) => m.children().length === 0)
  const seen: Array<{ module: Module; input: tf.Tensor; output: tf.Tensor }> = []
  const handles = leaves.map((leaf) =>
    leaf.registerForwardHook((module, input, output) => {
      seen.push({ module, input, output })
      return undefined
    }),
  )
  // In eval mode: a training-mode batch norm would move its running statistics.
  const modes = model.modules().map((m) => [m, m.training] as const)
  model.eval()
  try {
    tf.engine().startScope()
    try {
      const probe = tf.zeros([2, ...sampleShape])
      const output = model.call(probe)
      const calls: Call[] = []
      let current = probe
      for (const [i, { module, input, output: out }] of seen.entries()) {
        if (input !== current) {
          return {
            reason: 'its forward is not a plain chain of layers (something runs between them)',
          }
        }
        calls.push({ id: String(i), module, merge: null, inputs: [i === 0 ? '' : String(i - 1)] })
        current = out
      }
      if (output !== current) return { reason: 'its output is not the last layer’s output' }
      return calls
    } finally {
      tf.engine().endScope()
    }
  } catch (error) {
    return { reason: `its forward failed on a probe batch (${(error as Error).message})` }
  } finally {
    for (const h of handles) h.remove()
    for (const [m, training] of modes) m.training = training
  }
}

const isBatchNorm = (m: Module): m is BatchNormBase<'BatchNorm1d' | 'BatchNorm2d'> =>
  m instanceof BatchNorm1d || m instanceof BatchNorm2d

/** The engine layout of a per-sample shape as PyTorch has it: `[C, H, W]` -> `[H, W, C]`. */
const channelsLast = (shape: readonly number[]) =>
  shape.length === 3 ? [shape[1]!, shape[2]!, shape[0]!] : [...shape]

function buildPlan(calls: Call[], sampleShape: readonly number[]): GraphPlan | Unsupported {
  if (sampleShape.length !== 1 && sampleShape.length !== 3) {
    return {
      reason: `its samples have shape [${sampleShape}]; the fast path takes [C, H, W] or [F]`,
    }
  }
  const nodes: GraphNode[] = [
    { op: 'input', inputs: [], shape: channelsLast(sampleShape), relu: false },
  ]
  /** PyTorch's per-sample shape of each node's output. */
  const torchShapes: number[][] = [[...sampleShape]]
  const byId = new Map<string, number>([['', 0]])
  const params: tf.Variable[] = []
  const used = new Set<Module>()
  for (const call of calls) {
    const inputs = call.inputs.map((id) => byId.get(id))
    if (inputs.some((i) => i === undefined))
      return { reason: 'a layer reads a value computed later' }
    const ins = inputs as number[]
    const inShape = torchShapes[ins[0]!]!
    if (call.merge !== null) {
      if (call.merge !== 'Add')
        return { reason: `it has a ${call.merge} merge; the fast path adds branches (Add)` }
      const [a, b] = ins as [number, number]
      if (ins.length !== 2 || String(torchShapes[a]) !== String(torchShapes[b])) {
        return { reason: 'an Add merges tensors of different shapes (broadcasting)' }
      }
      byId.set(call.id, push(nodes, torchShapes, { op: 'add' }, ins, inShape))
      continue
    }
    const m = call.module!
    if (used.has(m)) return { reason: 'its forward uses a layer more than once' }
    used.add(m)
    const image = inShape.length === 3
    let op: GraphOp
    if (m instanceof Identity) {
      byId.set(call.id, ins[0]!)
      continue
    } else if (m instanceof Conv2d) {
      if (!image) return { reason: 'a Conv2d sees an input that is not [C, H, W]' }
      if (m.stride !== 1)
        return { reason: 'a Conv2d has stride > 1; the fast path trains stride 1' }
      if (m.padding > m.kernelSize - 1)
        return { reason: 'a Conv2d pads more than its kernel size - 1' }
      op = { op: 'conv', layer: m }
      params.push(m.weight, ...(m.bias ? [m.bias] : []))
    } else if (m instanceof Linear) {
      if (inShape.length !== 1) return { reason: 'a Linear layer sees an input that is not flat' }
      op = { op: 'linear', layer: m }
      params.push(m.weight, ...(m.bias ? [m.bias] : []))
    } else if (m instanceof ReLU) {
      op = { op: 'relu' }
    } else if (m instanceof MaxPool2d) {
      if (!image) return { reason: 'a MaxPool2d sees an input that is not [C, H, W]' }
      op = { op: 'maxpool', kernel: m.kernelSize, stride: m.stride }
    } else if (isBatchNorm(m)) {
      if (image !== m instanceof BatchNorm2d)
        return { reason: 'a batch norm sees an input of another rank' }
      op = { op: 'batchnorm', layer: m }
      if (m.weight) params.push(m.weight)
      if (m.bias) params.push(m.bias)
    } else if (m instanceof AdaptiveAvgPool2d) {
      if (!image || m.outputSize !== 1) {
        return { reason: 'an AdaptiveAvgPool2d pools to more than 1×1; the fast path pools to 1×1' }
      }
      op = { op: 'avgpool' }
    } else if (m instanceof Flatten) {
      const rank = inShape.length + 1
      const start = m.startDim < 0 ? m.startDim + rank : m.startDim
      const end = m.endDim < 0 ? m.endDim + rank : m.endDim
      if (start !== 1 || end !== rank - 1)
        return { reason: 'a Flatten keeps more than the batch dimension' }
      op = { op: 'flatten' }
    } else {
      return {
        reason: `it contains ${m.constructor.name}; the fast path trains Conv2d, Linear, ReLU, MaxPool2d, BatchNorm, AdaptiveAvgPool2d(1), Flatten and Add`,
      }
    }
    let outShape: number[]
    try {
      outShape = m.outputShape([2, ...inShape]).slice(1)
    } catch (error) {
      return { reason: `its layers do not chain (${(error as Error).message})` }
    }
    byId.set(call.id, push(nodes, torchShapes, op, ins, outShape))
  }
  const out = nodes.length - 1
  const last = calls.length > 0 ? byId.get(calls[calls.length - 1]!.id) : 0
  if (last !== out || nodes[out]!.op !== 'linear') {
    return { reason: 'its output is not a Linear layer’s output' }
  }
  const users = consumers(nodes)
  if (users.some((u, i) => i < out && u.length === 0)) {
    return { reason: 'it computes something its output does not use' }
  }
  const verdict = checkFlattens(nodes)
  if (verdict) return verdict
  return { nodes: fuseRelus(nodes), params }
}

function push(
  nodes: GraphNode[],
  torchShapes: number[][],
  op: GraphOp,
  inputs: number[],
  torchShape: number[],
): number {
  nodes.push({ ...op, inputs, shape: channelsLast(torchShape), relu: false })
  torchShapes.push(torchShape)
  return nodes.length - 1
}

/** Consumers of each node. */
export function consumers(nodes: readonly GraphNode[]): number[][] {
  const out = nodes.map((): number[] => [])
  nodes.forEach((n, i) => {
    for (const j of n.inputs) out[j]!.push(i)
  })
  return out
}

/**
 * A flattened image is in the engine's order (h, w, c), not PyTorch's (c, h, w): only a Linear
 * layer may read it (its weight's columns are permuted once to match). A 1×1 image flattens to
 * the same order either way.
 */
function checkFlattens(nodes: GraphNode[]): Unsupported | null {
  const users = consumers(nodes)
  for (const [i, n] of nodes.entries()) {
    if (n.op !== 'flatten') continue
    const src = nodes[n.inputs[0]!]!.shape
    if (src.length !== 3 || (src[0] === 1 && src[1] === 1)) continue
    if (users[i]!.some((j) => nodes[j]!.op !== 'linear')) {
      return { reason: 'a flattened image feeds something other than a Linear layer' }
    }
  }
  return null
}

/**
 * Fuses each ReLU into the operation before it when it is that operation's only reader (XNNPACK
 * applies it to a convolution's or matmul's output for free). Returns the nodes without the fused
 * ReLUs, renumbered.
 */
function fuseRelus(nodes: GraphNode[]): GraphNode[] {
  const users = consumers(nodes)
  const fusable = new Set(['conv', 'linear', 'batchnorm', 'add'])
  /** Where a fused ReLU's readers read from instead. */
  const alias = nodes.map((_, i) => i)
  for (const [i, n] of nodes.entries()) {
    if (n.op !== 'relu') continue
    const src = n.inputs[0]!
    const producer = nodes[src]!
    if (users[src]!.length !== 1 || !fusable.has(producer.op) || producer.relu) continue
    producer.relu = true
    alias[i] = src
  }
  const kept = nodes.filter((_, i) => alias[i] === i)
  const index = new Map(kept.map((n, k) => [n, k]))
  return kept.map((n) => ({ ...n, inputs: n.inputs.map((j) => index.get(nodes[alias[j]!]!)!) }))
}
