import { GraphExportError } from '../GraphExportError.js'
import { inferShapes } from '../inferShapes.js'
import { isDatasetType, modelChain } from '../modelChain.js'
import { safeParseGraph } from '../parseGraph.js'
import type {
  DataLossParams,
  GraphDocument,
  GraphNode,
  NodeIssue,
  TrainingSettings,
} from '../types.js'

/** Everything a code generator needs, read from a document without errors. */
export interface ExportPlan {
  name: string
  dataset: 'MNIST' | 'FashionMNIST'
  train: boolean
  /** Per-image transforms in order: ToTensor and Normalize nodes. */
  transforms: GraphNode[]
  loader: DataLossParams['DataLoader']
  /** When the first layer is a default Flatten, it becomes `self.flatten` as in the lesson. */
  flatten: GraphNode | null
  layers: GraphNode[]
  loss: GraphNode
  training: TrainingSettings
  warnings: NodeIssue[]
}

/** Checks the document and lays out what to generate; throws `GraphExportError` on errors. */
export function plan(input: GraphDocument): ExportPlan {
  // Callers may pass unvalidated data: export what parseGraph would load (types checked,
  // defaults filled), so a missing or mistyped value can never reach the generated code.
  const parsed = safeParseGraph(input)
  if (!parsed.ok) {
    throw new GraphExportError(
      parsed.error.problems.map((p) => ({
        nodeId: '',
        severity: 'error' as const,
        code: p.code,
        message: p.path ? `${p.path}: ${p.message}` : p.message,
      })),
    )
  }
  const doc = parsed.doc
  const inference = inferShapes(doc)
  const errors = inference.issues.filter((i) => i.severity === 'error')
  if (errors.length > 0) throw new GraphExportError(errors)
  const chain = modelChain(doc)
  // Without errors the graph is one chain: dataset, transforms, DataLoader, layers, loss.
  const dataset = chain.data.find((n) => isDatasetType(n.type))!
  const loader = chain.data.find((n) => n.type === 'DataLoader')!
  const first = chain.layers[0]
  const isDefaultFlatten =
    first?.type === 'Flatten' && first.params.startDim === 1 && first.params.endDim === -1
  return {
    name: doc.name,
    dataset: dataset.type as 'MNIST' | 'FashionMNIST',
    train: dataset.params.train !== false,
    transforms: chain.data.filter((n) => n.type === 'ToTensor' || n.type === 'Normalize'),
    loader: loader.params as DataLossParams['DataLoader'],
    flatten: isDefaultFlatten ? first : null,
    layers: isDefaultFlatten ? chain.layers.slice(1) : chain.layers,
    loss: chain.loss!,
    training: doc.training,
    warnings: inference.issues.filter((i) => i.severity === 'warning'),
  }
}

/** Makes text safe for a one-line comment in Python or TypeScript. */
export function commentText(text: string): string {
  let out = ''
  for (const ch of text) {
    const code = ch.codePointAt(0)!
    const control =
      code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029
    out += control ? ' ' : ch
  }
  return out.replaceAll('*/', '* /').trim()
}

/** Number of classes of the supported datasets. */
export const NUM_CLASSES = 10
