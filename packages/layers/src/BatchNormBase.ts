import * as tf from '@tensorflow/tfjs-core'
import { errorMessages, type LayerParams, ShapeError } from '@tensorloom/graph'
import { checkInt, checkNumber } from './errors'
import { createVariable } from './init'
import { Layer } from './Layer'
import { pyBool, pyFloat } from './pyRepr'

/** Options of {@link BatchNorm1d} and {@link BatchNorm2d}; the defaults are PyTorch's. */
export interface BatchNormOptions {
  /** Added to the variance for numerical stability (default 1e-5). */
  eps?: number
  /**
   * Weight of the newest batch in the running statistics (default 0.1); null for a cumulative
   * average, as in PyTorch.
   */
  momentum?: number | null
  /** Learn a per-feature scale (`weight`) and shift (`bias`) (default true). */
  affine?: boolean
  /** Keep running statistics for eval mode (default true). */
  trackRunningStats?: boolean
}

/**
 * What `BatchNorm1d` and `BatchNorm2d` share, like PyTorch's `_BatchNorm`: per-channel
 * statistics over every dimension but 1 (the channels). In training mode it normalises with the
 * batch's statistics and updates the running ones (`running = (1 - momentum) * running +
 * momentum * batch`, with the unbiased batch variance); in eval mode it uses the running ones.
 * `running_mean`, `running_var` and `num_batches_tracked` are buffers: in the state dict, not in
 * `parameters()`.
 */
export abstract class BatchNormBase<T extends 'BatchNorm1d' | 'BatchNorm2d'> extends Layer<T> {
  /** Number of features (channels) `C`. */
  readonly numFeatures: number
  /** Added to the variance for numerical stability. */
  readonly eps: number
  /** Running-statistics momentum, or null for a cumulative average. */
  readonly momentum: number | null
  /** Whether `weight` and `bias` are learned. */
  readonly affine: boolean
  /** Whether running statistics are kept. */
  readonly trackRunningStats: boolean
  /** Learnable scale `[C]` (ones at first), or null when not affine. */
  weight: tf.Variable | null
  /** Learnable shift `[C]` (zeros at first), or null when not affine. */
  bias: tf.Variable | null
  declare runningMean: tf.Variable | null
  declare runningVar: tf.Variable | null
  declare numBatchesTracked: tf.Variable | null

  protected constructor(owner: T, numFeatures: number, options: BatchNormOptions) {
    super()
    this.numFeatures = checkInt(owner, 'num_features', numFeatures, 1)
    this.eps = checkNumber(owner, 'eps', options.eps ?? 1e-5, 0, 1)
    const momentum = options.momentum === undefined ? 0.1 : options.momentum
    this.momentum = momentum === null ? null : checkNumber(owner, 'momentum', momentum, 0, 1)
    this.affine = options.affine ?? true
    this.trackRunningStats = options.trackRunningStats ?? true
    const c = numFeatures
    this.weight = this.affine ? createVariable(new Float32Array(c).fill(1), [c]) : null
    this.bias = this.affine ? createVariable(new Float32Array(c), [c]) : null
    const track = this.trackRunningStats
    this.registerBuffer(
      'runningMean',
      track ? createVariable(new Float32Array(c), [c], false) : null,
      { stateKey: 'running_mean' },
    )
    this.registerBuffer(
      'runningVar',
      track ? createVariable(new Float32Array(c).fill(1), [c], false) : null,
      { stateKey: 'running_var' },
    )
    this.registerBuffer(
      'numBatchesTracked',
      track ? createVariable(new Int32Array(1), [], false, 'int32') : null,
      { stateKey: 'num_batches_tracked' },
    )
  }

  get params(): LayerParams[T] {
    const { numFeatures, eps } = this
    return { numFeatures, eps, momentum: this.momentum ?? 0.1 } as LayerParams[T]
  }

  forward(input: tf.Tensor): tf.Tensor {
    this.checkInput(input)
    const c = this.numFeatures
    const axes = input.shape.map((_, i) => i).filter((i) => i !== 1)
    const statShape = input.shape.map((_, i) => (i === 1 ? c : 1))
    const useBatchStats = this.training || this.runningMean === null || this.runningVar === null
    let mean: tf.Tensor
    let variance: tf.Tensor
    if (useBatchStats) {
      const count = input.size / c
      if (count === 1) {
        const values = { inputShape: [...input.shape] }
        throw new ShapeError({
          code: 'BATCHNORM_BATCH_OF_ONE',
          message: errorMessages.BATCHNORM_BATCH_OF_ONE(values),
          values,
        })
      }
      ;({ mean, variance } = tf.moments(input, axes))
      if (this.training) this.updateRunningStats(mean, variance, count)
    } else {
      mean = this.runningMean!
      variance = this.runningVar!
    }
    let y = tf.mul(
      tf.sub(input, tf.reshape(mean, statShape)),
      tf.rsqrt(tf.add(tf.reshape(variance, statShape), this.eps)),
    )
    if (this.weight) y = tf.mul(y, tf.reshape(this.weight, statShape))
    if (this.bias) y = tf.add(y, tf.reshape(this.bias, statShape))
    return y
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? 'None' : pyFloat(this.momentum)}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`
  }

  protected override missingStateDefault(key: string): (() => tf.Tensor) | undefined {
    if (key === 'num_batches_tracked') return () => tf.scalar(0, 'int32')
    return undefined
  }

  private updateRunningStats(mean: tf.Tensor, variance: tf.Tensor, count: number): void {
    const { runningMean, runningVar, numBatchesTracked } = this
    if (!this.trackRunningStats || !runningMean || !runningVar) return
    let factor: number | tf.Tensor = this.momentum ?? 0
    if (numBatchesTracked) {
      numBatchesTracked.assign(tf.add(numBatchesTracked, tf.scalar(1, 'int32')))
      if (this.momentum === null) factor = tf.div(1, tf.cast(numBatchesTracked, 'float32'))
    }
    const keep = tf.sub(1, factor)
    const unbiased = tf.mul(variance, count / (count - 1))
    runningMean.assign(tf.add(tf.mul(keep, runningMean), tf.mul(factor, mean)))
    runningVar.assign(tf.add(tf.mul(keep, runningVar), tf.mul(factor, unbiased)))
  }
}
