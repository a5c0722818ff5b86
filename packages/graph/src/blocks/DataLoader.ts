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
    const warnings = []
    if (params.shuffle === false && ctx.dataset()?.params.train !== false) {
      warnings.push(
        makeIssue('SHUFFLE_DISABLED', {}, setParam('shuffle', true, 'Set shuffle = True')),
      )
    }
    if (!input.normalized) {
      const { mean, std } = input.stats
      const fix = insertBefore('Normalize', { mean: [mean], std: [std] })
      warnings.push(makeIssue('MISSING_NORMALIZE', { mean, std }, fix))
    }
    if (!ctx.paramsValid) return { output: null, warnings }
    const batch = params.batchSize
    return { output: { ...input, stage: 'batch', batch, shape: [batch, ...input.shape] }, warnings }
  },
  summary: (p) => `batch ${p.batchSize}${p.shuffle ? ' · shuffled' : ''}`,
  pytorch: () => 'DataLoader',
  typescript: () => 'DataLoader',
})
