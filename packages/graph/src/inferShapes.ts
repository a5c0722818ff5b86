import { REMOVE } from './blocks/rules.js'
import { makeIssue } from './errors.js'
import { formatShape } from './formatShape.js'
import { findCycles, topologicalOrder } from './graphOrder.js'
import { type Info, isObject } from './infer/Info.js'
import { Report } from './infer/Report.js'
import { checkParams, step } from './infer/step.js'
import { checkStructure } from './infer/structure.js'
import { expectedValue, isNodeType, isValidValue, nodeSpecs, nodeTypes } from './specs.js'
import { trainingSpecs } from './training.js'
import type { GraphDocument, GraphEdge, GraphNode, NodeIssue, ShapeInference } from './types.js'

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
      inPorts: [],
      outs: [],
      ports: [],
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
    infos[t]!.inPorts.push(typeof edge.targetPort === 'string' ? edge.targetPort : undefined)
    edges.push(edge)
  }

  // Structure
  checkStructure(infos, report)

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
    // A merge reads its ports; with several inputs into a one-input node (already an error) the
    // first known one keeps checking going.
    const known =
      info.ports[0]?.source ?? info.ins.find((i) => infos[i]!.output !== null) ?? info.ins[0]
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
