import type { Category, ParamsOf } from './blocks/block.js'
import type { BlockRegistry } from './blocks/index.js'
import type { Fix } from './issue.js'

/** Every node type a graph document may hold: one per block definition in `blocks`. */
export type NodeType = keyof BlockRegistry

/** The node types whose block has one of the kinds `K`. */
export type NodeTypeOfKind<K extends string> = {
  [T in NodeType]: BlockRegistry[T]['kind'] extends K ? T : never
}[NodeType]

/** Node types of the data pipeline: a dataset, per-image transforms, and the DataLoader. */
export type DataType = NodeTypeOfKind<'dataset' | 'split' | 'transform' | 'loader'>

/** Node types a pipeline starts from (`MNIST`, `FashionMNIST`). */
export type DatasetType = NodeTypeOfKind<'dataset'>

/** Node types that join several inputs on named ports (`Add`, `Concat`, `Mul`). */
export type MergeType = NodeTypeOfKind<'merge'>

/** Node types of the loss at the end of the network. */
export type LossType = NodeTypeOfKind<'loss'>

/** How a loss reduces the per-sample losses (`reduction=` in PyTorch). */
export type Reduction = 'mean' | 'sum' | 'none'

/** Parameters of every node type, camelCase (PyTorch's defaults are in `nodeSpecs`). */
export type NodeParams = { [T in NodeType]: ParamsOf<BlockRegistry[T]> }

/** Parameters of the data and loss node types (the layer ones are `LayerParams`). */
export type DataLossParams = { [T in DataType | LossType]: NodeParams[T] }

/** A node of the graph. `params` holds the type's parameters (see `NodeParams`). */
export interface GraphNode {
  id: string
  type: NodeType
  params: Record<string, unknown>
  position: { x: number; y: number }
}

/** A connection from `source`'s output to `target`'s input (`targetPort` for multi-input nodes). */
export interface GraphEdge {
  id: string
  source: string
  target: string
  targetPort?: string
}

/** How the network is trained. `momentum` applies to SGD only. */
export interface TrainingSettings {
  optimizer: 'SGD' | 'Adam' | 'AdamW'
  lr: number
  momentum: number
  epochs: number
  seed: number
}

/** A saved network: nodes, edges and training settings, versioned. */
export interface GraphDocument {
  version: 2
  name: string
  nodes: GraphNode[]
  edges: GraphEdge[]
  training: TrainingSettings
}

/** The kinds of parameter the inspector knows how to edit. */
export type ParamKind =
  | 'int'
  | 'float'
  | 'bool'
  | 'floatList'
  | 'intList'
  | 'enum'
  | 'intOrNull'
  | 'text'
  | 'textList'

/** Describes one parameter of a node type, for the inspector and for validation. */
export interface ParamSpec {
  /** camelCase key in `params`, e.g. `inFeatures`. */
  name: string
  /** PyTorch's snake_case name, e.g. `in_features`. */
  label: string
  kind: ParamKind
  /** Smallest allowed value (of each entry, for `floatList` and `intList`). */
  min?: number
  /** Largest allowed value (of each entry, for `floatList` and `intList`). */
  max?: number
  /** When true, `min` itself is not allowed (e.g. `lr > 0`). */
  minExclusive?: boolean
  /** Allowed values, for `enum`. */
  options?: string[]
  /**
   * Most entries, for `floatList` and `intList` (default 16) and `textList` (default 1000); most
   * characters, for `text` and each entry of `textList` (default 200).
   */
  maxLength?: number
  /** One sentence for the inspector. */
  help: string
}

/** What the palette and inspector know about a node type. */
export interface NodeSpec<T extends NodeType = NodeType> {
  type: T
  category: Category
  description: string
  params: ParamSpec[]
  defaults: Record<string, unknown>
}

/** A problem on a node (or, with `nodeId: ''`, on the whole graph). */
export interface NodeIssue {
  /** The node the issue is shown on; `''` for whole-graph issues such as a missing data source. */
  nodeId: string
  severity: 'error' | 'warning'
  code: string
  message: string
  fix?: Fix
  /** The values the message was built from. */
  values?: Record<string, unknown>
}

/** The result of `inferShapes`: shapes on edges and nodes, parameter counts and issues. */
export interface ShapeInference {
  /** Per edge id: the tensor shape flowing along it and its label, like `'(64, 784)'` or `'?'`. */
  edges: Record<string, { shape: number[] | null; label: string }>
  /** Per node id: input and output shape (null when unknown) and number of trainable parameters. */
  nodes: Record<
    string,
    { inputShape: number[] | null; outputShape: number[] | null; paramCount: number }
  >
  /** Errors first, then warnings, each in node order. */
  issues: NodeIssue[]
  /** Trainable parameters of all layers (the lesson's network: 101,770). */
  totalParams: number
  /** The DataLoader's batch size, or null without a valid DataLoader. */
  batchSize: number | null
}
