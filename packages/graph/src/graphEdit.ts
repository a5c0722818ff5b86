import { idGenerator } from './ids.js'
import { isDatasetType, isLossType } from './modelChain.js'
import { nodeSpecs } from './specs.js'
import type { GraphDocument, GraphEdge, GraphNode, NodeSpec, NodeType } from './types.js'

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
  /** A named input of the target (a loss's target, say); absent for the main input. */
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
  return null
}

/**
 * Connects two nodes with a new edge. An input takes one tensor, so an existing edge into the
 * same input (same target and `targetPort`) is replaced. Returns null when `connectionProblem`
 * refuses the connection; `doc` is not changed.
 */
export function connect(doc: GraphDocument, request: ConnectionRequest): GraphDocument | null {
  if (connectionProblem(doc, request)) return null
  const port = request.targetPort
  const edges = doc.edges.filter(
    (e) => !(e.target === request.target && (e.targetPort ?? undefined) === port),
  )
  const edge: GraphEdge = {
    id: idGenerator(
      'e',
      doc.edges.map((e) => e.id),
    )(),
    source: request.source,
    target: request.target,
    ...(port ? { targetPort: port } : {}),
  }
  return { ...doc, edges: [...edges, edge] }
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
 * leaves one edge across the gap. Only a node with one main input is bridged, not through an
 * edge deleted with it, and only where `connect` allows the bridge.
 */
export function deleteElements(
  doc: GraphDocument,
  nodeIds: readonly string[],
  edgeIds: readonly string[] = [],
): GraphDocument {
  const goneNodes = new Set(nodeIds)
  const goneEdges = new Set(edgeIds)
  const bridges: ConnectionRequest[] = []
  for (const id of goneNodes) {
    const incoming = doc.edges.filter((e) => e.target === id && !e.targetPort)
    const outgoing = doc.edges.filter((e) => e.source === id)
    if (incoming.length !== 1 || goneEdges.has(incoming[0]!.id)) continue
    let source = incoming[0]!.source
    // Walk up through other deleted nodes so deleting a run of blocks still leaves one chain.
    const visited = new Set<string>()
    while (goneNodes.has(source) && !visited.has(source)) {
      visited.add(source)
      const up = doc.edges.filter((e) => e.target === source && !e.targetPort)
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
