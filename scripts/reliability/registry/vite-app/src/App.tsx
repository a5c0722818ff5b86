// A stranger's Vite + React app on the packages from the registry: picks the wasm backend with no
// setWasmPaths, trains the lesson's network for a few batches on MNIST served by the app, and asks
// the network exported by Tensorloom Studio (an npm package too) about a test image.
import '@tensorflow/tfjs-backend-wasm'
import * as tf from '@tensorflow/tfjs-core'
import { Compose, DataLoader, MNIST, Normalize, ToTensor } from '@tensorloom/data'
import { Flatten, Linear, Module, ReLU, Sequential } from '@tensorloom/layers'
import { Adam, CrossEntropyLoss, selectBackend } from '@tensorloom/train'
import { useEffect, useState } from 'react'
import { card, predict } from 'tensorloom-e2e-digits'

const STEPS = 30

class SimpleNN extends Module {
  flatten = new Flatten()
  layers = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10))
  forward(x: tf.Tensor): tf.Tensor {
    return this.layers.call(this.flatten.call(x))
  }
}

export interface Outcome {
  backend: string
  reason: string
  steps: number
  firstLoss: number
  lastLoss: number
  predicted: number
  studioPredicted: number | undefined
  leaked: number
}

async function run(): Promise<Outcome> {
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
  const losses: number[] = []
  model.train()
  for await (const [images, labels] of loader) {
    const loss = optimizer.step(() => criterion.call(model.call(images), labels))
    losses.push((await loss.data())[0] ?? Number.NaN)
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
    firstLoss: losses[0] ?? Number.NaN,
    lastLoss: losses.at(-1) ?? Number.NaN,
    predicted: classIndex,
    studioPredicted: card.reference?.classIndex[0],
    leaked,
  }
}

type State =
  | { status: 'running' }
  | { status: 'done'; outcome: Outcome }
  | { status: 'failed'; error: string }

export function App() {
  const [state, setState] = useState<State>({ status: 'running' })
  useEffect(() => {
    let current = true
    run().then(
      (outcome) => current && setState({ status: 'done', outcome }),
      (error: unknown) => current && setState({ status: 'failed', error: String(error) }),
    )
    return () => {
      current = false
    }
  }, [])
  return (
    <pre id="status" data-status={state.status}>
      {JSON.stringify(state)}
    </pre>
  )
}
