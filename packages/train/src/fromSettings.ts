import type * as tf from '@tensorflow/tfjs-core'
import type { LossType, TrainingSettings } from '@tensorloom/graph'
import { Adam, AdamW } from './Adam'
import { CrossEntropyLoss } from './CrossEntropyLoss'
import { trainError } from './errors'
import type { Loss, Reduction } from './Loss'
import { MSELoss } from './MSELoss'
import { NLLLoss } from './NLLLoss'
import type { Optimizer } from './Optimizer'
import { SGD } from './SGD'

/** A graph's loss node: its type and parameters (what `@tensorloom/layers`' `fromGraph` returns). */
export interface LossSettings {
  type: LossType
  labelSmoothing?: number
  reduction?: Reduction
}

/**
 * The loss a graph's loss node describes: `CrossEntropyLoss` (with its label smoothing and
 * reduction), `NLLLoss` or `MSELoss`.
 *
 * @example
 * const { model, loss, training } = fromGraph(doc)
 * const criterion = createCriterion(loss!)
 * const optimizer = createOptimizer(training, model.parameters())
 */
export function createCriterion(loss: LossSettings): Loss {
  const reduction = loss.reduction ?? 'mean'
  switch (loss.type) {
    case 'CrossEntropyLoss':
      return new CrossEntropyLoss({ reduction, labelSmoothing: loss.labelSmoothing ?? 0 })
    case 'NLLLoss':
      return new NLLLoss({ reduction })
    case 'MSELoss':
      return new MSELoss({ reduction })
    default:
      throw trainError('UNKNOWN_LOSS', { value: (loss as { type: unknown }).type })
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
