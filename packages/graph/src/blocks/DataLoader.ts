import { makeIssue } from '../errors.js'
import { definePipeline } from './block.js'
import { bool, int } from './params.js'
import { insertBefore, setParam } from './rules.js'

/** `DataLoader(dataset, batch_size=64, shuffle=True)` */
export interface DataLoaderParams {
  batchSize: number
  shuffle: boolean
}

/** `torch.utils.data.DataLoader`: batches (and shuffles) the dataset. */
export const DataLoader = definePipeline<'DataLoader', DataLoaderParams>({
  type: 'DataLoader',
  kind: 'loader',
  category: 'data',
  description: 'Groups images into batches; shuffles the training set every epoch.',
  params: {
    batchSize: int('batch_size', 1, 65_536, 'Images per batch (the lesson uses 64).'),
    shuffle: bool('shuffle', 'Reshuffle the training data at every epoch (recommended).'),
  },
  defaults: { batchSize: 64, shuffle: true },
  infer(input, params, ctx) {
    if (input.stage === 'image') {
      return {
        output: null,
        errors: [makeIssue('MISSING_TO_TENSOR', {}, insertBefore('ToTensor'))],
      }
    }
    const dataset = ctx.dataset()
    if (input.mixedSizes) {
      const [, h = 32, w = 32] = input.shape
      const fix = insertBefore('Resize', { size: [h, w] })
      const after = ctx.findUpstream('ToTensor')
      return {
        output: null,
        errors: [
          makeIssue(
            'MIXED_IMAGE_SIZES',
            { dataset: input.dataset, height: h, width: w },
            after ? { ...fix, nodeId: after.id } : fix,
          ),
        ],
      }
    }
    const warnings = []
    if (!input.heldOut) {
      const first = ctx.afterDataset()
      const split = insertBefore('RandomSplit', { train: 0.8, seed: 42 })
      warnings.push(
        makeIssue(
          'NO_TEST_SPLIT',
          { dataset: input.dataset },
          first ? { ...split, nodeId: first.id } : split,
        ),
      )
    }
    if (params.shuffle === false && dataset?.params.train !== false) {
      warnings.push(
        makeIssue('SHUFFLE_DISABLED', {}, setParam('shuffle', true, 'Set shuffle = True')),
      )
    }
    if (!input.normalized && input.stats) {
      const mean = [...input.stats.mean]
      const std = [...input.stats.std]
      const values = mean.length === 1 ? { mean: mean[0]!, std: std[0]! } : { mean, std }
      warnings.push(
        makeIssue('MISSING_NORMALIZE', values, insertBefore('Normalize', { mean, std })),
      )
    }
    if (!ctx.paramsValid) return { output: null, warnings }
    const batch = params.batchSize
    return { output: { ...input, stage: 'batch', batch, shape: [batch, ...input.shape] }, warnings }
  },
  summary: (p) => `batch ${p.batchSize}${p.shuffle ? ' · shuffled' : ''}`,
  pytorch: () => 'DataLoader',
  typescript: () => 'DataLoader',
})
