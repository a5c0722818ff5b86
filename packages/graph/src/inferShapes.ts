import { type ErrorCode, type ErrorValues, makeIssue } from './errors.js'
import { formatShape } from './formatShape.js'
import type { Fix, LayerParams, LayerType, ShapeIssue } from './layerTypes.js'
import { isDatasetType, isLossType } from './modelChain.js'
import { isLayerType, layerParamCount, shapeRules } from './shapeRules.js'
import {
  expectedValue,
  isNodeType,
  isValidValue,
  nodeSpecs,
  nodeTypes,
  paramIssue,
  paramSpec,
} from './specs.js'
import { trainingSpecs } from './training.js'
import type {
  GraphDocument,
  GraphEdge,
  GraphNode,
  NodeIssue,
  NodeType,
  ShapeInference,
} from './types.js'

/** Classes of the datasets (MNIST and FashionMNIST both have 10). */
const NUM_CLASSES = 10
const DATASET_SAMPLE_SHAPE = [1, 28, 28]
/** Mean and std of each dataset's training images, for the Normalize fix. */
const DATASET_STATS = {
  MNIST: { mean: 0.1307, std: 0.3081 },
  FashionMNIST: { mean: 0.286, std: 0.353 },
} as const

/** What flows out of a node: per-image data before the DataLoader, batches after it. */
type Value = {
  /** 'image': a PIL image; 'tensor': a per-image tensor; 'batch': a batch tensor. */
  stage: 'image' | 'tensor' | 'batch'
  shape: number[]
  dataset: 'MNIST' | 'FashionMNIST'
  normalized: boolean
  afterLayer: boolean
  /** The DataLoader's batch size once batched, else 0. */
  batch: number
}

type Info = {
  node: GraphNode
  index: number
  type: NodeType | null
  params: Record<string, unknown>
  ins: number[]
  outs: number[]
  /** The node whose output is this node's input, -1 for none. */
  from: number
  input: Value | null
  output: Value | null
  paramCount: number
}

const REMOVE: Fix = { kind: 'removeNode', label: 'Remove this node' }

/** The fix that inserts a `type` node before this one. */
const insertBefore = (type: NodeType, params: Record<string, unknown> = {}): Fix => ({
  kind: 'insertBefore',
  type,
  params,
  label: `Insert ${type} before this node`,
})

/** The fix that sets `param` to `value`, on `nodeId` or (without it) on this node. */
const setParam = (param: string, value: unknown, label: string, nodeId?: string): Fix => ({
  kind: 'setParam',
  ...(nodeId === undefined ? {} : { nodeId }),
  param,
  value,
  label,
})

/** The fix that gives the last Linear one output per class, when there is one. */
const outputPerClass = (linear: Info | null): Fix | undefined =>
  linear
    ? setParam(
        'outFeatures',
        NUM_CLASSES,
        `Set out_features = ${NUM_CLASSES} on the last Linear`,
        linear.node.id,
      )
    : undefined

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

class Report {
  readonly errors: NodeIssue[] = []
  readonly warnings: NodeIssue[] = []

  add(nodeId: string, severity: 'error' | 'warning', issue: ShapeIssue): void {
    const out: NodeIssue = { nodeId, severity, code: issue.code, message: issue.message }
    if (issue.fix) out.fix = issue.fix
    if (issue.values) out.values = issue.values
    ;(severity === 'error' ? this.errors : this.warnings).push(out)
  }

  error<C extends ErrorCode>(nodeId: string, code: C, values: ErrorValues<C>, fix?: Fix): void {
    this.add(nodeId, 'error', makeIssue(code, values, fix))
  }

  warn<C extends ErrorCode>(nodeId: string, code: C, values: ErrorValues<C>, fix?: Fix): void {
    this.add(nodeId, 'warning', makeIssue(code, values, fix))
  }
}

/**
 * Infers the tensor shape on every edge, the parameters of every node, and every error and
 * warning, with PyTorch's wording and a structured fix where there is one. The batch dimension
 * shows the DataLoader's batch size: `(64, 1, 28, 28)` -> Flatten -> `(64, 784)`.
 *
 * Never throws, whatever the document holds: problems become issues. Graph-wide issues (no data
 * source, no loss, invalid training settings) have `nodeId: ''`. Errors come first, then warnings.
 */
export function inferShapes(doc: GraphDocument): ShapeInference {
  try {
    return infer(doc)
  } catch (e) {
    return {
      edges: {},
      nodes: {},
      issues: [
        {
          nodeId: '',
          severity: 'error',
          ...makeIssue('INTERNAL_ERROR', { message: e instanceof Error ? e.message : String(e) }),
        },
      ],
      totalParams: 0,
      batchSize: null,
    }
  }
}

function infer(doc: GraphDocument): ShapeInference {
  const report = new Report()
  const rawNodes: unknown[] = isObject(doc) && Array.isArray(doc.nodes) ? doc.nodes : []
  const rawEdges: unknown[] = isObject(doc) && Array.isArray(doc.edges) ? doc.edges : []

  // Nodes
  const infos: Info[] = []
  const byId = new Map<string, number>()
  // Index loops: arrays from untyped callers may have lost their iterator (a replaced prototype).
  for (let r = 0; r < rawNodes.length; r++) {
    const raw = rawNodes[r]
    if (!isObject(raw) || typeof raw.id !== 'string') continue
    const node = raw as unknown as GraphNode
    if (byId.has(node.id)) {
      report.error(node.id, 'DUPLICATE_NODE_ID', { id: node.id })
      continue
    }
    const type = isNodeType(node.type) ? node.type : null
    if (!type)
      report.error(node.id, 'UNKNOWN_NODE_TYPE', { type: node.type, known: nodeTypes }, REMOVE)
    const given = isObject(node.params) ? node.params : {}
    const params: Record<string, unknown> = type ? { ...nodeSpecs[type].defaults } : {}
    if (type) {
      for (const spec of nodeSpecs[type].params) {
        if (Object.hasOwn(given, spec.name)) params[spec.name] = given[spec.name]
      }
    }
    byId.set(node.id, infos.length)
    infos.push({
      node,
      index: infos.length,
      type,
      params,
      ins: [],
      outs: [],
      from: -1,
      input: null,
      output: null,
      paramCount: 0,
    })
  }

  // Edges
  const edges: GraphEdge[] = []
  for (let r = 0; r < rawEdges.length; r++) {
    const raw = rawEdges[r]
    if (!isObject(raw)) continue
    const edge = raw as unknown as GraphEdge
    const s = byId.get(edge.source)
    const t = byId.get(edge.target)
    if (s === undefined || t === undefined) {
      const edgeId = String(edge.id)
      const existing = s !== undefined ? edge.source : t !== undefined ? edge.target : ''
      const missing = s === undefined ? String(edge.source) : String(edge.target)
      report.error(existing, 'EDGE_TO_MISSING_NODE', { edgeId, missing })
      continue
    }
    infos[s]!.outs.push(t)
    infos[t]!.ins.push(s)
    edges.push(edge)
  }

  // Structure
  const datasets: Info[] = []
  let lossCount = 0
  for (const info of infos) {
    const { node, type } = info
    if (!type) continue
    const name = type
    if (isDatasetType(type)) {
      datasets.push(info)
      if (info.ins.length > 0) report.error(node.id, 'DATASET_HAS_INPUT', { type: name })
    } else if (info.ins.length > 1) {
      const sources = info.ins.map((i) => infos[i]!.node.id)
      report.error(node.id, 'MULTIPLE_INPUTS', { type: name, sources })
    }
    if (isLossType(type)) {
      lossCount++
      if (info.outs.length > 0) report.error(node.id, 'LOSS_NOT_LAST', { type: name })
    } else if (info.outs.length > 1) {
      const targets = info.outs.map((i) => infos[i]!.node.id)
      report.error(node.id, 'MULTIPLE_OUTPUTS', { type: name, targets })
    }
    if (info.ins.length === 0 && info.outs.length === 0 && infos.length > 1) {
      report.error(node.id, 'DISCONNECTED_NODE', { type: name, id: node.id }, REMOVE)
    } else if (info.ins.length === 0 && !isDatasetType(type)) {
      report.error(node.id, 'NO_INPUT', { type: name })
    }
  }
  if (datasets.length === 0) report.error('', 'NO_DATA_SOURCE', {})
  if (datasets.length > 1) {
    const ids = datasets.map((d) => d.node.id)
    for (const extra of datasets.slice(1)) {
      report.error(extra.node.id, 'MULTIPLE_DATA_SOURCES', { ids }, REMOVE)
    }
  }
  if (lossCount === 0) report.error('', 'NO_LOSS', {})

  // Order (Kahn); what is left over sits on or behind a cycle.
  const order = topologicalOrder(infos)
  if (order.length < infos.length) reportCycles(infos, order, report)

  // Shapes
  let batchSize: number | null = null
  for (const index of order) {
    const info = infos[index]!
    // With several inputs (already an error) the first known one keeps checking going.
    const known = info.ins.find((i) => infos[i]!.output !== null) ?? info.ins[0]
    info.from = known ?? -1
    info.input = known === undefined ? null : infos[known]!.output
    step(info, infos, report)
    if (batchSize === null && info.type === 'DataLoader' && info.output) {
      batchSize = info.output.shape[0] ?? null
    }
  }
  // Parameter problems of nodes that shape propagation never reached (cycles).
  const reached = new Set(order)
  for (const info of infos) {
    if (!reached.has(info.index)) checkParams(info, report)
  }

  // Training settings
  const training: Record<string, unknown> =
    isObject(doc) && isObject(doc.training) ? doc.training : {}
  for (const spec of trainingSpecs) {
    const value = training[spec.name]
    if (!isValidValue(spec, value)) {
      report.error('', 'INVALID_TRAINING_SETTING', {
        setting: spec.name,
        value,
        expected: expectedValue(spec),
      })
    }
  }

  // Result
  const nodes: ShapeInference['nodes'] = {}
  let totalParams = 0
  for (const info of infos) {
    totalParams += info.paramCount
    nodes[info.node.id] = {
      inputShape: info.input ? info.input.shape : null,
      outputShape: info.output ? info.output.shape : null,
      paramCount: info.paramCount,
    }
  }
  const edgeShapes: ShapeInference['edges'] = {}
  for (const edge of edges) {
    const out = infos[byId.get(edge.source)!]!.output
    edgeShapes[edge.id] = out
      ? { shape: out.shape, label: formatShape(out.shape) }
      : { shape: null, label: '?' }
  }
  const position = (issue: NodeIssue) => (issue.nodeId === '' ? -1 : (byId.get(issue.nodeId) ?? -1))
  const byPosition = (a: NodeIssue, b: NodeIssue) => position(a) - position(b)
  return {
    edges: edgeShapes,
    nodes,
    issues: [...report.errors.sort(byPosition), ...report.warnings.sort(byPosition)],
    totalParams,
    batchSize,
  }
}

function topologicalOrder(infos: readonly Info[]): number[] {
  const indegree = infos.map((info) => info.ins.length)
  const queue: number[] = []
  for (let i = 0; i < infos.length; i++) if (indegree[i] === 0) queue.push(i)
  for (let head = 0; head < queue.length; head++) {
    for (const next of infos[queue[head]!]!.outs) {
      if (--indegree[next]! === 0) queue.push(next)
    }
  }
  return queue
}

/** Reports each cycle (strongly connected component) among the nodes Kahn's walk left over. */
function reportCycles(infos: readonly Info[], order: readonly number[], report: Report): void {
  const left = new Set(infos.map((i) => i.index))
  for (const i of order) left.delete(i)
  // Iterative Tarjan over the leftover nodes.
  const indexOf = new Map<number, number>()
  const low = new Map<number, number>()
  const onStack = new Set<number>()
  const stack: number[] = []
  let counter = 0
  for (const root of left) {
    if (indexOf.has(root)) continue
    const work: { v: number; i: number }[] = [{ v: root, i: 0 }]
    indexOf.set(root, counter)
    low.set(root, counter++)
    stack.push(root)
    onStack.add(root)
    while (work.length > 0) {
      const frame = work[work.length - 1]!
      const outs = infos[frame.v]!.outs
      if (frame.i < outs.length) {
        const w = outs[frame.i++]!
        if (!left.has(w)) continue
        if (!indexOf.has(w)) {
          indexOf.set(w, counter)
          low.set(w, counter++)
          stack.push(w)
          onStack.add(w)
          work.push({ v: w, i: 0 })
        } else if (onStack.has(w)) {
          low.set(frame.v, Math.min(low.get(frame.v)!, indexOf.get(w)!))
        }
        continue
      }
      work.pop()
      const parent = work[work.length - 1]
      if (parent) low.set(parent.v, Math.min(low.get(parent.v)!, low.get(frame.v)!))
      if (low.get(frame.v) === indexOf.get(frame.v)) {
        const component: number[] = []
        let w: number
        do {
          w = stack.pop()!
          onStack.delete(w)
          component.push(w)
        } while (w !== frame.v)
        const members = new Set(component)
        const selfLoop = component.length === 1 && infos[w]!.outs.includes(w)
        if (component.length > 1 || selfLoop) {
          const path = cyclePath(infos, Math.min(...component), members)
          for (const v of component.sort((a, b) => a - b)) {
            report.error(infos[v]!.node.id, 'CYCLE', { path })
          }
        }
      }
    }
  }
}

/** Follows connections inside a component from `start` until it returns, naming the loop. */
function cyclePath(infos: readonly Info[], start: number, members: ReadonlySet<number>): string[] {
  const seen = new Map<number, number>()
  const path: number[] = []
  let v = start
  while (!seen.has(v)) {
    seen.set(v, path.length)
    path.push(v)
    v = infos[v]!.outs.find((w) => members.has(w))!
  }
  return [...path.slice(seen.get(v)), v].map((i) => infos[i]!.node.id)
}

/** Reports invalid parameters of a node; true when all are valid. */
function checkParams(info: Info, report: Report): boolean {
  const { type, params, node } = info
  if (!type) return false
  let valid = true
  for (const spec of nodeSpecs[type].params) {
    const value = params[spec.name]
    if (isValidValue(spec, value)) continue
    valid = false
    const issue = paramIssue(type, spec.name, value)!
    const better = fixFromInput(info, spec.name)
    if (better !== undefined) {
      issue.fix = setParam(
        spec.name,
        better,
        `Set ${paramSpec(type, spec.name)!.label} = ${better}`,
      )
    }
    report.add(node.id, 'error', issue)
  }
  return valid
}

/** For size parameters, the value the input shape calls for (a better fix than the default). */
function fixFromInput(info: Info, param: string): number | undefined {
  const shape = info.input?.stage === 'batch' ? info.input.shape : undefined
  if (!shape) return undefined
  const rank = shape.length
  if (info.type === 'Linear' && param === 'inFeatures' && rank >= 1) return shape[rank - 1]
  if (info.type === 'Conv2d' && param === 'inChannels' && rank >= 3) return shape[rank - 3]
  if (info.type === 'BatchNorm1d' && param === 'numFeatures' && rank >= 2) return shape[1]
  return undefined
}

/** Computes one node's output from its input and reports what is wrong. */
function step(info: Info, infos: readonly Info[], report: Report): void {
  const { type, node, input } = info
  if (!type) return
  const id = node.id
  const paramsValid = checkParams(info, report)
  if (paramsValid && isLayerType(type)) {
    info.paramCount = layerParamCount(type, info.params as LayerParams[LayerType])
  }

  if (isDatasetType(type)) {
    if (info.params.train === false) {
      report.warn(id, 'TRAINING_ON_TEST_SET', { type }, setParam('train', true, 'Set train = True'))
    }
    info.output = {
      stage: 'image',
      shape: [...DATASET_SAMPLE_SHAPE],
      dataset: type,
      normalized: false,
      afterLayer: false,
      batch: 0,
    }
    return
  }
  if (!input) return
  const upstream = infos[info.from]!

  switch (type) {
    case 'ToTensor':
      if (misplacedDataStep(id, type, input, report)) return
      if (input.stage === 'tensor') {
        report.error(id, 'TO_TENSOR_ON_TENSOR', {}, REMOVE)
        return
      }
      info.output = { ...input, stage: 'tensor' }
      return
    case 'Normalize': {
      if (misplacedDataStep(id, type, input, report)) return
      if (input.stage === 'image') {
        report.error(id, 'NORMALIZE_ON_IMAGE', {}, insertBefore('ToTensor'))
        return
      }
      if (!paramsValid) return
      const mean = info.params.mean as number[]
      const std = info.params.std as number[]
      const channels = input.shape[0]!
      const wide = [mean.length, std.length].find((n) => n !== 1 && n !== channels)
      if (wide !== undefined) {
        const stats = DATASET_STATS[input.dataset]
        report.error(
          id,
          'NORMALIZE_CHANNEL_MISMATCH',
          { inputShape: input.shape, broadcastShape: [wide, ...input.shape.slice(1)] },
          {
            kind: 'replaceNode',
            type: 'Normalize',
            params: {
              mean: Array.from({ length: channels }, (_, i) => mean[i] ?? mean[0] ?? stats.mean),
              std: Array.from({ length: channels }, (_, i) => std[i] ?? std[0] ?? stats.std),
            },
            label: `Set Normalize to ${channels} channel${channels === 1 ? '' : 's'}`,
          },
        )
        return
      }
      info.output = { ...input, normalized: true }
      return
    }
    case 'DataLoader': {
      if (misplacedDataStep(id, type, input, report)) return
      if (input.stage === 'image') {
        report.error(id, 'MISSING_TO_TENSOR', {}, insertBefore('ToTensor'))
        return
      }
      const dataset = datasetOf(info, infos)
      if (info.params.shuffle === false && dataset?.params.train !== false) {
        report.warn(id, 'SHUFFLE_DISABLED', {}, setParam('shuffle', true, 'Set shuffle = True'))
      }
      if (!input.normalized) {
        const stats = DATASET_STATS[input.dataset]
        const params = { mean: [stats.mean], std: [stats.std] }
        report.warn(id, 'MISSING_NORMALIZE', stats, insertBefore('Normalize', params))
      }
      if (!paramsValid) return
      const batch = info.params.batchSize as number
      info.output = { ...input, stage: 'batch', batch, shape: [batch, ...input.shape] }
      return
    }
  }

  if (input.stage !== 'batch') {
    const params = { ...nodeSpecs.DataLoader.defaults }
    report.error(id, 'MISSING_DATALOADER', { type }, insertBefore('DataLoader', params))
    return
  }

  if (isLayerType(type)) {
    if (!paramsValid) return
    const rule = shapeRules[type] as (
      i: readonly number[],
      p: unknown,
    ) => ReturnType<typeof shapeRules.ReLU>
    const result = rule(input.shape, info.params)
    if (!result.ok) {
      const issue = result.error
      if (issue.code === 'CONV2D_INPUT_RANK' && upstream.type === 'Flatten') {
        issue.fix = {
          kind: 'removeNode',
          nodeId: upstream.node.id,
          label: 'Remove the Flatten before this node',
        }
      }
      report.add(id, 'error', issue)
      return
    }
    info.output = { ...input, shape: result.shape, afterLayer: true }
    layerWarnings(info, infos, report)
    return
  }

  if (isLossType(type)) lossStep(info, infos, report)
}

/**
 * Reports a data step (ToTensor, Normalize, DataLoader) that comes after a layer or after the
 * DataLoader; true when it did.
 */
function misplacedDataStep(id: string, type: NodeType, input: Value, report: Report): boolean {
  if (input.afterLayer) report.error(id, 'DATA_AFTER_LAYER', { type }, REMOVE)
  else if (input.stage === 'batch') report.error(id, 'DATA_AFTER_DATALOADER', { type }, REMOVE)
  else return false
  return true
}

/** Walks back to the dataset node feeding this node. */
function datasetOf(info: Info, infos: readonly Info[]): Info | null {
  let current: Info | undefined = info
  for (let guard = 0; current && guard < infos.length; guard++) {
    if (isDatasetType(current.type)) return current
    const up: number | undefined = current.from >= 0 ? current.from : current.ins[0]
    current = up === undefined ? undefined : infos[up]
  }
  return null
}

function layerWarnings(info: Info, infos: readonly Info[], report: Report): void {
  const { type, node } = info
  const shape = info.input!.shape
  if ((type === 'Softmax' || type === 'LogSoftmax') && shape.length >= 2) {
    const dim = info.params.dim as number
    if (dim === 0 || dim === -shape.length) {
      report.warn(node.id, 'SOFTMAX_OVER_BATCH', { type, dim }, setParam('dim', 1, 'Set dim = 1'))
    }
  }
  if (type === 'BatchNorm1d') {
    const perChannel = shape.reduce((a, b) => a * b, 1) / (shape[1] || 1)
    if (perChannel === 1) {
      const loader = findUpstream(info, infos, 'DataLoader')
      report.error(
        node.id,
        'BATCHNORM_BATCH_OF_ONE',
        { inputShape: shape },
        loader
          ? setParam('batchSize', 64, 'Set batch_size = 64 on the DataLoader', loader.node.id)
          : undefined,
      )
    }
  }
}

function findUpstream(info: Info, infos: readonly Info[], type: NodeType): Info | null {
  let current: Info | undefined = info
  for (let guard = 0; current && guard < infos.length; guard++) {
    if (current.type === type) return current
    const up: number | undefined = current.from >= 0 ? current.from : current.ins[0]
    current = up === undefined ? undefined : infos[up]
  }
  return null
}

/** Walks back over shape-keeping layers to the Linear that sets the number of outputs. */
function lastLinear(info: Info, infos: readonly Info[]): Info | null {
  let up: number | undefined = info.from >= 0 ? info.from : info.ins[0]
  for (let guard = 0; up !== undefined && guard < infos.length; guard++) {
    const current: Info = infos[up]!
    if (current.type === 'Linear') return current
    if (
      !['ReLU', 'Sigmoid', 'Tanh', 'Softmax', 'LogSoftmax', 'Dropout'].includes(current.type ?? '')
    ) {
      return null
    }
    up = current.from >= 0 ? current.from : current.ins[0]
  }
  return null
}

/** PyTorch broadcasting: the first dimension (from the left of the result) that cannot broadcast. */
function broadcastMismatch(
  a: readonly number[],
  b: readonly number[],
): { a: number; b: number; dim: number } | null {
  const rank = Math.max(a.length, b.length)
  for (let i = 1; i <= rank; i++) {
    const x = a[a.length - i] ?? 1
    const y = b[b.length - i] ?? 1
    if (x !== y && x !== 1 && y !== 1) return { a: x, b: y, dim: rank - i }
  }
  return null
}

function lossStep(info: Info, infos: readonly Info[], report: Report): void {
  const { type, node } = info
  const id = node.id
  const shape = info.input!.shape
  const batch = info.input!.batch
  const upstream = infos[info.from]!
  const target = [batch]

  if (
    type === 'CrossEntropyLoss' &&
    (upstream.type === 'Softmax' || upstream.type === 'LogSoftmax')
  ) {
    report.warn(
      upstream.node.id,
      'SOFTMAX_BEFORE_CROSS_ENTROPY',
      { type: upstream.type },
      {
        kind: 'removeNode',
        label: `Remove the ${upstream.type}`,
      },
    )
  }
  if (type === 'NLLLoss') {
    if (upstream.type === 'Softmax') {
      report.warn(
        upstream.node.id,
        'SOFTMAX_BEFORE_NLL',
        {},
        {
          kind: 'replaceNode',
          type: 'LogSoftmax',
          params: { dim: upstream.params.dim },
          label: 'Replace with LogSoftmax',
        },
      )
    } else if (upstream.type !== 'LogSoftmax') {
      report.warn(id, 'NLL_WITHOUT_LOG_SOFTMAX', {}, insertBefore('LogSoftmax', { dim: 1 }))
    }
  }

  if (type === 'MSELoss') {
    const oneHot = [batch, NUM_CLASSES]
    const bad = broadcastMismatch(shape, oneHot)
    if (bad) {
      const linear = shape.length === 2 ? lastLinear(info, infos) : null
      report.error(id, 'MSE_SIZE_MISMATCH', bad, outputPerClass(linear))
      return
    }
  } else {
    if (shape.length === 1) {
      report.error(id, 'LOSS_SIZE_MISMATCH', { input: shape, target })
      return
    }
    if (shape.length === 4) {
      report.error(id, 'CROSS_ENTROPY_SPATIAL_TARGET', { rank: 1 })
      return
    }
    if (shape.length !== 2) {
      report.error(id, 'LOSS_TARGET_SIZE', {
        expected: [shape[0]!, ...shape.slice(2)],
        actual: target,
      })
      return
    }
    if (shape[1]! < NUM_CLASSES) {
      const linear = lastLinear(info, infos)
      const values = { target: NUM_CLASSES - 1, outputs: shape[1]! }
      report.error(id, 'CLASS_COUNT_MISMATCH', values, outputPerClass(linear))
      return
    }
  }
  const reduction = info.params.reduction
  info.output = { ...info.input!, shape: reduction === 'none' ? [shape[0]!] : [] }
}
