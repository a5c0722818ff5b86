// A stranger's TypeScript: every package's main API used with its types, checked with `tsc`
// against the installed tarballs (see tsconfig.bundler.json and tsconfig.node16.json).
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-wasm'
import { main } from '@tensorloom/cli'
import { Compose, DataLoader, MNIST, Normalize, ToTensor } from '@tensorloom/data'
import {
  type GraphDocument,
  GraphValidationError,
  inferShapes,
  parseGraph,
  type ShapeInference,
  safeParseGraph,
  templates,
  toPyTorch,
} from '@tensorloom/graph'
import { Flatten, fromGraph, Linear, Module, ReLU, Sequential } from '@tensorloom/layers'
import { Generator, type GeneratorState } from '@tensorloom/random'
import {
  Adam,
  CrossEntropyLoss,
  type EvaluationResult,
  evaluate,
  selectBackend,
  Trainer,
  type TrainerState,
} from '@tensorloom/train'

class SimpleNN extends Module {
  flatten = new Flatten()
  layers = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10))
  forward(x: tf.Tensor): tf.Tensor {
    return this.layers.call(this.flatten.call(x))
  }
}

export async function lesson(source: string): Promise<EvaluationResult> {
  const { backend } = await selectBackend('wasm')
  const name: string = backend
  const transform = new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])])
  const trainSet = await MNIST.load({ source, train: true, transform })
  const testSet = await MNIST.load({ source, train: false, transform })
  // One generator type shuffles the data (@tensorloom/data) and initialises layers (@tensorloom/layers).
  const generator = new Generator(42)
  const trainLoader = new DataLoader(trainSet, { batchSize: 64, shuffle: true, generator })
  const testLoader = new DataLoader(testSet, { batchSize: 1000, shuffle: false })
  const head = new Linear(784, 10, { generator })
  head.dispose()
  const saved: GeneratorState = generator.getState()
  generator.setState(saved)
  const model = new SimpleNN()
  const criterion = new CrossEntropyLoss()
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 })
  for await (const [images, labels] of trainLoader) {
    const loss = optimizer.step(() => criterion.call(model.call(images), labels))
    tf.dispose([images, labels, loss])
  }
  const trainer = new Trainer({ model, optimizer, criterion, trainLoader, testLoader, epochs: 1 })
  const unsubscribe = trainer.subscribe((s: TrainerState) => {
    console.log(name, s.epoch, s.step, s.smoothedLoss?.toFixed(3))
  })
  await trainer.fit()
  unsubscribe()
  trainer.dispose()
  return evaluate(model, testLoader, criterion)
}

export function graph(text: string): ShapeInference | string {
  const parsed = safeParseGraph(text)
  if (!parsed.ok) return parsed.error.message
  const doc: GraphDocument = parsed.doc
  try {
    parseGraph(text)
  } catch (error) {
    if (error instanceof GraphValidationError) return `${error.code} at ${error.path}`
  }
  const { model } = fromGraph(templates.lesson)
  model.dispose()
  return toPyTorch(doc).length > 0 ? inferShapes(doc) : 'empty'
}

export const cli: Promise<number> = main(['check', 'graph.json'])
