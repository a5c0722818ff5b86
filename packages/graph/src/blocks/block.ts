import type { Fix, ShapeIssue, ShapeResult } from '../issue.js'
import type { ParamSpec } from '../types.js'

/** A parameter's spec without its name: the key of the block's `params` table is the name. */
export type ParamInput = Omit<ParamSpec, 'name'>

/** One spec per parameter of `P`, in the order the inspector shows them. */
export type ParamTable<P> = { readonly [K in keyof P]-?: ParamInput }

/** Where a block is listed in the palette. */
export type Category = 'data' | 'layers' | 'merges' | 'activations' | 'losses'

/** What a dataset node yields, read from its parameters (pure: no file is opened). */
export interface DatasetInfo {
  /** One sample as the pipeline's first step sees it: `[C, H, W]` for images, `[features]` for rows. */
  shape: readonly number[]
  /** `'image'`: a PIL image (ToTensor makes it a tensor); `'tensor'`: already a tensor (rows, points). */
  stage: 'image' | 'tensor'
  /** Class labels (`classification`) or numbers to predict (`regression`). */
  task: 'classification' | 'regression'
  /** Number of classes (a classifier's outputs), or of targets per sample for regression. */
  classes: number
  /** Mean and std of the training images per channel, for the Normalize fixes (null: unknown). */
  stats: { mean: readonly number[]; std: readonly number[] } | null
  /** `'own'`: the dataset has a train and a test split (`train=`); `'none'`: one set of samples. */
  split: 'own' | 'none'
  /** True when the images differ in size (a batch needs one: a Resize or a crop makes it so). */
  mixedSizes?: boolean
}

/** What flows out of a node while shapes are inferred: per-image data, then batches. */
export interface Flow {
  /** `'image'`: a PIL image; `'tensor'`: a per-image tensor; `'batch'`: a batch tensor. */
  stage: 'image' | 'tensor' | 'batch'
  shape: number[]
  /** The dataset block the data comes from. */
  dataset: string
  /** Class labels or numbers to predict. */
  task: 'classification' | 'regression'
  /** Classes of that dataset (the number of outputs a classifier needs). */
  classes: number
  /** Mean and std of the dataset's training images per channel, for the Normalize fixes. */
  stats: { mean: readonly number[]; std: readonly number[] } | null
  normalized: boolean
  afterLayer: boolean
  /** The DataLoader's batch size once batched, else 0. */
  batch: number
  /** True while the images still differ in size. */
  mixedSizes: boolean
  /** True when some samples are held out to test on (the dataset's own split or a RandomSplit). */
  heldOut: boolean
}

/** A node as a block's rules see it: id, type and parameters (defaults filled in). */
export interface NodeRef {
  id: string
  type: string | null
  params: Record<string, unknown>
}

/** What a block's editor rules may ask about the graph around the node. */
export interface InferContext {
  /** This node's type. */
  readonly self: string
  /** The node whose output feeds this one, or null. */
  readonly upstream: NodeRef | null
  /** The nearest node of `type` upstream of this one (following first inputs), or null. */
  findUpstream(type: string): NodeRef | null
  /** The Linear that sets this node's features, walking back over elementwise layers, or null. */
  lastLinear(): NodeRef | null
  /** The dataset node the data comes from, or null. */
  dataset(): NodeRef | null
  /** The node right after the dataset on the way to this one (this node itself, at most), or null. */
  afterDataset(): NodeRef | null
  /** Whether every parameter of this node is valid (invalid ones are reported already). */
  readonly paramsValid: boolean
}

/** An issue a block reports; `nodeId` shows it on another node (e.g. the Softmax before a loss). */
export type Finding = ShapeIssue & { nodeId?: string }

/** The outcome of one node during shape inference: its output (null on error) and its issues. */
export interface StepResult {
  output: Flow | null
  errors?: Finding[]
  warnings?: Finding[]
}

interface BlockBase<T extends string, P extends object> {
  /** The node type, PyTorch's class name (`'Linear'`). */
  readonly type: T
  readonly category: Category
  /** One sentence for the palette. */
  readonly description: string
  /** Parameter specs: PyTorch's snake_case label, kind, limits and help, keyed by camelCase name. */
  readonly params: ParamTable<P>
  /** PyTorch's defaults, or the lesson's values where PyTorch requires an argument. */
  readonly defaults: P
  /** One short line with the key parameters, shown on the canvas (`'784 → 128'`). */
  summary(params: P): string
  /** PyTorch's own error for an invalid value, where it has one (else a generic message). */
  invalidParam?(name: keyof P & string, value: unknown, fix: Fix | undefined): ShapeIssue | null
}

/** A dataset: where a pipeline starts (`datasets.MNIST`). */
export interface DatasetBlock<T extends string, P extends object> extends BlockBase<T, P> {
  readonly kind: 'dataset'
  /** The samples' shape, the task and classes, and the statistics, from the parameters. */
  info(params: P): DatasetInfo
  /** What makes the parameters unusable together (e.g. fewer than two classes), if anything. */
  check?(params: P): ShapeIssue | null
  /** How the exported PyTorch script loads it (torchvision, or a small `Dataset` class). */
  readonly pytorch: DatasetCode<P>
  /** How the exported TypeScript program loads it (`@tensorloom/data`). */
  readonly typescript: DatasetCode<P>
}

/** How an exported program loads a dataset. */
export interface DatasetCode<P> {
  /**
   * The expression that loads one split: `train` is true or false for a dataset with its own
   * split, null for the whole set (split by a `RandomSplit` block); the program's variables
   * `root` (from `--data-root`) and `transform` are in scope.
   */
  load(params: P, train: boolean | null): string
  /** What the program imports: TypeScript names from `@tensorloom/data`, Python import lines. */
  imports(params: P): readonly string[]
  /** Module-level code the load needs (a `Dataset` class, a generator), if any. */
  definitions?(params: P): string
  /** The default of `--data-root` (e.g. `'./data'`, or the file the document names). */
  defaultRoot(params: P): string
  /** The help text of `--data-root`, where more than "where the dataset is stored" helps. */
  rootHelp?(params: P): string
}

/** A per-image transform (`transforms.Normalize`) or the DataLoader. */
export interface PipelineBlock<T extends string, P extends object> extends BlockBase<T, P> {
  /** `'split'`: `random_split` of the dataset; `'transform'`: per image; `'loader'`: batches. */
  readonly kind: 'split' | 'transform' | 'loader'
  /** The output for `input`, or the errors PyTorch or torchvision would raise, with warnings. */
  infer(input: Flow, params: P, ctx: InferContext): StepResult
  /** The torchvision expression (transforms only), e.g. `'transforms.ToTensor()'`. */
  pytorch(params: P): string
  /** The `@tensorloom/data` expression (transforms only), e.g. `'new ToTensor()'`. */
  typescript(params: P): string
}

/** A layer or activation: a module of the network. */
export interface LayerBlock<T extends string, P extends object> extends BlockBase<T, P> {
  readonly kind: 'layer'
  /**
   * The output shape for a batch-first input shape, or the error PyTorch raises, in PyTorch's
   * words and with a fix. Pure: the runtime layers call it too, so editor and runtime agree.
   * Parameters are validated before it runs.
   */
  shape(input: readonly number[], params: P): ShapeResult
  /** Trainable parameters, as `sum(p.numel() for p in layer.parameters())` counts them. */
  paramCount(params: P): number
  /** True when the layer keeps every shape and feature count (activations, dropout). */
  readonly elementwise: boolean
  /**
   * The attribute name a branching network's exported class gives the layer, numbered when there
   * are several (`'fc'` -> `self.fc1`, `self.fc2`); default: the type in lower case.
   */
  readonly attribute?: string
  /** For an invalid size parameter: the value the input shape calls for (a better fix). */
  readonly paramFromInput?: {
    readonly [K in keyof P]?: (input: readonly number[]) => number | number[] | undefined
  }
  /** Editor-only checks after a successful shape rule (warnings, errors that need the graph). */
  inspect?(input: readonly number[], params: P, ctx: InferContext): Omit<StepResult, 'output'>
  /** Editor-only: a better fix for a shape error, given the graph around the node. */
  refineError?(issue: ShapeIssue, ctx: InferContext): ShapeIssue
  /** The PyTorch module expression, e.g. `'nn.Linear(784, 128)'`. */
  pytorch(params: P): string
  /** The `@tensorloom/layers` expression, e.g. `'new Linear(784, 128)'`. */
  typescript(params: P): string
}

/** A loss: the end of the network. */
export interface LossBlock<T extends string, P extends { reduction: string }>
  extends BlockBase<T, P> {
  readonly kind: 'loss'
  /**
   * How class labels reach the loss: as class indices (`CrossEntropyLoss`, `NLLLoss`) or one-hot
   * encoded floats (`MSELoss` here). Training, the checks and both exports follow it.
   */
  readonly target: 'classIndex' | 'oneHot'
  /** Checks the network's output against the targets; the output is the loss's shape. */
  infer(input: Flow, params: P, ctx: InferContext): StepResult
  /** The PyTorch expression, e.g. `'nn.CrossEntropyLoss()'`. */
  pytorch(params: P): string
  /** The `@tensorloom/train` expression, e.g. `'new CrossEntropyLoss()'`. */
  typescript(params: P): string
}

/** The named inputs of a merge block: fixed names, or a numbered list (`'0'`, `'1'`, …). */
export type Ports =
  | { readonly kind: 'named'; readonly names: readonly string[] }
  | { readonly kind: 'list'; readonly min: number }

/** A block with several inputs on named ports: `x + y`, `torch.cat([a, b], dim=1)`. */
export interface MergeBlock<T extends string, P extends object> extends BlockBase<T, P> {
  readonly kind: 'merge'
  readonly ports: Ports
  /**
   * The output shape for the inputs' shapes (in port order), or the error PyTorch raises, in its
   * words, with a fix (e.g. a projection inserted on one input's port). Pure: the runtime uses it.
   */
  shape(inputs: readonly (readonly number[])[], params: P, ports: readonly string[]): ShapeResult
  /** Editor-only checks after a successful shape rule (warnings). */
  inspect?(inputs: readonly (readonly number[])[], params: P): Omit<StepResult, 'output'>
  /** The PyTorch expression of the inputs' variables, e.g. `'x + identity'`. */
  pytorch(params: P, args: readonly string[]): string
  /** The TypeScript (tfjs) expression, e.g. `'tf.add(x, identity)'`. */
  typescript(params: P, args: readonly string[]): string
}

/** Any block definition. */
export type Block =
  | DatasetBlock<string, object>
  | PipelineBlock<string, object>
  | LayerBlock<string, object>
  | MergeBlock<string, object>
  | LossBlock<string, { reduction: string }>

/** The parameters type of a block definition. */
export type ParamsOf<B> = B extends { defaults: infer P } ? P : never

/** Defines a layer block (checks the definition against {@link LayerBlock}). */
export const defineLayer = <T extends string, P extends object>(
  block: LayerBlock<T, P>,
): LayerBlock<T, P> => block

/** Defines a dataset block. */
export const defineDataset = <T extends string, P extends object>(
  block: DatasetBlock<T, P>,
): DatasetBlock<T, P> => block

/** Defines a transform or DataLoader block. */
export const definePipeline = <T extends string, P extends object>(
  block: PipelineBlock<T, P>,
): PipelineBlock<T, P> => block

/** Defines a merge block. */
export const defineMerge = <T extends string, P extends object>(
  block: MergeBlock<T, P>,
): MergeBlock<T, P> => block

/** Defines a loss block. */
export const defineLoss = <T extends string, P extends { reduction: string }>(
  block: LossBlock<T, P>,
): LossBlock<T, P> => block
