import { blocks } from './blocks/index.js'
import { isLayerType } from './shapeRules.js'
import type { DatasetType, DataType, GraphDocument, GraphNode, LossType } from './types.js'

const kindOf = (type: unknown): string | null =>
  typeof type === 'string' && Object.hasOwn(blocks, type)
    ? blocks[type as keyof typeof blocks].kind
    : null

/** True for the data pipeline's node types (datasets, transforms, the DataLoader). */
export const isDataType = (type: unknown): type is DataType => {
  const kind = kindOf(type)
  return kind === 'dataset' || kind === 'split' || kind === 'transform' || kind === 'loader'
}
/** True for the dataset node types (MNIST, FashionMNIST), the nodes a pipeline starts from. */
export const isDatasetType = (type: unknown): type is DatasetType => kindOf(type) === 'dataset'
/** True for the loss node types. */
export const isLossType = (type: unknown): type is LossType => kindOf(type) === 'loss'

/**
 * The ordered walk compilers use (layers' `fromGraph`, `toPyTorch`, `toTypeScript`): starting at
 * the dataset (or, without one, at the first node that has no input), it follows the first
 * connection out of each node until the loss, a dead end or a repeated node. Data nodes seen
 * before the first layer go to `data`, layers to `layers`, and the first loss ends the walk.
 * It does not validate: run `inferShapes` for errors.
 */
export function modelChain(doc: GraphDocument): {
  data: GraphNode[]
  layers: GraphNode[]
  loss: GraphNode | null
} {
  const byId = new Map<string, GraphNode>()
  for (const node of doc.nodes) if (!byId.has(node.id)) byId.set(node.id, node)
  const next = new Map<string, string>()
  const hasInput = new Set<string>()
  for (const edge of doc.edges) {
    if (!byId.has(edge.source) || !byId.has(edge.target)) continue
    if (!next.has(edge.source)) next.set(edge.source, edge.target)
    hasInput.add(edge.target)
  }
  const start =
    doc.nodes.find((n) => isDatasetType(n.type)) ??
    doc.nodes.find((n) => !hasInput.has(n.id) && next.has(n.id)) ??
    doc.nodes.find((n) => !hasInput.has(n.id))
  const data: GraphNode[] = []
  const layers: GraphNode[] = []
  let loss: GraphNode | null = null
  const seen = new Set<string>()
  let node = start
  while (node && !seen.has(node.id)) {
    seen.add(node.id)
    if (isLossType(node.type)) {
      loss = node
      break
    }
    if (isLayerType(node.type)) layers.push(node)
    else if (isDataType(node.type) && layers.length === 0) data.push(node)
    const id = next.get(node.id)
    node = id === undefined ? undefined : byId.get(id)
  }
  return { data, layers, loss }
}
