import * as tf from '@tensorflow/tfjs-core'
import type { LossType, NodeParams, TrainingSettings } from '@tensorloom/graph'
import { Adam, AdamW } from './Adam'
import { CrossEntropyLoss } from './CrossEntropyLoss'
import { trainError } from './errors'
import type { Criterion, Loss, Reduction } from './Loss'
import { MSELoss } from './MSELoss'
import { NLLLoss } from './NLLLoss'
import type { Optimizer } from './Optimizer'
import { SGD } from './SGD'

/** A graph's loss node: its type and parameters (what `@tensorloom/layers`' `fromGraph` returns). */
export interface LossSettings {
  type: LossType
  labelSmoothing?: number
  reduction?: Reduction
  /**
   * How the targets reach the loss (the graph plan's `target`): class indices (default), one-hot
   * floats of width `classes` (`MSELoss` on classes), or the numbers to predict shaped like the
   * output (`'value'`, regression).
   */
  target?: 'classIndex' | 'oneHot' | 'value'
  /** Number of classes, for one-hot targets (default: the width of the model's output). */
  classes?: number
}

/**
 * The runtime constructor of every graph loss type, keyed by the same names as
 * `@tensorloom/graph`'s `blocks`: a loss type without a builder here does not compile.
 */
export const lossBuilders = {
  CrossEntropyLoss: (p: Partial<NodeParams['CrossEntropyLoss']>) =>
    new CrossEntropyLoss({
      reduction: p.reduction ?? 'mean',
      labelSmoothing: p.labelSmoothing ?? 0,
    }),
  NLLLoss: (p: Partial<NodeParams['NLLLoss']>) => new NLLLoss({ reduction: p.reduction ?? 'mean' }),
  MSELoss: (p: Partial<NodeParams['MSELoss']>) => new MSELoss({ reduction: p.reduction ?? 'mean' }),
} satisfies { [T in LossType]: (params: Partial<NodeParams[T]>) => Loss }

/**
 * The loss a graph's loss node describes, as PyTorch's module: `CrossEntropyLoss` (with its label
 * smoothing and reduction), `NLLLoss` or `MSELoss`. It takes targets as they are; for the targets
 * a graph's DataLoader gives (class indices), use {@link trainingCriterion}.
 *
 * @example
 * const { model, loss, training } = fromGraph(doc)
 * const criterion = createCriterion(loss!)
 * const optimizer = createOptimizer(training, model.parameters())
 */
export function createCriterion(loss: LossSettings): Loss {
  if (!Object.hasOwn(lossBuilders, loss.type)) {
    const value = (loss as { type: unknown }).type
    throw trainError('UNKNOWN_LOSS', { value, known: Object.keys(lossBuilders) })
  }
  const build = lossBuilders[loss.type] as (p: LossSettings) => Loss
  return build(loss)
}

/**
 * The criterion a graph trains with, on the class-index labels its DataLoader gives: the loss of
 * {@link createCriterion}, with the labels one-hot encoded when the loss block says so (`MSELoss`),
 * and per-sample losses averaged when `reduction` is `'none'` (as the exported scripts do), so
 * training always gets one number. Without either, it is the loss itself.
 */
export function trainingCriterion(loss: LossSettings): Criterion {
  const base = createCriterion(loss)
  const encode = loss.target === 'oneHot' || loss.target === 'value'
  const mean = base.reduction === 'none'
  if (!encode && !mean) return base
  return {
    call: (input, target) =>
      tf.tidy(() => {
        const width = loss.classes ?? input.shape[input.rank - 1] ?? 1
        let y = target
        if (loss.target === 'oneHot') {
          y = tf.cast(tf.oneHot(tf.cast(target, 'int32'), width), 'float32')
        } else if (loss.target === 'value') {
          y = tf.reshape(tf.cast(target, 'float32'), input.shape)
        }
        const value = base.call(input, y)
        return mean ? tf.mean(value) : value
      }),
  }
}

/**
 * The optimizer a graph's training settings describe: `SGD` with `lr` and `momentum`, or `Adam` /
 * `AdamW` with `lr` (their other options at PyTorch's defaults).
 */
export function createOptimizer(
  settings: Pick<TrainingSettings, 'optimizer' | 'lr' | 'momentum'>,
  params: tf.Variable[],
): Optimizer<object> {
  switch (settings.optimizer) {
    case 'SGD':
      return new SGD(params, { lr: settings.lr, momentum: settings.momentum })
    case 'Adam':
      return new Adam(params, { lr: settings.lr })
    case 'AdamW':
      return new AdamW(params, { lr: settings.lr })
    default:
      throw trainError('UNKNOWN_OPTIMIZER', { value: settings.optimizer })
  }
}
