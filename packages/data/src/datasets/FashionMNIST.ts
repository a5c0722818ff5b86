import type { RawImage } from '../Dataset.js'
import type { TransformLike, TransformOutput } from '../transforms/Transform.js'
import type { DatasetResource, DatasetSpec } from './loadDataset.js'
import { loadMnistLike, MNIST, type MNISTOptions } from './MNIST.js'

const FASHION_SPEC: DatasetSpec = {
  name: 'FashionMNIST',
  mirrors: ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'],
  resources: [
    { file: 'train-images-idx3-ubyte.gz', md5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d' },
    { file: 'train-labels-idx1-ubyte.gz', md5: '25c81989df183df01b3e8a0aad5dffbe' },
    { file: 't10k-images-idx3-ubyte.gz', md5: 'bef4ecab320f06d8554ea6380940ec79' },
    { file: 't10k-labels-idx1-ubyte.gz', md5: 'bb300cfdad3c16e7a12a480ee83cd310' },
  ],
  classes: [
    'T-shirt/top',
    'Trouser',
    'Pullover',
    'Dress',
    'Coat',
    'Sandal',
    'Shirt',
    'Sneaker',
    'Bag',
    'Ankle boot',
  ],
}

/**
 * Zalando's Fashion-MNIST: 28x28 grayscale images of clothes in MNIST's file format (60,000 + 10,000,
 * 10 classes), like `torchvision.datasets.FashionMNIST`. Same API as {@link MNIST}, its own mirror,
 * MD5 sums and class names; files live in `<root>/FashionMNIST/raw/`.
 *
 * @example
 * const train = await FashionMNIST.load({ root: './data', download: true, transform: new ToTensor() })
 * train.classes[train.targets[0]!] // 'Ankle boot'
 */
export class FashionMNIST<TImage = RawImage, TTarget = number> extends MNIST<TImage, TTarget> {
  static override readonly mirrors: readonly string[] = FASHION_SPEC.mirrors
  static override readonly resources: readonly DatasetResource[] = FASHION_SPEC.resources
  static override readonly classes: readonly string[] = FASHION_SPEC.classes

  /** Loads a split of Fashion-MNIST; options and errors as {@link MNIST.load}. */
  static override async load<
    TF extends TransformLike<RawImage, unknown> | undefined = undefined,
    TT extends TransformLike<number, unknown> | undefined = undefined,
  >(
    options: MNISTOptions<TF, TT>,
  ): Promise<FashionMNIST<TransformOutput<TF, RawImage>, TransformOutput<TT, number>>> {
    return new FashionMNIST(await loadMnistLike(FASHION_SPEC, options))
  }
}
