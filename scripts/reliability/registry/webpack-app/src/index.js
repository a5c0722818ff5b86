// A stranger's webpack 5 app in plain JavaScript on the packages from the registry: picks the wasm
// backend with no setWasmPaths, trains the lesson's network for a few batches on MNIST served by
// the app, and asks the network exported by Tensorloom Studio (an npm package too) about a test
// image. The outcome goes into #status for registry.test.ts to read.
import '@tensorflow/tfjs-backend-wasm'
import * as tf from '@tensorflow/tfjs-core'
import { Compose, DataLoader, MNIST, Normalize, ToTensor } from '@tensorloom/data'
import { Flatten, Linear, Module, ReLU, Sequential } from '@tensorloom/layers'
import { Adam, CrossEntropyLoss, selectBackend } from '@tensorloom/train'
import { card, predict } from 'tensorloom-e2e-digits'

const STEPS = 30

class SimpleNN extends Module {
  flatten = new Flatten()
  layers = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10))
  forward(x) {
    return this.layers.call(this.flatten.call(x))
  }
}

async function run() {
  const { backend, reason } = await selectBackend('wasm')
  const transform = new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])])
  const source = {
    images: '/mnist/t10k-images-idx3-ubyte',
    labels: '/mnist/t10k-labels-idx1-ubyte',
  }
  const data = await MNIST.load({ source, train: false, transform })
  const loader = new DataLoader(data, { batchSize: 64, shuffle: true, seed: 1 })
  const before = tf.memory().numTensors
  const model = new SimpleNN()
  const criterion = new CrossEntropyLoss()
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 })
  const losses = []
  model.train()
  for await (const [images, labels] of loader) {
    const loss = optimizer.step(() => criterion.call(model.call(images), labels))
    losses.push((await loss.data())[0])
    tf.dispose([images, labels, loss])
    if (losses.length === STEPS) break
  }
  optimizer.dispose()
  model.dispose()
  const leaked = tf.memory().numTensors - before
  const { classIndex } = await predict(data.data.subarray(0, 784))
  data.dispose()
  return {
    backend,
    reason,
    steps: losses.length,
    firstLoss: losses[0],
    lastLoss: losses.at(-1),
    predicted: classIndex,
    studioPredicted: card.reference?.classIndex[0],
    leaked,
  }
}

const status = document.getElementById('status')
const show = (state) => {
  status.textContent = JSON.stringify(state)
  status.dataset.status = state.status
}
run().then(
  (outcome) => show({ status: 'done', outcome }),
  (error) => show({ status: 'failed', error: String(error) }),
)
