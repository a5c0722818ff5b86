import { AdaptiveAvgPool2d } from './AdaptiveAvgPool2d.js'
import { Add, Mul } from './Add.js'
import { AvgPool2d } from './AvgPool2d.js'
import { ReLU, Sigmoid, Tanh } from './activations.js'
import { BatchNorm1d } from './BatchNorm1d.js'
import { BatchNorm2d } from './BatchNorm2d.js'
import type { Block, Category } from './block.js'
import { CenterCrop } from './CenterCrop.js'
import { Concat } from './Concat.js'
import { Conv2d } from './Conv2d.js'
import { CrossEntropyLoss } from './CrossEntropyLoss.js'
import { CSVDataset } from './CSVDataset.js'
import { DataLoader } from './DataLoader.js'
import { Dropout } from './Dropout.js'
import { Dropout2d } from './Dropout2d.js'
import { CIFAR10, FashionMNIST, MNIST } from './datasets.js'
import { ELU } from './ELU.js'
import { Flatten } from './Flatten.js'
import { GELU } from './GELU.js'
import { Grayscale } from './Grayscale.js'
import { Identity } from './Identity.js'
import { ImageFolder } from './ImageFolder.js'
import { LayerNorm } from './LayerNorm.js'
import { LeakyReLU } from './LeakyReLU.js'
import { Linear } from './Linear.js'
import { MaxPool2d } from './MaxPool2d.js'
import { MSELoss } from './MSELoss.js'
import { NLLLoss } from './NLLLoss.js'
import { Normalize } from './Normalize.js'
import { RandomCrop } from './RandomCrop.js'
import { RandomHorizontalFlip } from './RandomHorizontalFlip.js'
import { RandomRotation } from './RandomRotation.js'
import { RandomSplit } from './RandomSplit.js'
import { Resize } from './Resize.js'
import { SiLU } from './SiLU.js'
import { LogSoftmax, Softmax } from './Softmax.js'
import { ToTensor } from './ToTensor.js'
import { Toy2D } from './Toy2D.js'

/** Every block definition, in palette order (data, layers, activations, losses). */
const list = [
  MNIST,
  FashionMNIST,
  CIFAR10,
  ImageFolder,
  CSVDataset,
  Toy2D,
  RandomSplit,
  Resize,
  CenterCrop,
  RandomCrop,
  RandomHorizontalFlip,
  RandomRotation,
  Grayscale,
  ToTensor,
  Normalize,
  DataLoader,
  Flatten,
  Linear,
  Conv2d,
  MaxPool2d,
  Dropout,
  BatchNorm1d,
  BatchNorm2d,
  LayerNorm,
  AvgPool2d,
  AdaptiveAvgPool2d,
  Dropout2d,
  Identity,
  Add,
  Concat,
  Mul,
  ReLU,
  LeakyReLU,
  ELU,
  GELU,
  SiLU,
  Sigmoid,
  Tanh,
  Softmax,
  LogSoftmax,
  CrossEntropyLoss,
  NLLLoss,
  MSELoss,
] as const

type Listed = (typeof list)[number]

/** The block definitions by node type. */
export type BlockRegistry = { readonly [B in Listed as B['type']]: B }

/**
 * Every block definition by node type, in palette order: one object per block holding its
 * parameters, shape rule, errors and fixes, parameter count, canvas summary and exported code.
 */
export const blocks: BlockRegistry = Object.freeze(
  Object.fromEntries(list.map((block) => [block.type, block])),
) as BlockRegistry

/** The definition of `type` as the loose {@link Block} union, for code that handles any block. */
export const blockOf = (type: keyof BlockRegistry): Block => blocks[type]

/**
 * How a node is written in exported code, from its block: `'nn.Linear(784, 128)'` in PyTorch,
 * `'new Linear(784, 128)'` in TypeScript (datasets have their own `DatasetCode`).
 */
export function blockCode(
  node: { type: keyof BlockRegistry; params: object },
  language: 'pytorch' | 'typescript',
): string {
  const block = blockOf(node.type)
  if (block.kind === 'dataset') return ''
  return (block[language] as (params: object) => string)(node.params)
}

/** The palette's sections, in order, with their titles. */
export const categories: readonly { id: Category; label: string }[] = [
  { id: 'data', label: 'Data' },
  { id: 'layers', label: 'Layers' },
  { id: 'merges', label: 'Merges' },
  { id: 'activations', label: 'Activations' },
  { id: 'losses', label: 'Losses' },
]
