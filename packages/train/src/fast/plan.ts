import * as tf from '@tensorflow/tfjs-core'
import { Flatten, Linear, type Module, ReLU } from '@tensorloom/layers'

/** One fused block of the fast path: `y = act(x · Wᵀ + b)`. */
export interface DenseBlock {
  /** The layer whose parameters the block trains. */
  linear: Linear
  /** `'relu'` when the Linear is followed by a ReLU (fused into the matmul). */
  activation: 'linear' | 'relu'
}

/** A model the fast path can train: flattened input, then dense blocks. */
export interface DensePlan {
  /** Features per sample after flattening the input. */
  inFeatures: number
  blocks: DenseBlock[]
}

/** Why a model cannot take the fast path (shown to users who ask for it). */
export interface Unsupported {
  reason: string
}

/**
 * Finds out what the model's `forward` computes by running it once on a small probe batch with
 * hooks on every leaf module, and accepts it when it is a plain chain — each leaf's input is the
 * previous leaf's output, from the model's input to its output — of Flatten (over all but the
 * batch dimension), Linear and ReLU layers, each ReLU right after a Linear. Anything else (other
 * layers, arithmetic between layers, a layer used twice, branches) is unsupported and trains on
 * the reference path, which runs any model.
 */
export function planDense(model: Module, sampleShape: readonly number[]): DensePlan | Unsupported {
  const leaves = model.modules().filter((m) => m.children().length === 0)
  for (const leaf of leaves) {
    if (!(leaf instanceof Linear || leaf instanceof ReLU || leaf instanceof Flatten)) {
      return {
        reason: `it contains ${leaf.constructor.name}; the fast path trains Linear and ReLU layers`,
      }
    }
  }
  const calls: Array<{ module: Module; input: tf.Tensor; output: tf.Tensor }> = []
  const handles = leaves.map((leaf) =>
    leaf.registerForwardHook((module, input, output) => {
      calls.push({ module, input, output })
      return undefined
    }),
  )
  const wasTraining = model.training
  let verdict: DensePlan | Unsupported
  try {
    tf.engine().startScope()
    try {
      const probe = tf.zeros([2, ...sampleShape])
      const output = model.call(probe)
      verdict = checkChain(calls, probe, output, sampleShape)
    } finally {
      tf.engine().endScope()
    }
  } catch (error) {
    verdict = { reason: `its forward failed on a probe batch (${(error as Error).message})` }
  } finally {
    for (const h of handles) h.remove()
    model.train(wasTraining)
  }
  return verdict
}

function checkChain(
  calls: Array<{ module: Module; input: tf.Tensor; output: tf.Tensor }>,
  probe: tf.Tensor,
  output: tf.Tensor,
  sampleShape: readonly number[],
): DensePlan | Unsupported {
  if (calls.length === 0) return { reason: 'its forward calls no layers' }
  const blocks: DenseBlock[] = []
  const seen = new Set<Module>()
  let current = probe
  let features = sampleShape.reduce((a, b) => a * b, 1)
  let flattened = sampleShape.length === 1
  let previous: Module | null = null
  for (const { module, input, output: out } of calls) {
    if (input !== current) {
      return { reason: 'its forward is not a plain chain of layers (something runs between them)' }
    }
    if (seen.has(module)) return { reason: 'its forward uses a layer more than once' }
    seen.add(module)
    if (module instanceof Flatten) {
      if (out.rank !== 2) return { reason: 'a Flatten keeps more than the batch dimension' }
      flattened = true
    } else if (module instanceof Linear) {
      if (!flattened) return { reason: 'a Linear layer sees an input that is not flat' }
      if (module.inFeatures !== features) return { reason: 'layer sizes do not chain' }
      blocks.push({ linear: module, activation: 'linear' })
      features = module.outFeatures
    } else {
      const last = blocks[blocks.length - 1]
      if (!(previous instanceof Linear) || !last) {
        return { reason: 'a ReLU does not directly follow a Linear layer' }
      }
      last.activation = 'relu'
    }
    current = out
    previous = module
  }
  if (output !== current) return { reason: 'its output is not the last layer’s output' }
  if (blocks.length === 0) return { reason: 'it has no Linear layer' }
  return { inFeatures: sampleShape.reduce((a, b) => a * b, 1), blocks }
}
