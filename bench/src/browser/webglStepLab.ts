// The WebGL lab's `step` mode (page side): the kernels one fast-path step calls, each timed alone.
import * as tf from '@tensorflow/tfjs'
import { DataLoader } from '@tensorloom/data'
import { manualSeed } from '@tensorloom/layers'
import { Adam, CrossEntropyLoss, FastEngine } from '@tensorloom/train'
import { loadMnist, SimpleNN } from '../model'
import { type LabRow, lastCpu, type Out, timeIt } from './webglTiming'

/** One kernel call of a step, captured to be replayed alone. */
interface CapturedCall {
  name: string
  inputs: tf.NamedTensorMap
  attrs: tf.NamedAttrMap
}

/**
 * The kernels of one fast-path step (the lesson's network, real MNIST, batch 64), each replayed
 * alone with that step's inputs and attributes: the step's calls are captured by wrapping
 * `runKernel` for one step, their inputs kept alive with `tf.clone`.
 */
export async function webglStepLab(reps = 30, source = new URL('/data/', location.href).href) {
  const rows: LabRow[] = []
  const add = async (name: string, fn: () => Out) => {
    let best = Number.POSITIVE_INFINITY
    let bestCpu = Number.NaN
    for (let trial = 0; trial < 3; trial++) {
      const ms = await timeIt(fn, reps)
      if (ms < best) {
        best = ms
        bestCpu = lastCpu()
      }
    }
    rows.push({ name, ms: best, cpuMs: bestCpu })
  }
  const train = await loadMnist(source, true)
  manualSeed(0)
  const model = new SimpleNN()
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 })
  const trainLoader = new DataLoader(train, { batchSize: 64, shuffle: true, seed: 0 })
  const engine = await FastEngine.create({
    model,
    optimizer,
    criterion: new CrossEntropyLoss(),
    trainLoader,
  })
  const batches = engine.epochIndices()[Symbol.iterator]()
  const next = () => batches.next().value as Int32Array
  // A few steps compile every program.
  for (let i = 0; i < 5; i++) engine.step(next()).stats.dispose()
  await add('whole step (FastEngine.step, stats not read)', () => engine.step(next()).stats)
  const calls: CapturedCall[] = []
  const kernels = tf.engine()
  const runKernel = kernels.runKernel
  kernels.runKernel = ((name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap) => {
    if (name.startsWith('Tensorloom')) {
      const kept = Object.fromEntries(
        Object.entries(inputs).map(([k, t]) => [k, tf.keep(t.clone())]),
      )
      calls.push({ name, inputs: kept, attrs: attrs ?? {} })
    }
    return runKernel.call(kernels, name, inputs, attrs)
  }) as typeof runKernel
  try {
    engine.step(next()).stats.dispose()
  } finally {
    kernels.runKernel = runKernel
  }
  for (const call of calls) {
    const shapes = Object.entries(call.inputs)
      .map(([k, t]) => `${k}[${t.shape}]`)
      .join(' ')
    const flags = ['transposeA', 'transposeB', 'relu']
      .filter((f) => (call.attrs as Record<string, unknown>)[f] === true)
      .join(' ')
    await add(
      `${call.name.replace('Tensorloom', '')} ${shapes} ${flags}`,
      () => kernels.runKernel(call.name, call.inputs, call.attrs) as tf.Tensor | tf.Tensor[],
    )
    tf.dispose(Object.values(call.inputs))
  }
  const tiny = tf.add(tf.randomNormal([2, 2]), 0)
  await add('tiny add [2,2] (fixed cost of a draw)', () => tf.add(tiny, tiny))
  tiny.dispose()
  engine.dispose()
  optimizer.dispose()
  model.dispose()
  train.dispose()
  return rows
}
