// pnpm bench: the lesson's network (784-128-10) trained with Adam (lr 1e-3, batch 64) on real
// MNIST for 5 epochs; prints test accuracy and samples/s after every epoch.
// Options: --epochs N (default 5), --backend wasm|cpu (default wasm), --steps N (stop each epoch
// after N batches, for a quick throughput check), --seed N (initial weights, default 0),
// --shuffle-seed N (default 42), --torch (also train PyTorch 1.13 from the same initial weights and
// shuffles with /usr/bin/python3 and print its accuracies next to ours).
import { spawn } from 'node:child_process'
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-backend-wasm'
import { DataLoader } from '@tensorloom/data'
import { manualSeed } from '@tensorloom/layers'
import { Adam, CrossEntropyLoss, selectBackend, Trainer } from '../src/index'
import { loadMnist, mnistDir, SimpleNN } from '../test/mnist'

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '5' },
    backend: { type: 'string', default: 'wasm' },
    steps: { type: 'string' },
    seed: { type: 'string', default: '0' },
    'shuffle-seed': { type: 'string', default: '42' },
    torch: { type: 'boolean', default: false },
  },
})
const epochs = Number(values.epochs)
const seed = Number(values.seed)
const shuffleSeed = Number(values['shuffle-seed'])
const selection = await selectBackend(values.backend)
console.log(`backend: ${selection.backend} (${selection.reason})`)

const train = await loadMnist(true)
const test = await loadMnist(false)
const trainLoader = new DataLoader(train, { batchSize: 64, shuffle: true, seed: shuffleSeed })
const testLoader = new DataLoader(test, { batchSize: 1000 })
const limited = values.steps
  ? {
      length: Math.min(Number(values.steps), trainLoader.length),
      async *[Symbol.asyncIterator]() {
        let i = 0
        for await (const batch of trainLoader) {
          if (i++ >= Number(values.steps)) {
            tf.dispose(batch)
            continue
          }
          yield batch
        }
      },
    }
  : trainLoader

manualSeed(seed)
const model = new SimpleNN()
const optimizer = new Adam(model.parameters(), { lr: 1e-3 })
const trainer = new Trainer({
  model,
  optimizer,
  criterion: new CrossEntropyLoss(),
  trainLoader: limited,
  testLoader,
  epochs,
})
let printed = 0
trainer.subscribe(({ history }) => {
  for (const h of history.slice(printed)) {
    console.log(
      `epoch ${h.epoch}: train loss ${h.trainLoss.toFixed(4)}, test loss ${h.testLoss?.toFixed(4)}, ` +
        `test accuracy ${((h.testAccuracy ?? 0) * 100).toFixed(2)}%, ${h.seconds.toFixed(1)} s, ` +
        `${Math.round(h.samplesPerSecond)} samples/s`,
    )
  }
  printed = history.length
})
const start = performance.now()
const { history } = await trainer.fit()
const final = history[history.length - 1]!
console.log(
  `final test accuracy ${((final.testAccuracy ?? 0) * 100).toFixed(2)}% (target >= 97.5% after 5 epochs), ` +
    `total ${((performance.now() - start) / 1000).toFixed(1)} s`,
)
trainer.dispose()
optimizer.dispose()
model.dispose()

if (values.torch) {
  console.log('PyTorch 1.13, same initial weights and shuffles:')
  const python = spawn(
    '/usr/bin/python3',
    [
      new URL('./torch_lesson.py', import.meta.url).pathname,
      mnistDir,
      String(epochs),
      String(seed),
      String(shuffleSeed),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let buffer = ''
  python.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString()
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const [, epoch, accuracy] = buffer.slice(0, nl).split(' ')
      buffer = buffer.slice(nl + 1)
      const ours = history[Number(epoch) - 1]?.testAccuracy ?? Number.NaN
      console.log(
        `epoch ${epoch}: PyTorch ${(Number(accuracy) * 100).toFixed(2)}%, Tensorloom ${(ours * 100).toFixed(2)}%`,
      )
    }
  })
  await new Promise((resolve) => python.on('close', resolve))
}
