import { makeIssue } from './errors.js'
import type { LayerParams, LayerType, ShapeIssue } from './layerTypes.js'
import type { DataLossParams, NodeSpec, NodeType, ParamSpec } from './types.js'

const MAX_FEATURES = 100_000
const MAX_CHANNELS = 4096
const MAX_KERNEL = 256
const MAX_DIM = 8

const int = (name: string, label: string, min: number, max: number, help: string): ParamSpec => ({
  name,
  label,
  kind: 'int',
  min,
  max,
  help,
})
const bool = (name: string, label: string, help: string): ParamSpec => ({
  name,
  label,
  kind: 'bool',
  help,
})
const reduction: ParamSpec = {
  name: 'reduction',
  label: 'reduction',
  kind: 'enum',
  options: ['mean', 'sum', 'none'],
  help: "How per-sample losses are combined: 'mean' (default), 'sum', or 'none'.",
}
const dim = (help: string): ParamSpec => int('dim', 'dim', -MAX_DIM, MAX_DIM - 1, help)
const train = bool(
  'train',
  'train',
  'True: the training split (60,000 images). False: the test split (10,000 images).',
)

/**
 * Default parameters of each layer type: PyTorch's defaults where PyTorch has one (`bias: true`,
 * `stride: 1`, `eps: 1e-5`, …; `MaxPool2d` `stride: null` = kernel size), and the lesson's sizes
 * where PyTorch requires a value (`Linear(784, 128)`, `Conv2d(1, 32, 3)`, `Softmax(dim=1)`).
 */
export const layerDefaults: { [T in LayerType]: LayerParams[T] } = {
  Flatten: { startDim: 1, endDim: -1 },
  Linear: { inFeatures: 784, outFeatures: 128, bias: true },
  Conv2d: { inChannels: 1, outChannels: 32, kernelSize: 3, stride: 1, padding: 0, bias: true },
  MaxPool2d: { kernelSize: 2, stride: null },
  Dropout: { p: 0.5 },
  BatchNorm1d: { numFeatures: 128, eps: 1e-5, momentum: 0.1 },
  ReLU: {},
  Sigmoid: {},
  Tanh: {},
  Softmax: { dim: 1 },
  LogSoftmax: { dim: 1 },
}

/** Defaults of the data and loss node types (MNIST's mean and std for Normalize). */
export const dataLossDefaults: { [T in keyof DataLossParams]: DataLossParams[T] } = {
  MNIST: { train: true },
  FashionMNIST: { train: true },
  ToTensor: {},
  Normalize: { mean: [0.1307], std: [0.3081] },
  DataLoader: { batchSize: 64, shuffle: true },
  CrossEntropyLoss: { labelSmoothing: 0, reduction: 'mean' },
  NLLLoss: { reduction: 'mean' },
  MSELoss: { reduction: 'mean' },
}

type SpecTable = { [T in NodeType]: Omit<NodeSpec<T>, 'type' | 'defaults'> }

const table: SpecTable = {
  MNIST: {
    category: 'data',
    description: 'Handwritten digits 0–9: 28×28 grayscale images, 60,000 for training.',
    params: [train],
  },
  FashionMNIST: {
    category: 'data',
    description: 'Zalando clothing pictures in 10 classes, same format as MNIST.',
    params: [train],
  },
  ToTensor: {
    category: 'data',
    description: 'Turns each image into a (1, 28, 28) float tensor with pixels scaled to 0–1.',
    params: [],
  },
  Normalize: {
    category: 'data',
    description: 'Subtracts the mean and divides by the std per channel, centring pixels on 0.',
    params: [
      {
        name: 'mean',
        label: 'mean',
        kind: 'floatList',
        min: -1e6,
        max: 1e6,
        maxLength: 16,
        help: 'One mean per channel (MNIST: 0.1307).',
      },
      {
        name: 'std',
        label: 'std',
        kind: 'floatList',
        min: 0,
        minExclusive: true,
        max: 1e6,
        maxLength: 16,
        help: 'One standard deviation per channel (MNIST: 0.3081).',
      },
    ],
  },
  DataLoader: {
    category: 'data',
    description: 'Groups images into batches; shuffles the training set every epoch.',
    params: [
      int('batchSize', 'batch_size', 1, 65_536, 'Images per batch (the lesson uses 64).'),
      bool('shuffle', 'shuffle', 'Reshuffle the training data at every epoch (recommended).'),
    ],
  },
  Flatten: {
    category: 'layers',
    description: 'Reshapes each image into a flat vector: (64, 1, 28, 28) -> (64, 784).',
    params: [
      int('startDim', 'start_dim', -MAX_DIM, MAX_DIM - 1, 'First dimension to flatten.'),
      int('endDim', 'end_dim', -MAX_DIM, MAX_DIM - 1, 'Last dimension to flatten.'),
    ],
  },
  Linear: {
    category: 'layers',
    description: 'Fully connected layer: y = x Wᵀ + b.',
    params: [
      int('inFeatures', 'in_features', 1, MAX_FEATURES, 'Size of each input sample.'),
      int('outFeatures', 'out_features', 1, MAX_FEATURES, 'Size of each output sample.'),
      bool('bias', 'bias', 'Learn an additive bias.'),
    ],
  },
  Conv2d: {
    category: 'layers',
    description: '2-D convolution over (N, C, H, W) images.',
    params: [
      int('inChannels', 'in_channels', 1, MAX_CHANNELS, 'Channels of the input image.'),
      int('outChannels', 'out_channels', 1, MAX_CHANNELS, 'Channels produced (filters).'),
      int('kernelSize', 'kernel_size', 1, MAX_KERNEL, 'Size of the square filter.'),
      int('stride', 'stride', 1, MAX_KERNEL, 'Step of the filter.'),
      int('padding', 'padding', 0, MAX_KERNEL, 'Zeros added to each side of the image.'),
      bool('bias', 'bias', 'Learn an additive bias.'),
    ],
  },
  MaxPool2d: {
    category: 'layers',
    description: 'Keeps the largest value in each window, shrinking height and width.',
    params: [
      int('kernelSize', 'kernel_size', 1, MAX_KERNEL, 'Size of the square window.'),
      {
        name: 'stride',
        label: 'stride',
        kind: 'intOrNull',
        min: 1,
        max: MAX_KERNEL,
        help: 'Step of the window; empty means the kernel size.',
      },
    ],
  },
  Dropout: {
    category: 'layers',
    description: 'During training, zeroes each value with probability p (a regularizer).',
    params: [
      {
        name: 'p',
        label: 'p',
        kind: 'float',
        min: 0,
        max: 1,
        help: 'Probability of an element to be zeroed.',
      },
    ],
  },
  BatchNorm1d: {
    category: 'layers',
    description: 'Normalizes each feature over the batch, then scales and shifts it.',
    params: [
      int('numFeatures', 'num_features', 1, MAX_FEATURES, 'Features of the input (C).'),
      {
        name: 'eps',
        label: 'eps',
        kind: 'float',
        min: 0,
        minExclusive: true,
        max: 1,
        help: 'Added to the variance for numerical stability.',
      },
      {
        name: 'momentum',
        label: 'momentum',
        kind: 'float',
        min: 0,
        max: 1,
        help: 'Weight of the newest batch in the running statistics.',
      },
    ],
  },
  ReLU: {
    category: 'activations',
    description: 'Keeps positive values and zeroes negative ones.',
    params: [],
  },
  Sigmoid: {
    category: 'activations',
    description: 'Squashes each value into (0, 1).',
    params: [],
  },
  Tanh: { category: 'activations', description: 'Squashes each value into (-1, 1).', params: [] },
  Softmax: {
    category: 'activations',
    description: 'Turns scores into probabilities that sum to 1 along dim.',
    params: [dim('Dimension that sums to 1: 1 for the classes of (N, C).')],
  },
  LogSoftmax: {
    category: 'activations',
    description: 'Log of Softmax along dim; pair it with NLLLoss.',
    params: [dim('Dimension to normalize: 1 for the classes of (N, C).')],
  },
  CrossEntropyLoss: {
    category: 'losses',
    description: 'Classification loss on raw scores (logits); applies log_softmax itself.',
    params: [
      {
        name: 'labelSmoothing',
        label: 'label_smoothing',
        kind: 'float',
        min: 0,
        max: 1,
        help: 'Amount of smoothing of the target, 0.0 (none) to 1.0.',
      },
      reduction,
    ],
  },
  NLLLoss: {
    category: 'losses',
    description: 'Negative log-likelihood of log-probabilities (after LogSoftmax).',
    params: [reduction],
  },
  MSELoss: {
    category: 'losses',
    description: 'Mean squared error against one-hot encoded labels.',
    params: [reduction],
  },
}

const allDefaults: Record<NodeType, Record<string, unknown>> = {
  ...layerDefaults,
  ...dataLossDefaults,
}

/** Every node type with its category, description, parameter specs and PyTorch defaults. */
export const nodeSpecs: { [T in NodeType]: NodeSpec<T> } = Object.fromEntries(
  (Object.keys(table) as NodeType[]).map((type) => [
    type,
    { type, ...table[type], defaults: allDefaults[type] },
  ]),
) as { [T in NodeType]: NodeSpec<T> }

/** Every node type, in palette order (data, layers, activations, losses). */
export const nodeTypes: readonly NodeType[] = Object.keys(table) as NodeType[]

/** True when `type` is one of the node types Tensorloom knows. */
export function isNodeType(type: unknown): type is NodeType {
  return typeof type === 'string' && Object.hasOwn(table, type)
}

const describeRange = (spec: ParamSpec): string => {
  const { min, max } = spec
  const noun = spec.kind === 'float' || spec.kind === 'floatList' ? 'a number' : 'an integer'
  if (min !== undefined && max !== undefined) {
    return spec.minExclusive
      ? `${noun} greater than ${min} and at most ${max}`
      : `${noun} from ${min} to ${max}`
  }
  return noun
}

const inRange = (spec: ParamSpec, value: number): boolean =>
  (spec.min === undefined || (spec.minExclusive ? value > spec.min : value >= spec.min)) &&
  (spec.max === undefined || value <= spec.max)

/** What a valid value looks like, for messages: 'an integer from 1 to 100000'. */
export function expectedValue(spec: ParamSpec): string {
  switch (spec.kind) {
    case 'bool':
      return 'true or false'
    case 'enum':
      return `one of ${(spec.options ?? []).map((o) => `'${o}'`).join(', ')}`
    case 'floatList':
      return `a list of 1 to ${spec.maxLength ?? 16} numbers, each ${describeRange(spec).replace(/^a number /, '')}`
    case 'intOrNull':
      return `empty or ${describeRange(spec)}`
    default:
      return describeRange(spec)
  }
}

/** True when `value` is a valid value for `spec`. */
export function isValidValue(spec: ParamSpec, value: unknown): boolean {
  switch (spec.kind) {
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) && inRange(spec, value)
    case 'intOrNull':
      return (
        value === null ||
        (typeof value === 'number' && Number.isInteger(value) && inRange(spec, value))
      )
    case 'float':
      return typeof value === 'number' && Number.isFinite(value) && inRange(spec, value)
    case 'bool':
      return typeof value === 'boolean'
    case 'enum':
      return typeof value === 'string' && (spec.options ?? []).includes(value)
    case 'floatList':
      return (
        Array.isArray(value) &&
        value.length >= 1 &&
        value.length <= (spec.maxLength ?? 16) &&
        value.every((v) => typeof v === 'number' && Number.isFinite(v) && inRange(spec, v))
      )
  }
}

/** Finds the spec of a parameter, or undefined. */
export function paramSpec(type: NodeType, name: string): ParamSpec | undefined {
  return table[type]?.params.find((p) => p.name === name)
}

/**
 * Checks one parameter value; returns an issue with PyTorch's wording where PyTorch has one, and a
 * fix that restores the default. Null when the value is fine.
 */
export function paramIssue(type: NodeType, name: string, value: unknown): ShapeIssue | null {
  if (!isNodeType(type)) {
    return makeIssue('UNKNOWN_NODE_TYPE', { type, known: nodeTypes })
  }
  const spec = paramSpec(type, name)
  if (!spec) {
    return makeIssue('UNKNOWN_PARAM', {
      type,
      param: name,
      known: table[type].params.map((p) => p.name),
    })
  }
  if (isValidValue(spec, value)) return null
  const fallback = allDefaults[type][name]
  const fix =
    fallback === undefined
      ? undefined
      : ({
          kind: 'setParam',
          param: name,
          value: fallback,
          label: `Set ${spec.label} = ${formatPython(fallback)}`,
        } as const)
  if (type === 'Dropout' && typeof value === 'number' && !Number.isNaN(value)) {
    return makeIssue('DROPOUT_PROBABILITY', { p: value }, fix)
  }
  return makeIssue(
    'INVALID_PARAM',
    { type, param: name, label: spec.label, value, expected: expectedValue(spec) },
    fix,
  )
}

/**
 * Checks one parameter value for the inspector: null when it is valid, else a message saying what
 * is expected, e.g. `Linear: in_features must be an integer from 1 to 100000, but got -1`.
 */
export function validateParam(type: NodeType, name: string, value: unknown): string | null {
  return paramIssue(type, name, value)?.message ?? null
}

/** Checks all parameters of a node; returns the first problem or null. */
export function firstParamIssue(
  type: NodeType,
  params: Readonly<Record<string, unknown>>,
): ShapeIssue | null {
  const specs = table[type].params
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!
    const value = params[spec.name]
    if (!isValidValue(spec, value)) return paramIssue(type, spec.name, value)
  }
  return null
}

/** Formats a value as Python source: `True`, `None`, `(0.1307,)`, `'mean'`, `784`. */
export function formatPython(value: unknown): string {
  if (value === true) return 'True'
  if (value === false) return 'False'
  if (value === null || value === undefined) return 'None'
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
  if (Array.isArray(value)) {
    return value.length === 1
      ? `(${formatPython(value[0])},)`
      : `(${value.map(formatPython).join(', ')})`
  }
  if (typeof value === 'number') return pythonNumber(value)
  return String(value)
}

/** A number as Python writes it (`repr`): `784`, `0.001`, `1e-05`. */
export function pythonNumber(value: number): string {
  if (Number.isNaN(value)) return "float('nan')"
  if (!Number.isFinite(value)) return value > 0 ? "float('inf')" : "float('-inf')"
  // Python's repr switches to exponents below 1e-4 and from 1e16, with at least two digits.
  const abs = Math.abs(value)
  const s = abs !== 0 && (abs < 1e-4 || abs >= 1e16) ? value.toExponential() : String(value)
  return s.replace(/e([+-])(\d)$/, 'e$10$2')
}
