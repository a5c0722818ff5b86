// The branching and convolutional templates trained by Tensorloom as the studio and the CLI train
// them: the document compiled by `compileGraph` (model, transforms, loader, loss, optimizer) and a
// Trainer with the default engine. Runs in Node and in the browser page.
import * as tf from '@tensorflow/tfjs-core'
import { MNIST } from '@tensorloom/data'
import { type GraphDocument, templates } from '@tensorloom/graph'
import {
  type CompiledRun,
  compileGraph,
  evaluate,
  type GraphData,
  loadGraphData,
  Trainer,
} from '@tensorloom/train'
import type { NetworkName, RunRequest, RunResult } from '../protocol'
import { cpuNow, cpuSince } from './cpuClock'
import { LimitedLoader } from './tensorloom'

/** The graph templates the network rows train. */
export const NETWORKS: readonly NetworkName[] = ['residualMlp', 'smallCnn', 'smallResNet']

const documentOf = (name: NetworkName): GraphDocument => templates[name]

let cached: { source: string; data: Promise<GraphData> } | null = null

/** MNIST's two splits, read once per page or process (every template reads MNIST). */
function graphData(source: string, doc: GraphDocument): Promise<GraphData> {
  if (cached?.source !== source) {
    cached = {
      source,
      data: loadGraphData(
        doc,
        ({ train }) => MNIST.load({ source, train: train !== false }) as never,
      ),
    }
  }
  return cached.data
}

/** The compiled run of a template: the model from the document's seed, Adam 1e-3, batch 64. */
export async function compileNetwork(source: string, name: NetworkName): Promise<CompiledRun> {
  const doc = documentOf(name)
  return compileGraph(doc, { data: await graphData(source, doc) })
}

/**
 * One run: a fresh compiled run and a Trainer (`engine`: the default, or the reference path); a
 * first fit over `warmupSteps` batches (at least one: the fast engine uploads the dataset there),
 * then a timed fit over `steps` batches (or one epoch), then the test accuracy when asked.
 */
export async function runNetwork(source: string, request: RunRequest): Promise<RunResult> {
  const name = request.network!
  const tensorsBefore = tf.memory().numTensors
  const setupStart = performance.now()
  const run = await compileNetwork(source, name)
  const loader = new LimitedLoader(run.trainLoader, Math.max(1, request.warmupSteps ?? 0))
  const trainer = new Trainer({
    model: run.built.model,
    optimizer: run.optimizer,
    criterion: run.criterion,
    trainLoader: loader,
    engine: request.engine === 'tensorloom-reference' ? 'reference' : 'auto',
  })
  let result: RunResult
  try {
    await trainer.fit({ epochs: 1 })
    loader.limit = request.steps ?? Number.POSITIVE_INFINITY
    const setupSeconds = (performance.now() - setupStart) / 1000
    const cpuStart = await cpuNow()
    const start = performance.now()
    const { history } = await trainer.fit({ epochs: 2 })
    const seconds = (performance.now() - start) / 1000
    const cpuSeconds = cpuSince(cpuStart, await cpuNow())
    const tfBytes = tf.memory().numBytes
    const engine = trainer.activeEngine
    trainer.dispose()
    const testAccuracy = request.evaluate
      ? (await evaluate(run.built.model, run.testLoader, run.criterion)).accuracy
      : null
    result = {
      seconds,
      steps: loader.length,
      samples: Math.min(run.train.length, loader.length * request.batchSize),
      trainLoss: history[1]?.trainLoss ?? null,
      testAccuracy,
      tfBytes,
      setupSeconds,
      cpuSeconds,
      engine,
    }
  } finally {
    trainer.dispose()
    run.dispose()
  }
  return { ...result, leakedTensors: tf.memory().numTensors - tensorsBefore }
}

/**
 * Per-step losses of `steps` steps of the default engine and of the reference path from the same
 * initial weights on the same batches, and of the reference path on each batch reversed (the same
 * math summed in another order: how far the reference path is from itself).
 */
export async function networkParity(
  source: string,
  name: NetworkName,
  steps: number,
): Promise<{ fast: number[]; reference: number[]; reversed: number[]; engine: string | null }> {
  const losses = async (engine: 'auto' | 'reference', reverse = false) => {
    const run = await compileNetwork(source, name)
    const loader = new LimitedLoader(run.trainLoader, steps)
    const trainer = new Trainer({
      model: run.built.model,
      optimizer: run.optimizer,
      criterion: run.criterion,
      trainLoader: reverse ? reversedBatches(loader) : loader,
      engine,
      syncEvery: 1,
    })
    const out: number[] = []
    let seen = 0
    const unsubscribe = trainer.subscribe((s) => {
      if (s.globalStep === seen) return
      seen = s.globalStep
      out.push(...s.batchLosses)
    })
    try {
      await trainer.fit({ epochs: 1 })
      return { losses: out, engine: trainer.activeEngine }
    } finally {
      unsubscribe()
      trainer.dispose()
      run.dispose()
    }
  }
  const fast = await losses('auto')
  const reference = await losses('reference')
  const reversed = await losses('reference', true)
  return {
    fast: fast.losses,
    reference: reference.losses,
    reversed: reversed.losses,
    engine: fast.engine,
  }
}

/** The loader's batches with their samples in reverse order (for the reference path only). */
function reversedBatches(loader: LimitedLoader) {
  return {
    get length() {
      return loader.length
    },
    async *[Symbol.asyncIterator]() {
      for await (const [x, y] of loader) {
        const reversed = [tf.reverse(x, 0), tf.reverse(y, 0)] as const
        tf.dispose([x, y])
        yield reversed
      }
    },
  }
}
