/**
 * Cheap regression check of the whole pipeline (data -> model -> optimizer): a few hundred steps
 * must already classify most test digits. The full epoch (> 95%) is `pnpm start`.
 */
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-wasm'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadMnist } from './data.js'
import { registerGradients } from './gradients.js'
import { createMlp } from './mlp.js'
import { evaluate, trainEpoch } from './train.js'

beforeAll(async () => {
  await registerGradients()
  expect(await tf.setBackend('wasm')).toBe(true)
})

describe('train-mnist', () => {
  it('has the lesson’s 101,770 parameters', () => {
    const model = createMlp(0)
    expect(model.variables.map((v) => v.shape)).toEqual([[784, 128], [128], [128, 10], [10]])
    expect(model.variables.reduce((n, v) => n + v.size, 0)).toBe(101_770)
    const bound = 1 / Math.sqrt(784)
    const w1 = model.variables[0]!.dataSync()
    expect(Math.max(...w1)).toBeLessThanOrEqual(bound)
    expect(Math.min(...w1)).toBeGreaterThanOrEqual(-bound)
    model.dispose()
  })

  it('reaches > 85% test accuracy after 300 steps, leaking no tensors', async () => {
    const { train, test, trainLoader, testLoader } = await loadMnist({ seed: 0 })
    const model = createMlp(0)
    const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-8)
    const before = await evaluate(model, testLoader)
    expect(before).toBeLessThan(0.3)
    const tensors = tf.memory().numTensors
    const steps = await trainEpoch(model, optimizer, trainLoader, { maxSteps: 300 })
    expect(steps).toBe(300)
    const accuracy = await evaluate(model, testLoader)
    expect(accuracy).toBeGreaterThan(0.85)
    // Adam's moment variables (2 per weight) and its step counters are the only new tensors.
    expect(tf.memory().numTensors - tensors).toBeLessThanOrEqual(2 * 4 + 2)
    model.dispose()
    optimizer.dispose()
    train.dispose()
    test.dispose()
  })
})
