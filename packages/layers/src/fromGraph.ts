import {
  type GraphDocument,
  type GraphPlan,
  type LayerParams,
  type LayerType,
  type LossType,
  type MergeType,
  type NodeIssue,
  planGraph,
  type Reduction,
  type TrainingSettings,
} from '@tensorloom/graph'
import { createLayer } from './createLayer'
import { layersError } from './errors'
import { Generator } from './Generator'
import { GraphModel, type GraphModelStep } from './GraphModel'
import type { Layer } from './Layer'

/** The data pipeline a graph describes; train/studio turn it into datasets and loaders. */
export interface DataDescription {
  /** Which dataset the graph starts from. */
  dataset: 'MNIST' | 'FashionMNIST'
  /** The split the dataset node selects (`train=True` in PyTorch). */
  train: boolean
  /** Whether a ToTensor node scales pixels to [0, 1]. */
  toTensor: boolean
  /** Per-channel normalisation, or null without a Normalize node. */
  normalize: { mean: number[]; std: number[] } | null
  /** Images per batch of the DataLoader. */
  batchSize: number
  /** Whether the DataLoader reshuffles every epoch. */
  shuffle: boolean
}

/** The loss node of a graph, with its PyTorch-style parameters and its target encoding. */
export interface LossDescription {
  type: LossType
  /** `CrossEntropyLoss`'s label smoothing (0 for the other losses). */
  labelSmoothing: number
  reduction: Reduction
  /** How targets reach the loss: class indices, one-hot floats (`MSELoss`), or values (regression). */
  target: 'classIndex' | 'oneHot' | 'value'
  /** Number of classes (the width of one-hot targets). */
  classes: number
}

/** What {@link fromGraph} returns. */
export interface FromGraphResult {
  /** The network, ready to `call`; initialised from the document's training seed. */
  model: GraphModel
  /** The loss node's type, or null when the graph has none (only with `validate: false`). */
  lossType: LossType | null
  /** The loss node's type and parameters, or null. */
  loss: LossDescription | null
  /** The data pipeline to build (this package does not load data). */
  data: DataDescription
  /** The document's training settings (optimizer, lr, momentum, epochs, seed). */
  training: TrainingSettings
  /** Each layer node with the module built for it and its dotted path (`'layers.0'`). */
  nodes: Array<{ id: string; path: string; module: Layer }>
  /** Warnings the graph's shape inference reported (errors throw). */
  warnings: NodeIssue[]
  /** The graph's plan, which everything above was built from. */
  plan: GraphPlan
}

/** Options of {@link fromGraph}. */
export interface FromGraphOptions {
  /** Generator for the initial weights and dropout masks (default: a new one seeded with `doc.training.seed`). */
  generator?: Generator
  /** Check the document with `inferShapes` first and throw on errors (default true). */
  validate?: boolean
  /** Class name `model.toString()` prints (default `'SimpleNN'`, the lesson's). */
  className?: string
}

/**
 * Builds the model and describes the data pipeline and loss of a `@tensorloom/graph` document, in
 * the order of `modelChain(doc)`. The weights are initialised from `doc.training.seed` exactly as
 * PyTorch initialises them after `torch.manual_seed(seed)`. Throws `GRAPH_NOT_BUILDABLE` with the
 * graph's issues when shape inference finds errors (unless `validate: false`).
 *
 * @example
 * const { model, data, lossType } = fromGraph(templates.lesson)
 * model.call(tf.zeros([data.batchSize, 1, 28, 28])).shape // [64, 10]
 */
export function fromGraph(doc: GraphDocument, options: FromGraphOptions = {}): FromGraphResult {
  const plan = planGraph(doc)
  const errors = plan.errors
  if ((options.validate ?? true) && errors.length > 0) {
    throw layersError('GRAPH_NOT_BUILDABLE', { issues: errors })
  }
  const generator = options.generator ?? new Generator(doc.training.seed)

  const nodes = plan.layers.map((layer) => ({
    id: layer.id,
    path: layer.path,
    module: createLayer(layer.type, layer.params as LayerParams[LayerType], generator) as Layer,
  }))
  const modules = new Map(nodes.map((n) => [n.id, n]))
  const steps = plan.steps.map((step): GraphModelStep => {
    const built = modules.get(step.id)
    return built
      ? { id: step.id, kind: 'layer', path: built.path, module: built.module, inputs: step.inputs }
      : {
          id: step.id,
          kind: 'merge',
          type: step.type as MergeType,
          params: step.params,
          inputs: step.inputs,
        }
  })
  const layout = {
    steps,
    output: plan.output,
    chain: plan.chain,
    leadingFlatten: plan.leadingFlatten,
  }
  const model = new GraphModel(layout, options.className ?? 'SimpleNN')

  const loader = plan.loader?.params
  const data: DataDescription = {
    dataset: (plan.dataset?.type as DataDescription['dataset'] | undefined) ?? 'MNIST',
    train: plan.dataset?.train ?? true,
    toTensor: plan.transforms.some((n) => n.type === 'ToTensor'),
    normalize: plan.normalize,
    batchSize: loader?.batchSize ?? 64,
    shuffle: loader?.shuffle ?? true,
  }
  const loss: LossDescription | null = plan.loss
    ? {
        type: plan.loss.type,
        labelSmoothing: (plan.loss.params as { labelSmoothing?: number }).labelSmoothing ?? 0,
        reduction: plan.loss.reduction,
        target: plan.loss.target,
        classes: plan.loss.classes,
      }
    : null
  return {
    model,
    lossType: loss?.type ?? null,
    loss,
    data,
    training: { ...doc.training },
    nodes,
    warnings: plan.warnings,
    plan,
  }
}
