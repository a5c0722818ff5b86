import type { GraphDocument, NodeType } from '@tensorloom/graph'
import { addNode, applyFix, isDatasetType } from '@tensorloom/graph'
import type { StoredMeta } from './summary'

/** The dataset block a stored dataset becomes, and its parameters from the scan. */
export function blockFor(meta: StoredMeta): { type: NodeType; params: Record<string, unknown> } {
  const s = meta.summary
  switch (s.kind) {
    case 'images': {
      const common = s.sizes[0] ?? { height: 32, width: 32 }
      return {
        type: 'ImageFolder',
        params: {
          source: meta.id,
          classes: [...s.classes],
          channels: s.channels,
          height: common.height,
          width: common.width,
          mixedSizes: s.sizes.length > 1,
        },
      }
    }
    case 'csv':
      return {
        type: 'CSVDataset',
        params: {
          source: meta.id,
          features: [...s.features],
          target: s.target,
          task: s.task,
          classes: [...s.classes],
          header: s.header,
          skipRows: s.skipRows,
        },
      }
    case 'idx':
      return { type: 'FashionMNIST', params: { train: true } }
    case 'cifar':
      return { type: 'CIFAR10', params: { train: true } }
  }
}

const isDataset = (type: NodeType) => isDatasetType(type)

/**
 * Puts a stored dataset into the graph, as one edit: on the block it was dropped on (the block
 * keeps its place and wires; its parameters become the scan's), else in place of the graph's one
 * dataset block (so the pipeline and model below it are kept, and their shape errors come with
 * one-click fixes), else as a new block at `at`. A palette dataset's dropped-in files (FashionMNIST,
 * CIFAR-10) only change the graph when it has no block of that type yet.
 */
export function placeDataset(
  doc: GraphDocument,
  meta: StoredMeta,
  target: { nodeId?: string | null; at?: { x: number; y: number } | null },
): { doc: GraphDocument; nodeId: string; replaced: NodeType | null } {
  const { type, params } = blockFor(meta)
  const builtin = meta.summary.kind === 'idx' || meta.summary.kind === 'cifar'
  const onNode = target.nodeId ? doc.nodes.find((n) => n.id === target.nodeId) : undefined
  const sameType = doc.nodes.filter((n) => n.type === type)
  if (builtin && sameType.length > 0) {
    const node = onNode?.type === type ? onNode : sameType[0]!
    return { doc, nodeId: node.id, replaced: null }
  }
  const datasets = doc.nodes.filter((n) => isDataset(n.type))
  const into =
    onNode && isDataset(onNode.type) ? onNode : datasets.length === 1 ? datasets[0] : undefined
  if (into) {
    const next = applyFix(doc, into.id, {
      kind: 'replaceNode',
      type,
      params,
      label: `Use ${meta.name}`,
    })
    return { doc: next, nodeId: into.id, replaced: into.type === type ? null : into.type }
  }
  const added = addNode(doc, type, target.at ?? { x: 0, y: 0 })
  return {
    doc: {
      ...added.doc,
      nodes: added.doc.nodes.map((n) =>
        n.id === added.id ? { ...n, params: { ...n.params, ...params } } : n,
      ),
    },
    nodeId: added.id,
    replaced: null,
  }
}

/** The graph with every kept dataset's `source` replaced by the folder or file it came from. */
export function withOriginalNames(
  doc: GraphDocument,
  localData: Readonly<Record<string, StoredMeta>>,
): GraphDocument {
  let changed = false
  const nodes = doc.nodes.map((n) => {
    const source = (n.params as { source?: unknown }).source
    const meta = typeof source === 'string' ? localData[source] : undefined
    if (!meta) return n
    changed = true
    return { ...n, params: { ...n.params, source: meta.name } }
  })
  return changed ? { ...doc, nodes } : doc
}

/**
 * True when the graph's dataset holds 28 x 28 gray images in 10 classes, like MNIST: only then
 * can a digit drawn on the Draw pad be put to the model.
 */
export function fitsDigitPad(doc: GraphDocument): boolean {
  const dataset = doc.nodes.find((n) => isDatasetType(n.type))
  if (!dataset) return false
  if (dataset.type === 'MNIST' || dataset.type === 'FashionMNIST') return true
  if (dataset.type !== 'ImageFolder') return false
  const p = dataset.params as {
    channels?: number
    height?: number
    width?: number
    classes?: unknown[]
  }
  return p.channels === 1 && p.height === 28 && p.width === 28 && p.classes?.length === 10
}
