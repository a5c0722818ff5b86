// Checks of the fast path's WebGL kernels (page side), run by webgl.test.ts in headless Chromium:
// its matmuls against tfjs', and its training against the reference path.
import * as tf from '@tensorflow/tfjs'
import { MNIST } from '@tensorloom/data'
import type { Module } from '@tensorloom/layers'
import { Adam, AdamW, type Optimizer, SGD } from '@tensorloom/train'
import { parityRun } from '../engines/tensorloom'
import { lessonTransform } from '../model'
import { maxDiff, packed, rand } from './webglTiming'

/**
 * Tensorloom's WebGL matmul kernel (`TensorloomMatMul`, registered by the fast engine) against
 * tfjs' matMul on the same backend, for every transpose combination, the lesson's shapes (which
 * take the multi-target path) and small odd ones: the largest difference relative to the largest
 * magnitude of each product.
 */
export async function matMulCheck(): Promise<Array<{ name: string; relative: number }>> {
  const cases: Array<[number, number, number, boolean, boolean, boolean]> = [
    [64, 785, 130, false, false, true],
    [785, 64, 130, true, false, false],
    [64, 10, 130, false, true, false],
    [64, 130, 10, false, false, false],
    [130, 64, 10, true, false, false],
    [5, 7, 3, false, false, true],
    [5, 7, 3, true, true, false],
    [33, 41, 66, false, true, false],
    [66, 200, 40, true, false, true],
  ]
  const out: Array<{ name: string; relative: number }> = []
  for (const [m, k, n, ta, tb, relu] of cases) {
    const a = packed(rand(ta ? [k, m] : [m, k], m + k))
    const b = packed(rand(tb ? [n, k] : [k, n], n + k))
    const got = tf.engine().runKernel('TensorloomMatMul', { a, b }, {
      transposeA: ta,
      transposeB: tb,
      relu,
    } as unknown as tf.NamedAttrMap) as tf.Tensor
    const product = tf.matMul(a, b, ta, tb)
    const want = relu ? tf.relu(product) : tf.clone(product)
    const scale = (await tf.max(tf.abs(want)).data())[0]!
    const diff = await maxDiff(got, want)
    out.push({
      name: `${m}x${k}x${n}${ta ? ' Aᵀ' : ''}${tb ? ' Bᵀ' : ''}${relu ? ' relu' : ''}`,
      relative: diff / scale,
    })
    tf.dispose([a, b, got, product, want])
  }
  // With a mask (a ReLU's gradient: dH = dY·W2ᵀ where the layer's output is positive).
  const dy = packed(rand([64, 10], 1))
  const w2 = packed(rand([130, 10], 2))
  const h = packed(tf.relu(rand([64, 130], 3)))
  const got = tf.engine().runKernel('TensorloomMatMul', { a: dy, b: w2, mask: h }, {
    transposeA: false,
    transposeB: true,
    relu: false,
  } as unknown as tf.NamedAttrMap) as tf.Tensor
  const want = tf.mul(tf.matMul(dy, w2, false, true), tf.step(h))
  const scale = (await tf.max(tf.abs(want)).data())[0]!
  out.push({ name: '64x10x130 Bᵀ mask', relative: (await maxDiff(got, want)) / scale })
  tf.dispose([dy, w2, h, got, want])
  return out
}

/** Optimizers the WebGL parity check trains with (each update rule's variants). */
const PARITY_OPTIMIZERS: Record<string, (params: tf.Variable[]) => Optimizer<object>> = {
  adam: (p) => new Adam(p, { lr: 1e-3 }),
  'adam-l2-maximize': (p) => new Adam(p, { lr: 1e-3, weightDecay: 0.01, maximize: true }),
  'adamw-amsgrad': (p) => new AdamW(p, { lr: 2e-3, weightDecay: 0.05, amsgrad: true }),
  sgd: (p) => new SGD(p, { lr: 0.05 }),
  'sgd-momentum-dampening': (p) => new SGD(p, { lr: 0.01, momentum: 0.9, dampening: 0.1 }),
  'sgd-nesterov-l2': (p) =>
    new SGD(p, { lr: 0.02, momentum: 0.8, nesterov: true, weightDecay: 1e-3 }),
}

/** What {@link smallParity} reports. */
export interface SmallParity {
  reference: number[]
  fast: number[]
  /** Which kernels the fast engine ran (`'webgl'` on the WebGL backend). */
  kernels: 'js' | 'webgl' | null
  weights: number
  state: number
}

/** Options of {@link smallParity}. */
export interface SmallParityOptions {
  /** Default 64. */
  batchSize?: number
  /** A key of {@link PARITY_OPTIMIZERS}; default `'adam'`. */
  optimizer?: string
  /** Sets the flag `TENSORLOOM_WEBGL_UNIFORM_VECTORS` for the fast run (texture paths when low). */
  uniformVectors?: number
  /** Hidden widths of an MLP to train instead of the lesson's network. */
  hidden?: number[]
}

/**
 * The fast and the reference path for `steps` steps from the same initial weights on the same
 * batches of a small synthetic MNIST-like set (no download, a small resident upload): both runs'
 * per-step losses, and the largest differences of the weights and of the optimizer state after
 * them (relative to the largest magnitude). Registers the fast path's WebGL kernels.
 */
export async function smallParity(
  steps = 3,
  options: SmallParityOptions = {},
): Promise<SmallParity> {
  const count = 512
  const data = new Uint8Array(count * 784)
  let seed = 12345
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0
    data[i] = seed >>> 24 < 160 ? 0 : seed >>> 24
  }
  const targets = Uint8Array.from({ length: count }, (_, i) => (i * 7) % 10)
  const train = new MNIST({
    data,
    targets,
    shape: [count, 28, 28],
    train: true,
    transform: lessonTransform(),
  })
  // Every weight and optimizer buffer (by parameter, then by name), flattened.
  const read = async (model: Module, optimizer: Optimizer<object>) => {
    const buffers = Object.values(optimizer.stateDict().state).flatMap((entry) =>
      Object.entries(entry)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([, v]) => v)
        .filter((v): v is tf.Tensor => typeof v !== 'number'),
    )
    const weights = await Promise.all(model.parameters().map((p) => p.data()))
    const state = await Promise.all(buffers.map((b) => b.data()))
    tf.dispose(buffers)
    return { weights, state }
  }
  const setup = {
    batchSize: options.batchSize ?? 64,
    optimizer: PARITY_OPTIMIZERS[options.optimizer ?? 'adam'],
    ...(options.hidden ? { hidden: options.hidden } : {}),
  }
  const flag = 'TENSORLOOM_WEBGL_UNIFORM_VECTORS'
  const run = async (fast: boolean) => {
    if (fast && options.uniformVectors !== undefined) {
      tf.env().registerFlag(flag, () => -1)
      tf.env().set(flag, options.uniformVectors)
    }
    try {
      const { losses, inspected, kernels } = await parityRun(train, steps, fast, read, setup)
      return { losses, kernels, ...inspected! }
    } finally {
      if (fast && options.uniformVectors !== undefined) tf.env().set(flag, -1)
    }
  }
  const worst = (a: ArrayLike<number>[], b: ArrayLike<number>[]) => {
    let diff = 0
    let scale = 0
    a.forEach((x, i) => {
      for (let j = 0; j < x.length; j++) {
        diff = Math.max(diff, Math.abs(x[j]! - b[i]![j]!))
        scale = Math.max(scale, Math.abs(x[j]!))
      }
    })
    if (a.length !== b.length) return Number.POSITIVE_INFINITY
    return scale > 0 ? diff / scale : diff
  }
  const reference = await run(false)
  const fast = await run(true)
  train.dispose()
  return {
    reference: reference.losses,
    fast: fast.losses,
    kernels: fast.kernels,
    weights: worst(reference.weights, fast.weights),
    state: worst(reference.state, fast.state),
  }
}
