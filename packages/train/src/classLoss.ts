import * as tf from '@tensorflow/tfjs-core'
import { trainError } from './errors'
import type { Reduction } from './Loss'

/** @internal Options shared by CrossEntropyLoss and NLLLoss after validation. */
export interface ClassLossConfig {
  lossName: string
  weight: readonly number[] | null
  ignoreIndex: number
  reduction: Reduction
  labelSmoothing: number
  validateTargets: boolean
}

/** @internal Validates a `weight` option (one rescaling weight per class). */
export function checkWeight(lossName: string, weight: unknown): readonly number[] | null {
  if (weight === undefined || weight === null) return null
  if (!Array.isArray(weight) || weight.some((w) => typeof w !== 'number' || !Number.isFinite(w))) {
    throw trainError('LOSS_WEIGHT', { lossName, value: weight })
  }
  return Object.freeze([...weight])
}

/** @internal Validates `ignoreIndex` (PyTorch's default is -100). */
export function checkIgnoreIndex(lossName: string, ignoreIndex: unknown): number {
  const value = ignoreIndex ?? -100
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw trainError('LOSS_IGNORE_INDEX', { lossName, value })
  }
  return value
}

interface Rows {
  /** [M, C] scores with the class dimension last. */
  rows: tf.Tensor2D
  /** [M] class indices, or [M, C] probabilities. */
  target: tf.Tensor
  /** Shape of the unreduced loss. */
  outShape: number[]
  numClasses: number
  probabilities: boolean
}

/** Moves the class dimension (dim 1, or dim 0 for unbatched input) last and flattens the rest. */
function classLast(x: tf.Tensor): tf.Tensor2D {
  if (x.rank === 1) return tf.reshape(x, [1, x.shape[0]!])
  const numClasses = x.shape[1]!
  if (x.rank === 2) return x as tf.Tensor2D
  const perm = [0, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 2), 1]
  return tf.reshape(tf.transpose(x, perm), [-1, numClasses])
}

function toRows(
  lossName: string,
  input: tf.Tensor,
  target: tf.Tensor,
  allowProbabilities: boolean,
): Rows {
  if (input.rank === 0) {
    throw trainError('LOSS_SCALAR_INPUT', { lossName, inputShape: input.shape })
  }
  const numClasses = input.rank === 1 ? input.shape[0]! : input.shape[1]!
  const outShape = input.rank === 1 ? [] : [input.shape[0]!, ...input.shape.slice(2)]
  const sameShape =
    target.rank === input.rank && target.shape.every((size, i) => size === input.shape[i])
  if (target.dtype === 'float32' && allowProbabilities && sameShape) {
    return {
      rows: classLast(input),
      target: classLast(target),
      outShape,
      numClasses,
      probabilities: true,
    }
  }
  if (target.dtype !== 'int32') {
    throw trainError('LOSS_TARGET_DTYPE', {
      lossName,
      allowProbabilities,
      outShape,
      targetDtype: target.dtype,
      targetShape: target.shape,
      inputShape: input.shape,
    })
  }
  if (input.rank > 1 && (target.rank === 0 || target.shape[0] !== input.shape[0])) {
    throw trainError('LOSS_BATCH_SIZE', { inputShape: input.shape, targetShape: target.shape })
  }
  const expected = outShape
  if (target.rank !== expected.length || target.shape.some((size, i) => size !== expected[i])) {
    throw trainError('LOSS_TARGET_SIZE', {
      lossName,
      expected,
      inputShape: input.shape,
      targetShape: target.shape,
    })
  }
  return {
    rows: classLast(input),
    target: tf.reshape(target, [-1]),
    outShape,
    numClasses,
    probabilities: false,
  }
}

/** Reads the targets once to check their range, like PyTorch's `Target 10 is out of bounds.` */
function checkTargets(config: ClassLossConfig, target: tf.Tensor, numClasses: number): boolean {
  const values = target.dataSync()
  let anyIgnored = false
  for (const t of values) {
    if (t === config.ignoreIndex) {
      anyIgnored = true
    } else if (t < 0 || t >= numClasses) {
      throw trainError('LOSS_TARGET_OUT_OF_BOUNDS', {
        lossName: config.lossName,
        target: t,
        numClasses,
      })
    }
  }
  return anyIgnored
}

function reduce(
  reduction: Reduction,
  perSample: tf.Tensor1D,
  denominator: () => tf.Tensor,
  outShape: number[],
) {
  if (reduction === 'none') return tf.reshape(perSample, outShape)
  if (reduction === 'sum') return tf.sum(perSample)
  return tf.div(tf.sum(perSample), denominator())
}

/**
 * One-hot rows as float32. Built as int32 and cast, because tfjs-backend-wasm 4.22's OneHot kernel
 * ignores the dtype argument and writes integer bits into a float32 tensor.
 */
function floatOneHot(indices: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(indices, depth), 'float32') as tf.Tensor2D
}

/**
 * @internal Cross entropy / negative log likelihood with PyTorch's numerics (ATen's
 * `cross_entropy_loss_label_smoothing`, `nll_loss_nd`, and the class-probability variant).
 */
export function classLoss(
  config: ClassLossConfig,
  input: tf.Tensor,
  target: tf.Tensor,
  inputIsLogProbs: boolean,
): tf.Tensor {
  return tf.tidy(() => {
    const {
      rows,
      target: t,
      outShape,
      numClasses,
      probabilities,
    } = toRows(config.lossName, input, target, !inputIsLogProbs)
    if (config.weight && config.weight.length !== numClasses) {
      throw trainError('LOSS_WEIGHT_LENGTH', {
        lossName: config.lossName,
        weightLength: config.weight.length,
        numClasses,
      })
    }
    const logp: tf.Tensor2D = inputIsLogProbs ? rows : tf.logSoftmax(rows)
    const eps = config.labelSmoothing
    const weightRow = config.weight ? tf.tensor2d([...config.weight], [1, numClasses]) : null

    if (probabilities) {
      const smoothed = eps > 0 ? tf.add(tf.mul(t, 1 - eps), eps / numClasses) : t
      const product = tf.mul(logp, smoothed)
      const weighted = weightRow ? tf.mul(product, weightRow) : product
      const perSample = tf.neg(tf.sum(weighted, 1)) as tf.Tensor1D
      return reduce(config.reduction, perSample, () => tf.scalar(rows.shape[0]), outShape)
    }

    const anyIgnored = config.validateTargets ? checkTargets(config, t, numClasses) : true
    if (!anyIgnored && !weightRow) {
      // Fast path of the common case: nothing ignored, equal class weights.
      const oneHot = floatOneHot(t as tf.Tensor1D, numClasses)
      let perSample = tf.neg(tf.sum(tf.mul(oneHot, logp), 1)) as tf.Tensor1D
      if (eps > 0) {
        const smooth = tf.neg(tf.sum(logp, 1))
        perSample = tf.add(tf.mul(perSample, 1 - eps), tf.mul(smooth, eps / numClasses))
      }
      return reduce(config.reduction, perSample, () => tf.scalar(rows.shape[0]), outShape)
    }

    const mask = tf.notEqual(t, config.ignoreIndex)
    const maskF = tf.cast(mask, 'float32')
    const safe = tf.where(mask, t, tf.zerosLike(t)) as tf.Tensor1D
    const sampleWeight = config.weight
      ? tf.mul(tf.gather(tf.tensor1d([...config.weight]), safe), maskF)
      : maskF
    const oneHot = floatOneHot(safe, numClasses)
    const nll = tf.mul(tf.neg(tf.sum(tf.mul(oneHot, logp), 1)), sampleWeight) as tf.Tensor1D
    let perSample = nll
    if (eps > 0) {
      const smooth = tf.mul(tf.neg(tf.sum(weightRow ? tf.mul(logp, weightRow) : logp, 1)), maskF)
      perSample = tf.add(tf.mul(nll, 1 - eps), tf.mul(smooth, eps / numClasses))
    }
    return reduce(config.reduction, perSample, () => tf.sum(sampleWeight), outShape)
  })
}
