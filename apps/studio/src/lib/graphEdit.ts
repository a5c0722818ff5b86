import type { GraphDocument, GraphEdge, GraphNode, NodeType } from '@tensorloom/graph'
import { nodeSpecs } from '@tensorloom/graph'

/** Block category as listed in the palette. */
export type Category = 'data' | 'layers' | 'activations' | 'losses'

/** A node and edge selection that can be copied, pasted or duplicated. */
export interface Clip {
  nodes: GraphNode[]
  edges: GraphEdge[]
}

/** A requested connection between two nodes, as React Flow reports it. */
export interface ConnectionRequest {
  source: string
  target: string
  targetPort?: string
}

export function categoryOf(type: NodeType): Category {
  return nodeSpecs[type].category
}

/** Dataset nodes start a pipeline: they take no input. */
export function hasInput(type: NodeType): boolean {
  return type !== 'MNIST' && type !== 'FashionMNIST'
}

/** Loss nodes end a pipeline: they have no output to connect. */
export function hasOutput(type: NodeType): boolean {
  return categoryOf(type) !== 'losses'
}

function nextId(prefix: string, taken: Iterable<string>): () => string {
  let max = 0
  for (const id of taken) {
    const n = Number(id.slice(prefix.length))
    if (id.startsWith(prefix) && Number.isInteger(n) && n > max) max = n
  }
  return () => `${prefix}${++max}`
}

function clone<T>(value: T): T {
  return structuredClone(value)
}

/** Adds a block of `type` with PyTorch's defaults at `position`; returns the new doc and id. */
export function addNode(
  doc: GraphDocument,
  type: NodeType,
  position: { x: number; y: number },
): { doc: GraphDocument; id: string } {
  const id = nextId(
    'n',
    doc.nodes.map((n) => n.id),
  )()
  const node: GraphNode = { id, type, params: clone(nodeSpecs[type].defaults), position }
  return { doc: { ...doc, nodes: [...doc.nodes, node] }, id }
}

/** True when a path of edges leads from `from` to `to`. */
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
 * Why a connection is refused, or null when it is allowed. Refuses self-loops, cycles and joins of
 * incompatible kinds (nothing flows out of a loss, nothing into a dataset, layers don't feed data
 * transforms).
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
 * Connects two nodes. A block input takes one tensor, so an existing edge into the same input is
 * replaced. Returns null when the connection is refused.
 */
export function connect(doc: GraphDocument, request: ConnectionRequest): GraphDocument | null {
  if (connectionProblem(doc, request)) return null
  const port = request.targetPort
  const edges = doc.edges.filter(
    (e) => !(e.target === request.target && (e.targetPort ?? undefined) === port),
  )
  const edge: GraphEdge = {
    id: nextId(
      'e',
      doc.edges.map((e) => e.id),
    )(),
    source: request.source,
    target: request.target,
    ...(port ? { targetPort: port } : {}),
  }
  return { ...doc, edges: [...edges, edge] }
}

/** Moves an existing edge to new ends (React Flow's reconnect); null when refused. */
export function reconnect(
  doc: GraphDocument,
  edgeId: string,
  request: ConnectionRequest,
): GraphDocument | null {
  const without = { ...doc, edges: doc.edges.filter((e) => e.id !== edgeId) }
  return connect(without, request)
}

/**
 * Deletes nodes and edges. A deleted block in the middle of a chain is bridged: its input is wired
 * to what it fed, so removing Flatten leaves DataLoader -> Linear (and shows the shape error).
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

/** Sets one parameter of one node. */
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

/** Moves nodes to new positions. */
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

/** The selected nodes and the edges between them. */
export function copySelection(doc: GraphDocument, nodeIds: readonly string[]): Clip {
  const ids = new Set(nodeIds)
  return {
    nodes: clone(doc.nodes.filter((n) => ids.has(n.id))),
    edges: clone(doc.edges.filter((e) => ids.has(e.source) && ids.has(e.target))),
  }
}

/** Pastes a clip with fresh ids, shifted by `offset`; returns the doc and the new node ids. */
export function paste(
  doc: GraphDocument,
  clip: Clip,
  offset: { x: number; y: number },
): { doc: GraphDocument; ids: string[] } {
  const newNodeId = nextId(
    'n',
    doc.nodes.map((n) => n.id),
  )
  const newEdgeId = nextId(
    'e',
    doc.edges.map((e) => e.id),
  )
  const idMap = new Map<string, string>()
  const nodes = clip.nodes.map((n) => {
    const id = newNodeId()
    idMap.set(n.id, id)
    return {
      ...clone(n),
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
