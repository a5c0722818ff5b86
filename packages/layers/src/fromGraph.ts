import {
  type GraphDocument,
  type GraphNode,
  inferShapes,
  type LayerParams,
  type LayerType,
  type LossType,
  layerDefaults,
  modelChain,
  type NodeIssue,
  type Reduction,
  type TrainingSettings,
} from '@tensorloom/graph'
import { createLayer } from './createLayer'
import { LayersError } from './errors'
import { Flatten } from './Flatten'
import { Generator } from './Generator'
import type { Layer } from './Layer'
import type { Module } from './Module'
import { Sequential } from './Sequential'

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

/** The loss node of a graph, with its PyTorch-style parameters. */
export interface LossDescription {
  type: LossType
  /** `CrossEntropyLoss`'s label smoothing (0 for the other losses). */
  labelSmoothing: number
  reduction: Reduction
}

/**
 * The model built from a graph: a `Sequential` laid out like the class `toPyTorch` exports —
 * `flatten` (when the first layer is a default `Flatten`, as in the lesson) and `layers` — so its
 * state-dict keys (`layers.0.weight`) and printout match the exported PyTorch script and weights
 * move between them as safetensors.
 */
export class GraphModel extends Sequential {
  /** The class name `toString()` prints (the exported script's class). */
  readonly className: string
  /** The layers after the optional leading `flatten`. */
  readonly layers: Sequential
  /** The leading `Flatten`, if the graph starts with a default one. */
  readonly flatten: Flatten | null

  constructor(flatten: Flatten | null, layers: Sequential, className: string) {
    super(flatten ? { flatten, layers } : { layers })
    this.className = className
    this.layers = layers
    this.flatten = flatten
  }

  protected override getName(): string {
    return this.className
  }
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

function param<T>(node: GraphNode | undefined, name: string, fallback: T): T {
  const value = node?.params[name]
  return value === undefined ? fallback : (value as T)
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
  const inference = inferShapes(doc)
  const errors = inference.issues.filter((i) => i.severity === 'error')
  if ((options.validate ?? true) && errors.length > 0) {
    const first = errors[0]!
    throw new LayersError(
      'GRAPH_NOT_BUILDABLE',
      `The graph has ${errors.length} error${errors.length === 1 ? '' : 's'} and cannot be built: ${first.message}`,
      {
        values: { issues: errors },
        hint: 'Fix the issues inferShapes(doc) reports (the studio offers one-click fixes).',
      },
    )
  }
  const chain = modelChain(doc)
  const generator = options.generator ?? new Generator(doc.training.seed)

  const built = chain.layers.map((node) => {
    const type = node.type as LayerType
    const params = { ...layerDefaults[type], ...node.params } as LayerParams[LayerType]
    return { id: node.id, module: createLayer(type, params, generator) as Layer }
  })
  const first = built[0]
  const leadingFlatten =
    first?.module instanceof Flatten && first.module.startDim === 1 && first.module.endDim === -1
      ? first.module
      : null
  const rest = leadingFlatten ? built.slice(1) : built
  const layers = new Sequential(...rest.map((b) => b.module as Module))
  const model = new GraphModel(leadingFlatten, layers, options.className ?? 'SimpleNN')
  const nodes = built.map((b, i) => ({
    id: b.id,
    module: b.module,
    path: leadingFlatten && i === 0 ? 'flatten' : `layers.${leadingFlatten ? i - 1 : i}`,
  }))

  const dataset = chain.data.find((n) => n.type === 'MNIST' || n.type === 'FashionMNIST')
  const normalize = chain.data.find((n) => n.type === 'Normalize')
  const loader = chain.data.find((n) => n.type === 'DataLoader')
  const data: DataDescription = {
    dataset: (dataset?.type as 'MNIST' | 'FashionMNIST' | undefined) ?? 'MNIST',
    train: param(dataset, 'train', true),
    toTensor: chain.data.some((n) => n.type === 'ToTensor'),
    normalize: normalize
      ? {
          mean: [...param<number[]>(normalize, 'mean', [0.1307])],
          std: [...param<number[]>(normalize, 'std', [0.3081])],
        }
      : null,
    batchSize: param(loader, 'batchSize', 64),
    shuffle: param(loader, 'shuffle', true),
  }
  const lossNode = chain.loss
  const loss: LossDescription | null = lossNode
    ? {
        type: lossNode.type as LossType,
        labelSmoothing: param(lossNode, 'labelSmoothing', 0),
        reduction: param<Reduction>(lossNode, 'reduction', 'mean'),
      }
    : null
  return {
    model,
    lossType: loss?.type ?? null,
    loss,
    data,
    training: { ...doc.training },
    nodes,
    warnings: inference.issues.filter((i) => i.severity === 'warning'),
  }
}
