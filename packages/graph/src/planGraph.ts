import type { DatasetBlock } from './blocks/block.js'
import { blocks } from './blocks/index.js'
import { inferShapes } from './inferShapes.js'
import type { LayerType } from './layerTypes.js'
import { isDatasetType, isLossType, modelChain } from './modelChain.js'
import { type ModelStep, modelGraph } from './modelSteps.js'
import { isLayerType, isMergeType } from './shapeRules.js'
import { nodeSpecs } from './specs.js'
import type {
  DatasetType,
  GraphDocument,
  GraphNode,
  LossType,
  MergeType,
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
  /**
   * In a chain: `'flatten'` for the lesson's leading Flatten, else `'layers.0'`, `'layers.1'`, ….
   * In a branching network: the layer's own attribute (`'fc1'`, `'conv2'`, `'relu'`).
   */
  path: string
}

/** One node of the model in execution order: a layer (with its path) or a merge. */
export type PlannedStep = (PlannedLayer | PlannedNode<MergeType>) & {
  /** The ids of the steps feeding it, in port order; `''` is the model's input. */
  inputs: string[]
  /** A merge's port of each input (`[]` for a layer). */
  ports: string[]
}

/** The loss, with how the class labels reach it. */
export interface PlannedLoss extends PlannedNode<LossType> {
  /**
   * Class indices (`CrossEntropyLoss`, `NLLLoss`), one-hot floats (`MSELoss` on classes), or the
   * numbers to predict as `(N, targets)` floats (`MSELoss` on a regression dataset).
   */
  target: 'classIndex' | 'oneHot' | 'value'
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
  /** Class labels or numbers to predict. */
  task: 'classification' | 'regression'
  /** Whether the dataset has its own train and test splits (`train=`). */
  split: 'own' | 'none'
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
  /** `random_split` of the dataset into training and test samples, or null. */
  split: { train: number; seed: number } | null
  /** The per-image transforms (`Resize`, …, `ToTensor`, `Normalize`), in order. */
  transforms: PlannedNode[]
  loader: PlannedNode<'DataLoader'> | null
  /** Per-channel normalisation, or null without a Normalize node. */
  normalize: { mean: number[]; std: number[] } | null
  /** The model's layers and merges in execution order, each with its inputs. */
  steps: PlannedStep[]
  /** The step whose output the loss reads (`''`: the model's input). */
  output: string
  /**
   * True when the model is one chain of layers (no branches, no merges): it is then laid out as
   * the lesson's `flatten` + `nn.Sequential`, otherwise with one attribute per layer.
   */
  chain: boolean
  /** The model's layers, in execution order. */
  layers: PlannedLayer[]
  /** True when the first layer of a chain is a default `Flatten`, exported as `self.flatten`. */
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

/** The lesson's layout: `flatten`, then `layers.0`, `layers.1`, … of an `nn.Sequential`. */
function chainPaths(steps: readonly ModelStep[], leadingFlatten: boolean): Map<string, string> {
  return new Map(
    steps.map((s, i) => [
      s.node.id,
      leadingFlatten && i === 0 ? 'flatten' : `layers.${leadingFlatten ? i - 1 : i}`,
    ]),
  )
}

/**
 * One attribute per layer, named after its block (`fc`, `conv`, `relu`), numbered in execution
 * order where a name is used more than once (`fc1`, `fc2`). Merges have none (they are `+`,
 * `torch.cat`, …).
 */
function attributePaths(steps: readonly ModelStep[]): Map<string, string> {
  const baseOf = (s: ModelStep): string | null => {
    if (!isLayerType(s.node.type)) return null
    const block = blocks[s.node.type] as { attribute?: string }
    return block.attribute ?? s.node.type.toLowerCase()
  }
  const counts = new Map<string, number>()
  for (const s of steps) {
    const base = baseOf(s)
    if (base) counts.set(base, (counts.get(base) ?? 0) + 1)
  }
  const seen = new Map<string, number>()
  const paths = new Map<string, string>()
  for (const s of steps) {
    const base = baseOf(s)
    if (!base) continue
    const n = (seen.get(base) ?? 0) + 1
    seen.set(base, n)
    paths.set(s.node.id, counts.get(base) === 1 ? base : `${base}${n}`)
  }
  return paths
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
    const block = blocks[datasetNode.type] as DatasetBlock<string, object>
    const node = filled(datasetNode, datasetNode.type)
    const data = block.info(node.params)
    dataset = {
      ...node,
      train: (node.params as { train?: boolean }).train !== false,
      classes: data.classes,
      task: data.task,
      sampleShape: [...data.shape],
      split: data.split,
    }
  }
  const classes = dataset?.classes ?? 10

  const start = chain.data.at(-1)
  const graph = start ? modelGraph(doc, start.id) : null
  const rawSteps: ModelStep[] = graph
    ? graph.steps
    : chain.layers.map((node, i) => ({
        node,
        inputs: [i === 0 ? '' : chain.layers[i - 1]!.id],
        ports: [],
      }))
  const output = graph ? graph.output : (chain.layers.at(-1)?.id ?? '')
  const isChain =
    rawSteps.every(
      (s, i) =>
        s.ports.length === 0 &&
        s.inputs.length === 1 &&
        s.inputs[0] === (i === 0 ? '' : rawSteps[i - 1]!.node.id),
    ) && output === (rawSteps.at(-1)?.node.id ?? '')
  const first = rawSteps[0]?.node
  const leadingFlatten =
    isChain &&
    first?.type === 'Flatten' &&
    first.params.startDim === 1 &&
    first.params.endDim === -1
  const paths = isChain ? chainPaths(rawSteps, leadingFlatten) : attributePaths(rawSteps)
  const steps = rawSteps
    .filter((s) => isLayerType(s.node.type) || isMergeType(s.node.type))
    .map(
      (s): PlannedStep =>
        ({
          ...filled(s.node, s.node.type as LayerType | MergeType),
          path: paths.get(s.node.id) ?? '',
          inputs: s.inputs,
          ports: s.ports,
        }) as PlannedStep,
    )
  const layers = steps.filter((s): s is PlannedStep & PlannedLayer => isLayerType(s.type))

  let loss: PlannedLoss | null = null
  const lossNode = graph ? graph.loss : chain.loss
  if (lossNode && isLossType(lossNode.type)) {
    const node = filled(lossNode, lossNode.type)
    const reduction = (node.params as { reduction: PlannedLoss['reduction'] }).reduction
    const target = dataset?.task === 'regression' ? 'value' : blocks[lossNode.type].target
    loss = { ...node, target, classes, reduction }
  }

  const normalize = normalizeNode ? filled(normalizeNode, 'Normalize').params : null
  const splitNode = chain.data.find((n) => n.type === 'RandomSplit')
  const split = splitNode ? filled(splitNode, 'RandomSplit').params : null
  return {
    name: doc.name,
    dataset,
    split: split ? { train: split.train, seed: split.seed } : null,
    transforms: chain.data
      .filter((n) => n.type !== undefined && blocks[n.type]?.kind === 'transform')
      .map((n) => filled(n, n.type)),
    loader: loaderNode ? filled(loaderNode, 'DataLoader') : null,
    normalize: normalize ? { mean: [...normalize.mean], std: [...normalize.std] } : null,
    steps,
    output,
    chain: isChain,
    layers,
    leadingFlatten,
    loss,
    training: { ...doc.training },
    inference,
    errors: inference.issues.filter((i) => i.severity === 'error'),
    warnings: inference.issues.filter((i) => i.severity === 'warning'),
  }
}
