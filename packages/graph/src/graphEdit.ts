import { errorMessages } from './errors.js'
import { idGenerator } from './ids.js'
import { edgePorts, isPortNumber, mergeOf } from './mergePorts.js'
import { isDatasetType, isLossType } from './modelChain.js'
import { nodeSpecs } from './specs.js'
import type { GraphDocument, GraphEdge, GraphNode, NodeSpec, NodeType } from './types.js'

export type { MergeInputs } from './mergePorts.js'
export { edgePorts, inputPorts, mergePorts } from './mergePorts.js'

/** A block's category, as the studio's palette groups them. */
export type NodeCategory = NodeSpec['category']

/** A node and edge selection that can be copied, pasted or duplicated. */
export interface Clip {
  nodes: GraphNode[]
  edges: GraphEdge[]
}

/** A requested connection between two nodes, as React Flow reports it. */
export interface ConnectionRequest {
  source: string
  target: string
  /**
   * A named input of the target: a merge block's port (`'a'`, `'b'`; Concat's `'0'`, `'1'`, …),
   * or a loss's `'target'`. Absent for the main input; into a merge block, the first free port.
   */
  targetPort?: string
}

/** The category of a node type: `'data'`, `'layers'`, `'activations'` or `'losses'`. */
export function categoryOf(type: NodeType): NodeCategory {
  return nodeSpecs[type].category
}

/** False for datasets (MNIST, FashionMNIST): they start a pipeline and take no input. */
export function hasInput(type: NodeType): boolean {
  return !isDatasetType(type)
}

/** False for losses: they end a pipeline and have no output to connect. */
export function hasOutput(type: NodeType): boolean {
  return !isLossType(type)
}

/**
 * Adds a node of `type` with PyTorch's defaults at `position`; returns the new document and the
 * node's fresh id. `doc` is not changed.
 */
export function addNode(
  doc: GraphDocument,
  type: NodeType,
  position: { x: number; y: number },
): { doc: GraphDocument; id: string } {
  const id = idGenerator(
    'n',
    doc.nodes.map((n) => n.id),
  )()
  const node: GraphNode = {
    id,
    type,
    params: structuredClone(nodeSpecs[type].defaults),
    position: { x: position.x, y: position.y },
  }
  return { doc: { ...doc, nodes: [...doc.nodes, node] }, id }
}

/** True when a path of edges leads from node `from` to node `to` (or `from` is `to`). */
export function reaches(doc: GraphDocument, from: string, to: string): boolean {
  const seen = new Set<string>()
  const stack = [from]
  while (stack.length > 0) {
    const id = stack.pop()!
    if (id === to) return true
    if (seen.has(id)) continue
    seen.add(id)
    for (const edge of doc.edges) if (edge.source === id) stack.push(edge.target)
  }
  return false
}

/**
 * Why a connection is refused, or null when it is allowed. Refuses ends that are not nodes of
 * `doc`, self-loops, cycles and joins of incompatible kinds: nothing flows out of a loss or into a
 * dataset, layers don't feed the data pipeline, and data reaches a loss's main input only through
 * a model. The message is shown to the user as it is, e.g. `That connection would form a cycle.`
 */
export function connectionProblem(doc: GraphDocument, request: ConnectionRequest): string | null {
  const source = doc.nodes.find((n) => n.id === request.source)
  const target = doc.nodes.find((n) => n.id === request.target)
  if (!source || !target) return 'Both ends must be blocks on the canvas.'
  if (source.id === target.id) return 'A block cannot feed itself.'
  if (!hasOutput(source.type)) return `${source.type} is the end of the pipeline: it has no output.`
  if (!hasInput(target.type)) return `${target.type} is a dataset: it takes no input.`
  const from = categoryOf(source.type)
  const to = categoryOf(target.type)
  if (from !== 'data' && to === 'data') return `A ${source.type} output cannot feed ${target.type}.`
  if (from === 'data' && to === 'losses' && !request.targetPort) {
    return `${source.type} cannot feed ${target.type} directly: add the model in between.`
  }
  if (reaches(doc, target.id, source.id)) return 'That connection would form a cycle.'
  return inputProblem(doc, target, request.targetPort)
}

/**
 * Why the input `port` of `target` cannot take another wire, or null: a block with one input
 * takes one wire (and a merge block one per port); the user removes the old wire first.
 */
function inputProblem(
  doc: GraphDocument,
  target: GraphNode,
  port: string | undefined,
): string | null {
  const block = mergeOf(target.type)
  const type = target.type
  const sourceOf = (edgeId: string) => {
    const edge = doc.edges.find((e) => e.id === edgeId)!
    const node = doc.nodes.find((n) => n.id === edge.source)
    return { source: edge.source, sourceType: node?.type ?? edge.source }
  }
  if (!block) {
    const taken = doc.edges.find((e) => e.target === target.id && e.targetPort === port)
    if (!taken) return null
    return errorMessages.INPUT_TAKEN({
      type,
      ...sourceOf(taken.id),
      ...(port === undefined ? {} : { port }),
    })
  }
  const ports = edgePorts(doc, target.id)
  const byPort = new Map<string, string>()
  for (const [edgeId, p] of ports) if (p !== undefined && !byPort.has(p)) byPort.set(p, edgeId)
  const names = block.ports.kind === 'named' ? block.ports.names : null
  if (port === undefined) {
    if (!names || names.some((n) => !byPort.has(n))) return null
    return errorMessages.MERGE_INPUTS_FULL({ type, ports: names })
  }
  if (names ? !names.includes(port) : !isPortNumber(port)) {
    return errorMessages.UNKNOWN_PORT({ type, port, ports: names ?? [] })
  }
  const taken = byPort.get(port)
  if (taken === undefined) return null
  const free = names ? names.filter((n) => !byPort.has(n)) : []
  return errorMessages.INPUT_TAKEN({ type, ...sourceOf(taken), port, free })
}

/** The port a new edge into a merge block takes when the request names none: the first free one. */
function freePort(doc: GraphDocument, target: string): string | undefined {
  const block = mergeOf(doc.nodes.find((n) => n.id === target)?.type)
  if (!block) return undefined
  const used = new Set(edgePorts(doc, target).values())
  if (block.ports.kind === 'named') return block.ports.names.find((n) => !used.has(n))
  let n = 0
  while (used.has(String(n))) n++
  return String(n)
}

/**
 * Connects two nodes with a new edge. An input takes one tensor: a wire into an input that is
 * already connected is refused (remove the old wire first), as `connectionProblem` says. Into a
 * merge block without a named port, the edge takes the first free port and names it. Returns
 * null when the connection is refused; `doc` is not changed.
 */
export function connect(doc: GraphDocument, request: ConnectionRequest): GraphDocument | null {
  if (connectionProblem(doc, request)) return null
  const port = request.targetPort ?? freePort(doc, request.target)
  const edge: GraphEdge = {
    id: idGenerator(
      'e',
      doc.edges.map((e) => e.id),
    )(),
    source: request.source,
    target: request.target,
    ...(port === undefined ? {} : { targetPort: port }),
  }
  return { ...doc, edges: [...doc.edges, edge] }
}

/**
 * Splices the node `nodeId` into the wire `edgeId`: the wire's source feeds the node and the node
 * feeds the wire's target (on the same port), as dropping a block on a wire does. The node must
 * take an input, have an output and no wires yet. Returns null, with `doc` unchanged, when it
 * cannot be spliced in; `spliceProblem` says why.
 */
export function spliceIntoEdge(
  doc: GraphDocument,
  edgeId: string,
  nodeId: string,
): GraphDocument | null {
  return spliceProblem(doc, edgeId, nodeId) === null ? splice(doc, edgeId, nodeId) : null
}

/** Why `spliceIntoEdge` would refuse, or null when the node can go into the wire. */
export function spliceProblem(doc: GraphDocument, edgeId: string, nodeId: string): string | null {
  const edge = doc.edges.find((e) => e.id === edgeId)
  const node = doc.nodes.find((n) => n.id === nodeId)
  if (!edge || !node) return 'Both the wire and the block must be on the canvas.'
  if (!hasInput(node.type)) return `${node.type} is a dataset: it takes no input.`
  if (!hasOutput(node.type)) return `${node.type} is the end of the pipeline: it has no output.`
  if (doc.edges.some((e) => e.source === nodeId || e.target === nodeId)) {
    return `${node.type} is already wired: only a block without wires can go into a wire.`
  }
  const without = { ...doc, edges: doc.edges.filter((e) => e.id !== edgeId) }
  const first = connectionProblem(without, { source: edge.source, target: nodeId })
  if (first) return first
  const fed = connect(without, { source: edge.source, target: nodeId })!
  return connectionProblem(fed, {
    source: nodeId,
    target: edge.target,
    ...(edge.targetPort ? { targetPort: edge.targetPort } : {}),
  })
}

function splice(doc: GraphDocument, edgeId: string, nodeId: string): GraphDocument | null {
  const edge = doc.edges.find((e) => e.id === edgeId)!
  const without = { ...doc, edges: doc.edges.filter((e) => e.id !== edgeId) }
  const fed = connect(without, { source: edge.source, target: nodeId })
  if (!fed) return null
  const done = connect(fed, {
    source: nodeId,
    target: edge.target,
    ...(edge.targetPort ? { targetPort: edge.targetPort } : {}),
  })
  if (!done) return null
  // The wire into the target takes the old wire's place among the edges (a merge's port order).
  const edges = [...without.edges]
  edges.splice(
    doc.edges.findIndex((e) => e.id === edgeId),
    0,
    done.edges.at(-1)!,
  )
  edges.push(done.edges.at(-2)!)
  return { ...done, edges }
}

/**
 * Moves the edge `edgeId` to new ends (React Flow's reconnect): the edge is removed and the new
 * connection made as `connect` makes it. Returns null when the new connection is refused.
 */
export function reconnect(
  doc: GraphDocument,
  edgeId: string,
  request: ConnectionRequest,
): GraphDocument | null {
  const without = { ...doc, edges: doc.edges.filter((e) => e.id !== edgeId) }
  return connect(without, request)
}

/**
 * Deletes nodes and edges, with the edges of the deleted nodes. A deleted node in the middle of a
 * chain is bridged: its input is wired to what it fed, so removing Flatten leaves
 * DataLoader -> Linear (and `inferShapes` shows the shape error), and deleting a run of nodes
 * leaves one edge across the gap. Only a node with one input wire is bridged (its main input; a
 * merge block with a single wire in), not through an edge deleted with it, and only where
 * `connect` allows the bridge: a merge's two inputs are never both wired into the next block.
 */
export function deleteElements(
  doc: GraphDocument,
  nodeIds: readonly string[],
  edgeIds: readonly string[] = [],
): GraphDocument {
  const goneNodes = new Set(nodeIds)
  const goneEdges = new Set(edgeIds)
  const bridges: ConnectionRequest[] = []
  const types = new Map<string, string>(doc.nodes.map((n) => [n.id, n.type]))
  // The wires a bridge may start from: the main input, or every wire into a merge block.
  const inputsOf = (id: string) => {
    const merge = mergeOf(types.get(id)) !== undefined
    return doc.edges.filter((e) => e.target === id && (merge || !e.targetPort))
  }
  for (const id of goneNodes) {
    const incoming = inputsOf(id)
    const outgoing = doc.edges.filter((e) => e.source === id)
    if (incoming.length !== 1 || goneEdges.has(incoming[0]!.id)) continue
    let source = incoming[0]!.source
    // Walk up through other deleted nodes so deleting a run of blocks still leaves one chain.
    const visited = new Set<string>()
    while (goneNodes.has(source) && !visited.has(source)) {
      visited.add(source)
      const up = inputsOf(source)
      if (up.length !== 1) break
      source = up[0]!.source
    }
    if (goneNodes.has(source)) continue
    for (const out of outgoing) {
      if (goneNodes.has(out.target) || goneEdges.has(out.id)) continue
      bridges.push({
        source,
        target: out.target,
        ...(out.targetPort ? { targetPort: out.targetPort } : {}),
      })
    }
  }
  let next: GraphDocument = {
    ...doc,
    nodes: doc.nodes.filter((n) => !goneNodes.has(n.id)),
    edges: doc.edges.filter(
      (e) => !goneEdges.has(e.id) && !goneNodes.has(e.source) && !goneNodes.has(e.target),
    ),
  }
  for (const bridge of bridges) next = connect(next, bridge) ?? next
  return next
}

/**
 * Sets one parameter of one node, without validating it (check it first with `validateParam`).
 * `doc` is not changed.
 */
export function setParam(
  doc: GraphDocument,
  nodeId: string,
  name: string,
  value: unknown,
): GraphDocument {
  return {
    ...doc,
    nodes: doc.nodes.map((n) =>
      n.id === nodeId ? { ...n, params: { ...n.params, [name]: value } } : n,
    ),
  }
}

/** Moves nodes to new positions, keyed by node id; other nodes stay where they are. */
export function moveNodes(
  doc: GraphDocument,
  positions: Readonly<Record<string, { x: number; y: number }>>,
): GraphDocument {
  return {
    ...doc,
    nodes: doc.nodes.map((n) => {
      const p = positions[n.id]
      return p ? { ...n, position: { x: p.x, y: p.y } } : n
    }),
  }
}

/** A copy of the nodes `nodeIds` and of the edges between them, for `paste`. */
export function copySelection(doc: GraphDocument, nodeIds: readonly string[]): Clip {
  const ids = new Set(nodeIds)
  return {
    nodes: structuredClone(doc.nodes.filter((n) => ids.has(n.id))),
    edges: structuredClone(doc.edges.filter((e) => ids.has(e.source) && ids.has(e.target))),
  }
}

/**
 * Adds a clip's nodes with fresh ids, moved by `offset`, and its edges between them renamed to
 * match (edges to nodes outside the clip are dropped). Returns the new document and the new node
 * ids in the clip's order; `doc` and `clip` are not changed.
 */
export function paste(
  doc: GraphDocument,
  clip: Clip,
  offset: { x: number; y: number },
): { doc: GraphDocument; ids: string[] } {
  const newNodeId = idGenerator(
    'n',
    doc.nodes.map((n) => n.id),
  )
  const newEdgeId = idGenerator(
    'e',
    doc.edges.map((e) => e.id),
  )
  const idMap = new Map<string, string>()
  const nodes = clip.nodes.map((n) => {
    const id = newNodeId()
    idMap.set(n.id, id)
    return {
      ...structuredClone(n),
      id,
      position: { x: n.position.x + offset.x, y: n.position.y + offset.y },
    }
  })
  const edges = clip.edges.flatMap((e) => {
    const source = idMap.get(e.source)
    const target = idMap.get(e.target)
    return source && target ? [{ ...e, id: newEdgeId(), source, target }] : []
  })
  return {
    doc: { ...doc, nodes: [...doc.nodes, ...nodes], edges: [...doc.edges, ...edges] },
    ids: nodes.map((n) => n.id),
  }
}
