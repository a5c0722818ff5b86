import { makeIssue } from '../errors.js'
import { pyCall, tsNew } from '../python.js'
import { defineLayer } from './block.js'
import { eps, int, MAX_FEATURES, momentum } from './params.js'
import { fail, insertFlatten, ok, setParam } from './rules.js'

/** `nn.BatchNorm1d(num_features, eps=1e-5, momentum=0.1)` */
export interface BatchNorm1dParams {
  numFeatures: number
  eps: number
  momentum: number
}

/** `nn.BatchNorm1d`: normalizes each feature over the batch. */
export const BatchNorm1d = defineLayer<'BatchNorm1d', BatchNorm1dParams>({
  type: 'BatchNorm1d',
  kind: 'layer',
  category: 'layers',
  description: 'Normalizes each feature over the batch, then scales and shifts it.',
  params: {
    numFeatures: int('num_features', 1, MAX_FEATURES, 'Features of the input (C).'),
    eps,
    momentum,
  },
  defaults: { numFeatures: 128, eps: 1e-5, momentum: 0.1 },
  elementwise: false,
  attribute: 'bn',
  shape(input, { numFeatures }) {
    const rank = input.length
    if (rank !== 2 && rank !== 3) {
      return fail(makeIssue('BATCHNORM_INPUT_RANK', { rank }, rank > 3 ? insertFlatten : undefined))
    }
    const features = input[1]!
    if (features !== numFeatures) {
      return fail(
        makeIssue(
          'BATCHNORM_FEATURE_MISMATCH',
          { numFeatures, inputFeatures: features },
          setParam('numFeatures', features, `Set num_features = ${features}`),
        ),
      )
    }
    return ok([...input])
  },
  paramCount: (p) => 2 * p.numFeatures,
  paramFromInput: { numFeatures: (input) => (input.length >= 2 ? input[1] : undefined) },
  inspect: (input, _params, ctx) => ({ errors: batchOfOne(input, 1, ctx) }),
  summary: (p) => `${p.numFeatures} features`,
  pytorch: (p) =>
    pyCall(
      'nn.BatchNorm1d',
      [`${p.numFeatures}`],
      [
        ['eps', p.eps, 1e-5],
        ['momentum', p.momentum, 0.1],
      ],
    ),
  typescript: (p) =>
    tsNew(
      'BatchNorm1d',
      [`${p.numFeatures}`],
      [
        ['eps', p.eps, 1e-5],
        ['momentum', p.momentum, 0.1],
      ],
    ),
})

/**
 * PyTorch's `Expected more than 1 value per channel when training` for batch norm over `input`
 * whose channels are dimension `channelDim`, with a fix on the DataLoader when there is one.
 */
export function batchOfOne(
  input: readonly number[],
  channelDim: number,
  ctx: { findUpstream(type: string): { id: string } | null },
) {
  const perChannel = input.reduce((a, b) => a * b, 1) / (input[channelDim] || 1)
  if (perChannel !== 1) return []
  const loader = ctx.findUpstream('DataLoader')
  return [
    makeIssue(
      'BATCHNORM_BATCH_OF_ONE',
      { inputShape: [...input] },
      loader
        ? setParam('batchSize', 64, 'Set batch_size = 64 on the DataLoader', loader.id)
        : undefined,
    ),
  ]
}
