import { type DatasetBlock, defineDataset } from './block.js'
import { bool } from './params.js'

/** `datasets.MNIST(root, train=True, ...)` and the other datasets with a train/test split. */
export interface DatasetParams {
  train: boolean
}

const count = (n: number) => n.toLocaleString('en-US')

/** A torchvision dataset with its own train and test split, downloaded into `--data-root`. */
export function torchvisionDataset<T extends string>(spec: {
  type: T
  description: string
  shape: readonly [number, number, number]
  classes: number
  mean: readonly number[]
  std: readonly number[]
  trainSize: number
  testSize: number
}): DatasetBlock<T, DatasetParams> {
  const { type } = spec
  return defineDataset<T, DatasetParams>({
    type,
    kind: 'dataset',
    category: 'data',
    description: spec.description,
    params: {
      train: bool(
        'train',
        `True: the training split (${count(spec.trainSize)} images). False: the test split (${count(spec.testSize)} images).`,
      ),
    },
    defaults: { train: true },
    info: () => ({
      shape: spec.shape,
      stage: 'image',
      task: 'classification',
      classes: spec.classes,
      stats: { mean: spec.mean, std: spec.std },
      split: 'own',
    }),
    summary: (p) =>
      p.train === false
        ? `test split · ${count(spec.testSize)} images`
        : `train split · ${count(spec.trainSize)} images`,
    pytorch: {
      load: (_p, train) =>
        `datasets.${type}(root=args.data_root, train=${train === false ? 'False' : 'True'}, download=True, transform=transform)`,
      imports: () => [],
      defaultRoot: () => './data',
      // torchvision checks the uncompressed files; recompressed copies fail its MD5 check.
      rootHelp: () =>
        `where the dataset is stored: torchvision reads <root>/${type}/raw (it downloads the files there, or put the four uncompressed IDX files there)`,
    },
    typescript: {
      load: (_p, train) =>
        `await ${type}.load({ root, train: ${train !== false}, download: true, transform })`,
      imports: () => [type],
      defaultRoot: () => './data',
    },
  })
}

/** `datasets.MNIST`: handwritten digits. */
export const MNIST = torchvisionDataset({
  type: 'MNIST',
  description: 'Handwritten digits 0–9: 28×28 grayscale images, 60,000 for training.',
  shape: [1, 28, 28],
  classes: 10,
  mean: [0.1307],
  std: [0.3081],
  trainSize: 60_000,
  testSize: 10_000,
})

/** `datasets.FashionMNIST`: Zalando's clothing pictures. */
export const FashionMNIST = torchvisionDataset({
  type: 'FashionMNIST',
  description: 'Zalando clothing pictures in 10 classes, same format as MNIST.',
  shape: [1, 28, 28],
  classes: 10,
  mean: [0.286],
  std: [0.353],
  trainSize: 60_000,
  testSize: 10_000,
})

/** `datasets.CIFAR10`: small colour photos. */
export const CIFAR10 = torchvisionDataset({
  type: 'CIFAR10',
  description: 'Small 32×32 colour photos in 10 classes (airplane … truck), 50,000 for training.',
  shape: [3, 32, 32],
  classes: 10,
  mean: [0.4914, 0.4822, 0.4465],
  std: [0.247, 0.2435, 0.2616],
  trainSize: 50_000,
  testSize: 10_000,
})
