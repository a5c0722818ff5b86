import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-wasm'
import { DataLoader } from '@tensorloom/data'
import { manualSeed } from '@tensorloom/layers'
import { expect, it } from 'vitest'
import { Adam, CrossEntropyLoss, selectBackend, Trainer } from '../src/index'
import { loadMnist, SimpleNN } from './mnist'

// The only full-epoch test: the lesson's network, data pipeline and optimizer on all of MNIST.
it('one epoch of the lesson on real MNIST reaches > 95% test accuracy on wasm, leaking nothing', async () => {
  const { backend } = await selectBackend('wasm')
  expect(backend).toBe('wasm')
  const train = await loadMnist(true)
  const test = await loadMnist(false)
  const trainLoader = new DataLoader(train, { batchSize: 64, shuffle: true, seed: 42 })
  const testLoader = new DataLoader(test, { batchSize: 1000, shuffle: false })
  manualSeed(0)
  const before = tf.memory().numTensors
  const model = new SimpleNN()
  const criterion = new CrossEntropyLoss()
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 })
  const trainer = new Trainer({ model, optimizer, criterion, trainLoader, testLoader, epochs: 1 })
  const { history, lastEvaluation } = await trainer.fit()
  expect(history).toHaveLength(1)
  expect(history[0]!.trainAccuracy).toBeGreaterThan(0.9)
  expect(lastEvaluation!.total).toBe(10_000)
  expect(lastEvaluation!.accuracy).toBeGreaterThan(0.95)
  expect(lastEvaluation!.perClassAccuracy.every((a) => a !== null && a > 0.85)).toBe(true)
  trainer.dispose()
  optimizer.dispose()
  model.dispose()
  train.dispose()
  test.dispose()
  expect(tf.memory().numTensors).toBe(before)
}, 180_000)
