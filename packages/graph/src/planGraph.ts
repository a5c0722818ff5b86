import { blocks } from './blocks/index.js'
import { inferShapes } from './inferShapes.js'
import type { LayerType } from './layerTypes.js'
import { isDatasetType, isLossType, modelChain } from './modelChain.js'
import { isLayerType } from './shapeRules.js'
import { nodeSpecs } from './specs.js'
import type {
  DatasetType,
  GraphDocument,
  GraphNode,
  LossType,
  NodeIssue,
  NodeParams,
  NodeType,
  ShapeInference,
  TrainingSettings,
} from './types.js'

/** A node of the plan: its id, type and parameters with every default filled in. */
export interface PlannedNode<T extends NodeType = NodeType> {
  id: string
  type: T
  params: NodeParams[T]
}

/** A layer of the model, with its attribute path in the exported PyTorch class. */
export interface PlannedLayer<T extends LayerType = LayerType> extends PlannedNode<T> {
  /** `'flatten'` for the lesson's leading Flatten, else `'layers.0'`, `'layers.1'`, …. */
  path: string
}

/** The loss, with how the class labels reach it. */
export interface PlannedLoss extends PlannedNode<LossType> {
  /** Class indices (`CrossEntropyLoss`, `NLLLoss`) or one-hot floats (`MSELoss`). */
  target: 'classIndex' | 'oneHot'
  /** Number of classes (the width of one-hot targets). */
  classes: number
  /** `reduction='none'` gives one loss per sample: training and the exports use their mean. */
  reduction: 'mean' | 'sum' | 'none'
}

/** The dataset a pipeline starts from. */
export interface PlannedDataset extends PlannedNode<DatasetType> {
  /** `train=True`: the training split. */
  train: boolean
  classes: number
  /** One sample as `ToTensor` makes it, e.g. `[1, 28, 28]`. */
  sampleShape: number[]
}

/**
 * Everything a document says about a run, read once: the dataset, the per-image transforms, the
 * DataLoader, the layers in order (with their PyTorch attribute paths), the loss and its target
 * encoding, the training settings, and the problems found. The runtime (`compileGraph` in
 * `@tensorloom/train`, `fromGraph` in `@tensorloom/layers`) and both code exports build from it,
 * so none of them walks the graph again.
 */
export interface GraphPlan {
  name: string
  dataset: PlannedDataset | null
  /** `ToTensor` and `Normalize`, in order. */
  transforms: PlannedNode[]
  loader: PlannedNode<'DataLoader'> | null
  /** Per-channel normalisation, or null without a Normalize node. */
  normalize: { mean: number[]; std: number[] } | null
  layers: PlannedLayer[]
  /** True when the first layer is a default `Flatten`, exported as `self.flatten` (the lesson's). */
  leadingFlatten: boolean
  loss: PlannedLoss | null
  training: TrainingSettings
  /** Shapes and parameter counts of every node. */
  inference: ShapeInference
  errors: NodeIssue[]
  warnings: NodeIssue[]
}

/** A plan without errors: every part of the pipeline is there. */
export interface ValidPlan extends GraphPlan {
  dataset: PlannedDataset
  loader: PlannedNode<'DataLoader'>
  loss: PlannedLoss
}

/** True when the plan has no errors (a run can be built and the code exported). */
export function isValidPlan(plan: GraphPlan): plan is ValidPlan {
  return plan.errors.length === 0 && !!plan.dataset && !!plan.loader && !!plan.loss
}

const filled = <T extends NodeType>(node: GraphNode, type: T): PlannedNode<T> => ({
  id: node.id,
  type,
  params: { ...nodeSpecs[type].defaults, ...node.params } as NodeParams[T],
})

/**
 * Reads a document into a {@link GraphPlan}: runs `inferShapes` for its problems and follows the
 * network from the dataset to the loss. With errors the plan is still made as far as the graph
 * allows (check `plan.errors` or {@link isValidPlan} before running or exporting it).
 *
 * @example
 * const plan = planGraph(templates.lesson)
 * plan.layers.map((l) => `${l.path}: ${l.type}`) // ['flatten: Flatten', 'layers.0: Linear', …]
 * plan.loss?.target // 'classIndex'
 */
export function planGraph(doc: GraphDocument): GraphPlan {
  const inference = inferShapes(doc)
  const chain = modelChain(doc)
  const datasetNode = chain.data.find((n) => isDatasetType(n.type))
  const loaderNode = chain.data.find((n) => n.type === 'DataLoader')
  const normalizeNode = chain.data.find((n) => n.type === 'Normalize')

  let dataset: PlannedDataset | null = null
  if (datasetNode && isDatasetType(datasetNode.type)) {
    const block = blocks[datasetNode.type]
    const node = filled(datasetNode, datasetNode.type)
    dataset = {
      ...node,
      train: node.params.train !== false,
      classes: block.sample.classes,
      sampleShape: [...block.sample.shape],
    }
  }
  const classes = dataset?.classes ?? 10

  const layerNodes = chain.layers.filter((n): n is GraphNode & { type: LayerType } =>
    isLayerType(n.type),
  )
  const first = layerNodes[0]
  const leadingFlatten =
    first?.type === 'Flatten' && first.params.startDim === 1 && first.params.endDim === -1
  const layers = layerNodes.map((node, i): PlannedLayer => {
    const path = leadingFlatten && i === 0 ? 'flatten' : `layers.${leadingFlatten ? i - 1 : i}`
    return { ...filled(node, node.type), path }
  })

  let loss: PlannedLoss | null = null
  if (chain.loss && isLossType(chain.loss.type)) {
    const node = filled(chain.loss, chain.loss.type)
    const reduction = (node.params as { reduction: PlannedLoss['reduction'] }).reduction
    loss = { ...node, target: blocks[chain.loss.type].target, classes, reduction }
  }

  const normalize = normalizeNode ? filled(normalizeNode, 'Normalize').params : null
  return {
    name: doc.name,
    dataset,
    transforms: chain.data
      .filter((n) => n.type !== undefined && blocks[n.type]?.kind === 'transform')
      .map((n) => filled(n, n.type)),
    loader: loaderNode ? filled(loaderNode, 'DataLoader') : null,
    normalize: normalize ? { mean: [...normalize.mean], std: [...normalize.std] } : null,
    layers,
    leadingFlatten,
    loss,
    training: { ...doc.training },
    inference,
    errors: inference.issues.filter((i) => i.severity === 'error'),
    warnings: inference.issues.filter((i) => i.severity === 'warning'),
  }
}
