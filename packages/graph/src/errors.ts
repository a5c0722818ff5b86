import { formatSize } from './formatShape.js'
import type { Fix, ShapeIssue } from './layerTypes.js'

/** Longest string quoted whole in a message; longer ones (a hostile document's) are cut. */
const MAX_QUOTED = 80

const fmtValue = (value: unknown): string => {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED)}…` : value)
  }
  // Unvalidated data may hold anything: String() of a deeply nested list overflows the stack,
  // and of an object without a prototype throws.
  if (Array.isArray(value)) {
    return value.every((v) => typeof v !== 'object' || v === null) ? String(value) : 'a nested list'
  }
  return typeof value === 'object' && value !== null ? 'an object' : String(value)
}

/**
 * Every message Tensorloom reports, keyed by its stable code. Where PyTorch raises an error for the
 * same mistake, the message is PyTorch's own wording, so users can search for it.
 */
export const errorMessages = {
  // Shape rules (what PyTorch raises at run time)
  LINEAR_SHAPE_MISMATCH: (v: {
    mat1: readonly number[]
    mat2: readonly number[]
    inputShape: readonly number[]
    inFeatures: number
    features: number
  }) =>
    `mat1 and mat2 shapes cannot be multiplied (${v.mat1[0]}x${v.mat1[1]} and ${v.mat2[0]}x${v.mat2[1]})`,
  LINEAR_SCALAR_INPUT: (_v: { inputShape: readonly number[] }) =>
    'both arguments to matmul need to be at least 1D, but they are 0D and 2D',
  CONV2D_INPUT_RANK: (v: { inputShape: readonly number[] }) =>
    `Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: ${formatSize(v.inputShape)}`,
  CONV2D_CHANNEL_MISMATCH: (v: {
    weightShape: readonly number[]
    inputShape: readonly number[]
    expected: number
    actual: number
  }) =>
    `Given groups=1, weight of size ${formatSize(v.weightShape)}, expected input${formatSize(v.inputShape)} to have ${v.expected} channels, but got ${v.actual} channels instead`,
  CONV2D_KERNEL_TOO_LARGE: (v: { paddedHeight: number; paddedWidth: number; kernelSize: number }) =>
    `Calculated padded input size per channel: (${v.paddedHeight} x ${v.paddedWidth}). Kernel size: (${v.kernelSize} x ${v.kernelSize}). Kernel size can't be greater than actual input size`,
  MAXPOOL2D_INPUT_RANK: (_v: { inputShape: readonly number[] }) =>
    'non-empty 3D or 4D (batch mode) tensor expected for input',
  MAXPOOL2D_OUTPUT_TOO_SMALL: (v: { input: readonly number[]; output: readonly number[] }) =>
    `Given input size: (${v.input.join('x')}). Calculated output size: (${v.output.join('x')}). Output size is too small`,
  BATCHNORM_INPUT_RANK: (v: { rank: number }) => `expected 2D or 3D input (got ${v.rank}D input)`,
  BATCHNORM_FEATURE_MISMATCH: (v: { numFeatures: number; inputFeatures: number }) =>
    `running_mean should contain ${v.inputFeatures} elements not ${v.numFeatures}`,
  BATCHNORM2D_INPUT_RANK: (v: { rank: number }) => `expected 4D input (got ${v.rank}D input)`,
  LAYERNORM_SHAPE_MISMATCH: (v: {
    normalizedShape: readonly number[]
    inputShape: readonly number[]
  }) =>
    `Given normalized_shape=${formatSize(v.normalizedShape)}, expected input with shape [*, ${v.normalizedShape.join(', ')}], but got input of size${formatSize(v.inputShape)}`,
  AVGPOOL2D_INPUT_RANK: (v: { inputShape: readonly number[] }) =>
    `Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:${formatSize(v.inputShape)}`,
  AVGPOOL2D_PADDING: (v: { padding: number; kernelSize: number }) =>
    `pad should be at most half of kernel size, but got pad=${v.padding} and kernel_size=${v.kernelSize}`,
  AVGPOOL2D_OUTPUT_TOO_SMALL: (v: { input: readonly number[]; output: readonly number[] }) =>
    `Given input size: (${v.input.join('x')}). Calculated output size: (${v.output.join('x')}). Output size is too small`,
  ADAPTIVEAVGPOOL2D_INPUT_RANK: (v: { inputShape: readonly number[] }) =>
    `adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got ${formatSize(v.inputShape)}`,
  ADAPTIVEAVGPOOL2D_EMPTY_INPUT: (v: { inputShape: readonly number[]; dim: number }) =>
    `adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ${formatSize(v.inputShape)} with dimension ${v.dim} being empty`,
  DROPOUT2D_INPUT_RANK: (_v: { inputShape: readonly number[] }) =>
    'Feature dropout requires at least 2 dimensions in the input',
  DIM_OF_SCALAR: (v: { dim: number }) =>
    `Dimension specified as ${v.dim} but tensor has no dimensions`,
  DIM_OUT_OF_RANGE: (v: { min: number; max: number; dim: number }) =>
    `Dimension out of range (expected to be in range of [${v.min}, ${v.max}], but got ${v.dim})`,
  FLATTEN_INVALID_DIMS: (_v: { startDim: number; endDim: number }) =>
    'flatten() has invalid args: start_dim cannot come after end_dim',
  DROPOUT_PROBABILITY: (v: { p: number }) =>
    `dropout probability has to be between 0 and 1, but got ${v.p}`,
  INVALID_INPUT_SHAPE: (v: { inputShape: readonly unknown[] | unknown }) =>
    `input shape ${Array.isArray(v.inputShape) ? formatSize(v.inputShape) : fmtValue(v.inputShape)} is not a tensor shape: every size must be a non-negative integer`,
  INVALID_PARAM: (v: {
    type: string
    param: string
    label: string
    value: unknown
    expected: string
  }) => `${v.type}: ${v.label} must be ${v.expected}, but got ${fmtValue(v.value)}`,
  TOO_MANY_PARAMETERS: (v: { type: string; count: number; max: number }) =>
    `${v.type} would have ${v.count.toLocaleString('en-US')} parameters, more than the ${v.max.toLocaleString('en-US')} a browser can train: use smaller sizes`,
  TENSOR_TOO_LARGE: (v: { type: string; shape: readonly number[]; max: number }) =>
    `${v.type} would output a tensor of size ${formatSize(v.shape)}, more than ${v.max.toLocaleString('en-US')} elements: use smaller sizes or a smaller batch`,

  // Graph structure
  UNKNOWN_NODE_TYPE: (v: { type: unknown; known: readonly string[] }) =>
    `Unknown node type ${fmtValue(v.type)}: expected one of ${v.known.join(', ')}`,
  DUPLICATE_NODE_ID: (v: { id: string }) =>
    `Two nodes have the id "${v.id}": every node needs its own id`,
  EDGE_TO_MISSING_NODE: (v: { edgeId: string; missing: string }) =>
    `Edge "${v.edgeId}" connects to node "${v.missing}", which does not exist`,
  CYCLE: (v: { path: readonly string[] }) =>
    `Cycle: ${v.path.join(' -> ')}. A network flows one way: remove one of these connections`,
  MULTIPLE_INPUTS: (v: { type: string; sources: readonly string[] }) =>
    `${v.type} takes one input, but ${v.sources.length} connections lead into it (from ${v.sources.join(', ')}): remove all but one`,
  MULTIPLE_OUTPUTS: (v: { type: string; targets: readonly string[] }) =>
    `${v.type} feeds ${v.targets.length} nodes (${v.targets.join(', ')}), but the data pipeline is one chain up to the DataLoader: branch after the DataLoader instead, and remove all but one connection here`,
  MERGE_MISSING_INPUT: (v: {
    type: string
    missing: readonly string[]
    ports: readonly string[]
    min?: number
  }) =>
    v.ports.length === 0
      ? `${v.type} needs at least ${v.min ?? 2} inputs: connect ${v.missing.length === 1 ? 'another one' : `${v.missing.length} more`}`
      : `${v.type} needs its input${v.missing.length === 1 ? '' : 's'} ${v.missing.join(' and ')}: connect ${v.missing.length === 1 ? 'it' : 'them'}`,
  PORT_TAKEN: (v: { type: string; port: string; sources: readonly string[] }) =>
    `${v.type}'s input ${v.port} has ${v.sources.length} connections (from ${v.sources.join(', ')}): an input takes one, remove all but one`,
  UNKNOWN_PORT: (v: { type: string; port: string; ports: readonly string[] }) =>
    `${v.type} has no input ${JSON.stringify(v.port)}${v.ports.length > 0 ? `: its inputs are ${v.ports.join(', ')}` : ''}`,
  UNUSED_OUTPUT: (v: { type: string; id: string }) =>
    `The output of ${v.type} (${v.id}) does not reach the loss, so it is not trained: connect it to the network or remove it`,
  DATASET_HAS_INPUT: (v: { type: string }) =>
    `${v.type} is a data source and takes no input: remove the connection into it`,
  LOSS_NOT_LAST: (v: { type: string }) =>
    `${v.type} computes the loss and must be the last node: remove the connections out of it`,
  DISCONNECTED_NODE: (v: { type: string; id: string }) =>
    `${v.type} (${v.id}) is not connected to the network: connect it or remove it`,
  NO_INPUT: (v: { type: string }) =>
    `${v.type} has no input: connect the node before it, or remove it`,
  NO_DATA_SOURCE: (_v: Record<string, never>) =>
    'The network has no data source: add MNIST -> ToTensor -> Normalize -> DataLoader before the first layer',
  MULTIPLE_DATA_SOURCES: (v: { ids: readonly string[] }) =>
    `The network has ${v.ids.length} data sources (${v.ids.join(', ')}): keep one`,
  NO_LOSS: (_v: Record<string, never>) =>
    'The network has no loss: add CrossEntropyLoss after the last layer',
  INVALID_TRAINING_SETTING: (v: { setting: string; value: unknown; expected: string }) =>
    `Training setting ${v.setting} must be ${v.expected}, but got ${fmtValue(v.value)}`,
  INTERNAL_ERROR: (v: { message: string }) =>
    `Shape inference failed unexpectedly (${v.message}): please report this with the graph file`,

  // Data pipeline (torchvision's wording)
  MISSING_TO_TENSOR: (_v: Record<string, never>) =>
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found <class 'PIL.Image.Image'>",
  TO_TENSOR_ON_TENSOR: (_v: Record<string, never>) =>
    "pic should be PIL Image or ndarray. Got <class 'torch.Tensor'>",
  NORMALIZE_ON_IMAGE: (_v: Record<string, never>) =>
    "img should be Tensor Image. Got <class 'PIL.Image.Image'>",
  NORMALIZE_CHANNEL_MISMATCH: (v: {
    inputShape: readonly number[]
    broadcastShape: readonly number[]
  }) =>
    `output with shape ${formatSize(v.inputShape)} doesn't match the broadcast shape ${formatSize(v.broadcastShape)}`,
  NORMALIZE_ZERO_STD: (_v: Record<string, never>) =>
    'std evaluated to zero after conversion to torch.float32, leading to division by zero.',
  IMAGE_TRANSFORM_INPUT: (v: { type: string; inputShape: readonly number[] }) =>
    `${v.type} transforms images of shape (C, H, W), but gets samples of shape ${formatSize(v.inputShape)}: remove it`,
  GRAYSCALE_CHANNELS: (v: { numOutputChannels: number }) =>
    `num_output_channels should be either 1 or 3, but got ${v.numOutputChannels}`,
  CROP_TOO_LARGE: (v: { size: readonly number[]; image: readonly number[] }) =>
    `Required crop size (${v.size.join(', ')}) is larger than input image size (${v.image.join(', ')})`,
  MIXED_IMAGE_SIZES: (v: { dataset: string; height: number; width: number }) =>
    `The images of ${v.dataset} differ in size, but a batch stacks images of one size: resize them, e.g. Resize((${v.height}, ${v.width})) before ToTensor`,
  DATASET_TOO_FEW_CLASSES: (v: { type: string; classes: number }) =>
    `${v.type} has ${v.classes} class${v.classes === 1 ? '' : 'es'}: a classifier needs at least 2 (one folder or label per class)`,
  DATASET_NO_FEATURES: (v: { type: string }) =>
    `${v.type} has no feature columns: choose the columns the model reads`,
  NO_TEST_SPLIT: (v: { dataset: string }) =>
    `${v.dataset} has no test split: the test accuracy would be measured on the training samples. Add RandomSplit after it to hold some samples out`,
  RANDOM_SPLIT_PLACE: (v: { after: string }) =>
    `RandomSplit splits a dataset into training and test samples: put it right after the dataset, not after ${v.after}`,
  MISSING_DATALOADER: (v: { type: string }) =>
    `${v.type} needs batches of tensors: put a DataLoader between the data and the first layer`,
  DATA_AFTER_DATALOADER: (v: { type: string }) =>
    `${v.type} is a per-image transform and must come before the DataLoader`,
  DATA_AFTER_LAYER: (v: { type: string }) =>
    `${v.type} belongs to the data pipeline and cannot follow a layer`,

  // Losses
  CROSS_ENTROPY_SPATIAL_TARGET: (v: { rank: number }) =>
    `only batches of spatial targets supported (3D tensors) but got targets of dimension: ${v.rank}`,
  LOSS_TARGET_SIZE: (v: { expected: readonly number[]; actual: readonly number[] }) =>
    `Expected target size ${formatSize(v.expected)}, got ${formatSize(v.actual)}`,
  LOSS_SIZE_MISMATCH: (v: { input: readonly number[]; target: readonly number[] }) =>
    `size mismatch (got input: ${formatSize(v.input)}, target: ${formatSize(v.target)})`,
  CLASS_COUNT_MISMATCH: (v: { target: number; outputs: number }) =>
    `Target ${v.target} is out of bounds.`,
  MSE_SIZE_MISMATCH: (v: { a: number; b: number; dim: number }) =>
    `The size of tensor a (${v.a}) must match the size of tensor b (${v.b}) at non-singleton dimension ${v.dim}`,
  BROADCAST_SIZE_MISMATCH: (v: { a: number; b: number; dim: number }) =>
    `The size of tensor a (${v.a}) must match the size of tensor b (${v.b}) at non-singleton dimension ${v.dim}`,
  CONCAT_RANK_MISMATCH: (v: { first: number; other: number }) =>
    `Tensors must have same number of dimensions: got ${v.first} and ${v.other}`,
  CONCAT_SIZE_MISMATCH: (v: { dim: number; expected: number; actual: number; index: number }) =>
    `Sizes of tensors must match except in dimension ${v.dim}. Expected size ${v.expected} but got size ${v.actual} for tensor number ${v.index} in the list.`,
  LOSS_NEEDS_CLASSES: (v: { type: string; dataset: string }) =>
    `${v.type} needs class labels, but ${v.dataset} has numbers to predict (regression): use MSELoss`,
  LOSS_BATCH_MISMATCH: (v: { input: number; target: number }) =>
    `Expected input batch_size (${v.input}) to match target batch_size (${v.target}).`,
  BATCHNORM_BATCH_OF_ONE: (v: { inputShape: readonly number[] }) =>
    `Expected more than 1 value per channel when training, got input size torch.Size(${formatSize(v.inputShape)})`,

  // Warnings: valid PyTorch, but a real mistake
  SOFTMAX_OVER_BATCH: (v: { type: string; dim: number }) =>
    `${v.type}(dim=${v.dim}) normalizes across the batch: each image's scores then depend on the other images. Use dim=1 (the class dimension)`,
  SOFTMAX_BEFORE_CROSS_ENTROPY: (v: { type: string }) =>
    `CrossEntropyLoss applies log_softmax itself: the ${v.type} before it squashes the logits a second time and slows learning. Remove the ${v.type}`,
  SOFTMAX_BEFORE_NLL: (_v: Record<string, never>) =>
    'NLLLoss expects log-probabilities, but Softmax outputs probabilities: use LogSoftmax',
  NLL_WITHOUT_LOG_SOFTMAX: (_v: Record<string, never>) =>
    'NLLLoss expects log-probabilities: put LogSoftmax(dim=1) before it, or use CrossEntropyLoss',
  CONCAT_OVER_BATCH: (v: { dim: number }) =>
    `Concatenating along dim=${v.dim} stacks the batches instead of joining features: the model then sees more samples than labels. Use dim=1`,
  DROPOUT2D_3D_INPUT: (_v: { inputShape: readonly number[] }) =>
    'dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will change in a future release to interpret the input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.',
  DROPOUT2D_DEPRECATED_RANK: (v: { rank: number }) =>
    `dropout2d: Received a ${v.rank}-D input to dropout2d, which is deprecated and will result in an error in a future release. To retain the behavior and silence this warning, please use dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).`,
  SHUFFLE_DISABLED: (_v: Record<string, never>) =>
    'The training DataLoader does not shuffle: the model sees the images in the same order every epoch, and when a dataset is sorted by class it learns the order instead of the digits. Use shuffle=True',
  MISSING_NORMALIZE: (v: { mean: number | readonly number[]; std: number | readonly number[] }) =>
    `The images are not normalized: add Normalize(${pyTuple(v.mean)}, ${pyTuple(v.std)}) after ToTensor so inputs are centred around 0 and the model learns faster`,
  TRAINING_ON_TEST_SET: (v: { type: string }) =>
    `${v.type}(train=False) is the test split: train on train=True; the exported script evaluates on the test split itself`,

  // Editing: why the editor refuses a connection
  INPUT_TAKEN: (v: {
    type: string
    source: string
    sourceType: string
    port?: string
    free?: readonly string[]
  }) =>
    v.port === undefined
      ? `${v.type} takes one input, and ${v.sourceType} (${v.source}) is already connected: remove that wire first (or use an Add or Concat block to join both)`
      : `${v.type}'s input ${v.port} is already connected to ${v.sourceType} (${v.source}): remove that wire first${v.free && v.free.length > 0 ? `, or connect to input ${v.free.join(' or ')}` : ''}`,
  MERGE_INPUTS_FULL: (v: { type: string; ports: readonly string[] }) =>
    `${v.type}'s inputs ${v.ports.join(' and ')} are ${v.ports.length === 2 ? 'both' : 'all'} connected: remove one of those wires first`,

  // Document validation
  NOT_JSON: (v: { reason: string }) => `The document is not valid JSON: ${v.reason}`,
  DOCUMENT_TOO_LARGE: (v: { bytes: number; max: number }) =>
    `The document is ${v.bytes.toLocaleString('en-US')} bytes, more than the ${v.max.toLocaleString('en-US')}-byte limit`,
  TOO_MANY_NODES: (v: { count: number; max: number }) =>
    `The document has ${v.count.toLocaleString('en-US')} nodes, more than the ${v.max.toLocaleString('en-US')}-node limit`,
  TOO_MANY_EDGES: (v: { count: number; max: number }) =>
    `The document has ${v.count.toLocaleString('en-US')} edges, more than the ${v.max.toLocaleString('en-US')}-edge limit`,
  TOO_DEEP: (v: { max: number }) => `The document nests deeper than ${v.max} levels`,
  TOO_MANY_KEYS: (v: { count: number; max: number }) =>
    `This object has ${v.count.toLocaleString('en-US')} keys, more than the ${v.max.toLocaleString('en-US')}-key limit`,
  FORBIDDEN_KEY: (v: { key: string }) =>
    `The key "${v.key}" is not allowed in a document (it could alter JavaScript prototypes)`,
  UNSUPPORTED_VERSION: (v: { version: unknown; current: number }) =>
    v.version === undefined
      ? `The document has no version: expected "version": ${v.current}`
      : `Unsupported document version ${fmtValue(v.version)}: this Tensorloom reads versions 0 to ${v.current}; a newer document needs a newer Tensorloom`,
  UNREADABLE_DOCUMENT: (v: { reason: string }) => `The document could not be read: ${v.reason}`,
  DUPLICATE_ID: (v: { kind: string; id: string }) =>
    `Duplicate ${v.kind} id "${v.id}": every ${v.kind} needs its own id`,
  MISSING_NODE: (v: { id: string }) => `No node has the id "${v.id}"`,
  UNKNOWN_PARAM: (v: { type: string; param: string; known: readonly string[] }) =>
    `${v.type} has no parameter "${v.param}"${v.known.length > 0 ? `: expected ${v.known.join(', ')}` : ': it takes none'}`,
  INVALID_VALUE: (v: { expected: string; received: string }) =>
    `expected ${v.expected}, got ${v.received}`,
  FIX_TARGET_MISSING: (v: { id: string }) =>
    `Cannot apply the fix: the document has no node "${v.id}" (it may have been removed)`,
  EXPORT_BLOCKED: (v: { count: number; first: string }) =>
    `The graph has ${v.count} error${v.count === 1 ? '' : 's'} and cannot be exported: ${v.first}`,
  INVALID_PACKAGE_OPTION: (v: { option: string; value: string; problem: string }) =>
    `Invalid ${v.option} ${JSON.stringify(v.value.length > 80 ? `${v.value.slice(0, 80)}…` : v.value)}: ${v.problem}`,
} as const

/** A stable code of a Tensorloom error or warning. */
export type ErrorCode = keyof typeof errorMessages

/** The values a code's message is built from. */
export type ErrorValues<C extends ErrorCode> = Parameters<(typeof errorMessages)[C]>[0]

/** Builds a `ShapeIssue` for a code from its values (and an optional fix). */
export function makeIssue<C extends ErrorCode>(
  code: C,
  values: ErrorValues<C>,
  fix?: Fix,
): ShapeIssue {
  const message = (errorMessages[code] as (v: ErrorValues<C>) => string)(values)
  const issue: ShapeIssue = { code, message, values: values as Record<string, unknown> }
  if (fix) issue.fix = fix
  return issue
}

/** A number or numbers as a Python tuple: `(0.1307,)`, `(0.49, 0.48, 0.45)`. */
const pyTuple = (v: number | readonly number[]): string => {
  const list = typeof v === 'number' ? [v] : v
  return list.length === 1 ? `(${list[0]},)` : `(${list.join(', ')})`
}

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1)

/**
 * Thrown by runtimes (and by graph helpers that must throw) when a layer cannot take its input:
 * carries the same code, message, values and fix as the `ShapeIssue` the editor shows.
 */
export class ShapeError extends Error {
  /** Stable UPPER_SNAKE code, e.g. `LINEAR_SHAPE_MISMATCH`. */
  readonly code: string
  /** A structured fix, when there is one. */
  readonly fix?: Fix
  /** The values the message was built from. */
  readonly values?: Record<string, unknown>

  constructor(issue: ShapeIssue) {
    super(issue.fix ? `${issue.message}: ${lowerFirst(issue.fix.label)}` : issue.message)
    this.name = 'ShapeError'
    this.code = issue.code
    if (issue.fix) this.fix = issue.fix
    if (issue.values) this.values = issue.values
  }
}
