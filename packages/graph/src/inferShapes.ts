import type { Block, Flow, InferContext, NodeRef, StepResult } from './blocks/block.js'
import { blocks } from './blocks/index.js'
import { insertBefore, REMOVE, setParam } from './blocks/rules.js'
import { type ErrorCode, type ErrorValues, makeIssue } from './errors.js'
import { formatShape } from './formatShape.js'
import { findCycles, topologicalOrder } from './graphOrder.js'
import type { Fix, ShapeIssue, ShapeResult } from './issue.js'
import type { LayerType } from './layerTypes.js'
import { isDatasetType, isLossType } from './modelChain.js'
import { formatPython } from './python.js'
import { shapeRules } from './shapeRules.js'
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

type Info = {
  node: GraphNode
  index: number
  type: NodeType | null
  params: Record<string, unknown>
  ins: number[]
  outs: number[]
  /** The node whose output is this node's input, -1 for none. */
  from: number
  input: Flow | null
  output: Flow | null
  paramCount: number
}

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
  if (order.length < infos.length) {
    for (const { members, path } of findCycles(infos, order)) {
      const ids = path.map((i) => infos[i]!.node.id)
      for (const v of members) report.error(infos[v]!.node.id, 'CYCLE', { path: ids })
    }
  }

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
        `Set ${paramSpec(type, spec.name)!.label} = ${formatPython(better)}`,
      )
    }
    report.add(node.id, 'error', issue)
  }
  return valid
}

/** For size parameters, the value the input shape calls for (a better fix than the default). */
function fixFromInput(info: Info, param: string): number | number[] | undefined {
  const shape = info.input?.stage === 'batch' ? info.input.shape : undefined
  if (!shape || !info.type) return undefined
  const block: Block = blocks[info.type]
  if (block.kind !== 'layer') return undefined
  const fromInput = (
    block.paramFromInput as
      | Record<string, (s: readonly number[]) => number | number[] | undefined>
      | undefined
  )?.[param]
  return fromInput?.(shape)
}

const refOf = (info: Info): NodeRef => ({ id: info.node.id, type: info.type, params: info.params })

/** The node feeding `info` (its first known input). */
const upstreamOf = (info: Info, infos: readonly Info[]): Info | undefined => {
  const up = info.from >= 0 ? info.from : info.ins[0]
  return up === undefined ? undefined : infos[up]
}

/** What a block's rules may ask about the graph around `info`. */
function contextOf(info: Info, infos: readonly Info[], paramsValid: boolean): InferContext {
  const walk = (
    from: Info | undefined,
    found: (i: Info) => boolean,
    through: (i: Info) => boolean,
  ) => {
    let current = from
    for (let guard = 0; current && guard < infos.length; guard++) {
      if (found(current)) return refOf(current)
      if (!through(current)) return null
      current = upstreamOf(current, infos)
    }
    return null
  }
  const always = () => true
  return {
    upstream: info.from >= 0 ? refOf(infos[info.from]!) : null,
    paramsValid,
    findUpstream: (type) => walk(info, (i) => i.type === type, always),
    dataset: () => walk(info, (i) => isDatasetType(i.type), always),
    lastLinear: () =>
      walk(
        upstreamOf(info, infos),
        (i) => i.type === 'Linear',
        (i) =>
          i.type !== null &&
          blocks[i.type].kind === 'layer' &&
          (blocks[i.type] as { elementwise?: boolean }).elementwise === true,
      ),
  }
}

/** Reports a block's findings on its node (or on the node a finding names). */
function reportResult(id: string, result: Omit<StepResult, 'output'>, report: Report): void {
  for (const e of result.errors ?? []) report.add(e.nodeId ?? id, 'error', e)
  for (const w of result.warnings ?? []) report.add(w.nodeId ?? id, 'warning', w)
}

/** Computes one node's output from its input and reports what is wrong. */
function step(info: Info, infos: readonly Info[], report: Report): void {
  const { type, node, input } = info
  if (!type) return
  const id = node.id
  const block: Block = blocks[type]
  const paramsValid = checkParams(info, report)
  if (paramsValid && block.kind === 'layer') info.paramCount = block.paramCount(info.params)

  if (block.kind === 'dataset') {
    if (info.params.train === false) {
      report.warn(id, 'TRAINING_ON_TEST_SET', { type }, setParam('train', true, 'Set train = True'))
    }
    const { shape, classes, mean, std } = block.sample
    info.output = {
      stage: 'image',
      shape: [...shape],
      dataset: type,
      classes,
      stats: { mean, std },
      normalized: false,
      afterLayer: false,
      batch: 0,
    }
    return
  }
  if (!input) return
  const ctx = contextOf(info, infos, paramsValid)

  if (block.kind === 'transform' || block.kind === 'loader') {
    if (input.afterLayer) report.error(id, 'DATA_AFTER_LAYER', { type }, REMOVE)
    else if (input.stage === 'batch') report.error(id, 'DATA_AFTER_DATALOADER', { type }, REMOVE)
    else {
      const result = block.infer(input, info.params, ctx)
      reportResult(id, result, report)
      info.output = result.output
    }
    return
  }

  if (input.stage !== 'batch') {
    const params = { ...nodeSpecs.DataLoader.defaults }
    report.error(id, 'MISSING_DATALOADER', { type }, insertBefore('DataLoader', params))
    return
  }

  if (block.kind === 'layer') {
    if (!paramsValid) return
    const rule = shapeRules[type as LayerType] as (i: readonly number[], p: unknown) => ShapeResult
    const result = rule(input.shape, info.params)
    if (!result.ok) {
      report.add(id, 'error', block.refineError?.(result.error, ctx) ?? result.error)
      return
    }
    info.output = { ...input, shape: result.shape, afterLayer: true }
    if (block.inspect) reportResult(id, block.inspect(input.shape, info.params, ctx), report)
    return
  }

  const result = block.infer(input, info.params as { reduction: string }, ctx)
  reportResult(id, result, report)
  info.output = result.output
}
