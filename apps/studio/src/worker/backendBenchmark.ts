import * as tf from '@tensorflow/tfjs-core'
import type { GraphDocument } from '@tensorloom/graph'
import { getRngState, setRngState } from '@tensorloom/layers'
import type { GraphData } from '@tensorloom/train'
import { compileGraph, Trainer } from '@tensorloom/train'
import type { BackendName, BackendTiming } from './protocol'

/** Steps timed on each backend, after one untimed step (shader compiles, first allocations). */
export const TIMED_STEPS = 3
/** The CPU backend trains a smaller batch: its time per image hardly depends on the batch. */
const CPU_BATCH = 8
/** A backend whose warm-up step alone takes this long is not timed further: it is slow. */
const SLOW_WARMUP_MS = 4000

/**
 * What the run's graph costs per step: the graph without what does not change the speed (names,
 * positions, the learning rate, the seed), so an edit of those keeps the timings.
 */
export function speedKey(doc: GraphDocument): string {
  return JSON.stringify({
    nodes: doc.nodes.map((n) => [n.id, n.type, n.params]),
    edges: doc.edges.map((e) => [e.source, e.target, e.targetPort ?? null]),
    optimizer: doc.training.optimizer,
  })
}

function withBatchSize(doc: GraphDocument, most: number): GraphDocument {
  return {
    ...doc,
    nodes: doc.nodes.map((n) =>
      n.type === 'DataLoader' && Number(n.params.batchSize) > most
        ? { ...n, params: { ...n.params, batchSize: most } }
        : n,
    ),
  }
}

/**
 * Trains a few steps of the actual network on the active backend, on the first images of the
 * training set, and returns the images per second of the timed steps (the first step, with its
 * shader compiles, is not timed). The model, optimizer and data it built are freed; the random
 * state of the layers is left as it was, so the real run draws what it would have drawn.
 */
export async function timeSteps(doc: GraphDocument, data: GraphData): Promise<number> {
  const backend = tf.getBackend()
  const graph = backend === 'cpu' ? withBatchSize(doc, CPU_BATCH) : doc
  const loaderNode = graph.nodes.find((n) => n.type === 'DataLoader')
  const batchSize = Math.max(1, Number(loaderNode?.params.batchSize ?? 64))
  const rng = getRngState()
  const run = compileGraph(graph, { data, limit: batchSize * (TIMED_STEPS + 2) })
  const trainer = new Trainer({
    model: run.built.model,
    optimizer: run.optimizer,
    trainLoader: run.trainLoader,
    criterion: run.criterion,
    epochs: 1,
    syncEvery: 1,
  })
  try {
    const warm = performance.now()
    await trainer.fit({ maxSteps: 1 })
    const warmup = performance.now() - warm
    if (warmup > SLOW_WARMUP_MS && backend !== 'webgl') return batchSize / (warmup / 1000)
    const start = performance.now()
    await trainer.fit({ maxSteps: 1 + TIMED_STEPS })
    const seconds = (performance.now() - start) / 1000
    const steps = trainer.getState().globalStep - 1
    return seconds > 0 ? (steps * batchSize) / seconds : Number.POSITIVE_INFINITY
  } finally {
    trainer.dispose()
    run.dispose()
    setRngState(rng)
  }
}

/** The fastest of some timings (the first on a tie). */
export function fastest(timings: readonly BackendTiming[]): BackendName | null {
  let best: BackendTiming | null = null
  for (const t of timings) {
    if (t.samplesPerSec !== null && (best === null || t.samplesPerSec > best.samplesPerSec!)) {
      best = t
    }
  }
  return best?.backend ?? null
}
