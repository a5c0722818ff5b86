// Whether the fast path can train a setup (model, optimizer, loss, loader), and in which layout.
import * as tf from '@tensorflow/tfjs-core'
import { CrossEntropyLoss } from '../CrossEntropyLoss'
import type { Optimizer } from '../Optimizer'
import { type DenseBlock, planDense, type Unsupported } from './plan'
import { checkLoader, type IndexedLoader } from './residentData'
import type { FastEngineOptions } from './types'

export const isUnsupported = (v: unknown): v is Unsupported =>
  typeof (v as Unsupported | null)?.reason === 'string'

/**
 * What both fast engines need of a setup apart from the model: a CrossEntropyLoss they compute,
 * Adam, AdamW or SGD, and a DataLoader over a dataset they can keep on the device. Returns the
 * loader and the shape of one transformed sample, or why not.
 */
export function inspectSetup(
  options: Omit<FastEngineOptions, 'tuning'>,
): { loader: IndexedLoader; sampleShape: number[] } | Unsupported {
  const { optimizer } = options
  const criterion = options.criterion ?? new CrossEntropyLoss()
  if (!(criterion instanceof CrossEntropyLoss)) {
    return {
      reason: `the loss is ${criterion.constructor.name}; the fast path trains CrossEntropyLoss`,
    }
  }
  if (criterion.weight !== null || criterion.labelSmoothing !== 0) {
    return { reason: 'the CrossEntropyLoss has class weights or label smoothing' }
  }
  if (criterion.reduction !== 'mean' && criterion.reduction !== 'sum') {
    return { reason: `the loss reduction is '${criterion.reduction}'` }
  }
  const name = optimizer.optimizerName
  if (name !== 'Adam' && name !== 'AdamW' && name !== 'SGD') {
    return { reason: `the optimizer is ${name}; the fast path runs Adam, AdamW and SGD` }
  }
  const loader = checkLoader(options.trainLoader)
  if (isUnsupported(loader)) return loader
  const dataset = loader.dataset as {
    length: number
    get(i: number): readonly [unknown, unknown]
  }
  if (dataset.length === 0) return { reason: 'the training set is empty' }
  const [sample] = dataset.get(0)
  const sampleShape = (sample as tf.Tensor).shape
  tf.dispose(sample as tf.Tensor)
  return { loader, sampleShape }
}

/** Whether the optimizer trains exactly `params`, all of them trainable, or why not. */
export function checkParams(
  optimizer: Optimizer<object>,
  params: Iterable<tf.Variable>,
): Unsupported | null {
  const modelParams = new Set(params)
  const optimizerParams = optimizer.params
  if (
    optimizerParams.length !== modelParams.size ||
    !optimizerParams.every((p) => modelParams.has(p))
  ) {
    return { reason: "the optimizer's parameters are not exactly the model's parameters" }
  }
  if (optimizerParams.some((p) => !p.trainable)) return { reason: 'some parameters are frozen' }
  return null
}

/**
 * The loader and dense blocks the fast path trains for this setup, or why it cannot. Cheap: runs
 * the model once on a probe batch of 2.
 */
export function inspect(
  options: Omit<FastEngineOptions, 'tuning'>,
): { loader: IndexedLoader; blocks: DenseBlock[] } | Unsupported {
  const setup = inspectSetup(options)
  if (isUnsupported(setup)) return setup
  const plan = planDense(options.model, setup.sampleShape)
  if (isUnsupported(plan)) return { reason: `the model: ${plan.reason}` }
  const modelParams = plan.blocks.flatMap((b) => [b.linear.weight, b.linear.bias])
  const params = checkParams(
    options.optimizer,
    modelParams.filter((p): p is tf.Variable => p !== null),
  )
  if (params) return params
  return { loader: setup.loader, blocks: plan.blocks }
}

/**
 * Whether the WebGL layout fits: every layer has a bias in the same parameter group as its
 * weight (one update rule per augmented matrix), and even sizes (the programs work on texels).
 */
export function augmentable(blocks: DenseBlock[], optimizer: Optimizer<object>): boolean {
  const group = (p: tf.Variable) => optimizer.paramGroups.findIndex((g) => g.params.includes(p))
  return blocks.every(
    ({ linear }) =>
      linear.bias !== null &&
      group(linear.weight) === group(linear.bias) &&
      linear.outFeatures % 2 === 0,
  )
}
