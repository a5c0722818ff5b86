import { type DatasetBlock, defineDataset } from './block.js'
import { bool } from './params.js'

/** `datasets.MNIST(root, train=True, ...)` and the other datasets with a train/test split. */
export interface DatasetParams {
  train: boolean
}

const train = bool(
  'train',
  'True: the training split (60,000 images). False: the test split (10,000 images).',
)

/** A torchvision dataset in MNIST's format: 28×28 grayscale images in 10 classes. */
export function mnistLike<T extends string>(
  type: T,
  description: string,
  stats: { mean: number; std: number },
): DatasetBlock<T, DatasetParams> {
  return defineDataset<T, DatasetParams>({
    type,
    kind: 'dataset',
    category: 'data',
    description,
    params: { train },
    defaults: { train: true },
    info: () => ({
      shape: [1, 28, 28],
      stage: 'image',
      task: 'classification',
      classes: 10,
      stats: { mean: [stats.mean], std: [stats.std] },
      split: 'own',
    }),
    summary: (p) =>
      p.train === false ? 'test split · 10,000 images' : 'train split · 60,000 images',
    pytorch: {
      load: (_p, train) =>
        `datasets.${type}(root=args.data_root, train=${train === false ? 'False' : 'True'}, download=True, transform=transform)`,
      imports: [],
      defaultRoot: () => './data',
    },
    typescript: {
      load: (_p, train) =>
        `await ${type}.load({ root, train: ${train !== false}, download: true, transform })`,
      imports: [type],
      defaultRoot: () => './data',
    },
  })
}

/** `datasets.MNIST`: handwritten digits. */
export const MNIST = mnistLike(
  'MNIST',
  'Handwritten digits 0–9: 28×28 grayscale images, 60,000 for training.',
  { mean: 0.1307, std: 0.3081 },
)

/** `datasets.FashionMNIST`: Zalando's clothing pictures. */
export const FashionMNIST = mnistLike(
  'FashionMNIST',
  'Zalando clothing pictures in 10 classes, same format as MNIST.',
  { mean: 0.286, std: 0.353 },
)
