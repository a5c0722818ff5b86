import { makeIssue } from '../errors.js'
import { pyCall, tsNew } from '../python.js'
import { batchOfOne } from './BatchNorm1d.js'
import { defineLayer } from './block.js'
import { eps, int, MAX_CHANNELS, momentum } from './params.js'
import { fail, ok, setParam } from './rules.js'

/** `nn.BatchNorm2d(num_features, eps=1e-5, momentum=0.1)` */
export interface BatchNorm2dParams {
  numFeatures: number
  eps: number
  momentum: number
}

/** `nn.BatchNorm2d`: normalizes each channel of `(N, C, H, W)` images over the batch and pixels. */
export const BatchNorm2d = defineLayer<'BatchNorm2d', BatchNorm2dParams>({
  type: 'BatchNorm2d',
  kind: 'layer',
  category: 'layers',
  description:
    'Normalizes each channel of (N, C, H, W) images over the batch, then scales and shifts it.',
  params: {
    numFeatures: int('num_features', 1, MAX_CHANNELS, 'Channels of the input (C).'),
    eps,
    momentum,
  },
  defaults: { numFeatures: 32, eps: 1e-5, momentum: 0.1 },
  elementwise: false,
  attribute: 'bn',
  shape(input, { numFeatures, eps, momentum }) {
    const rank = input.length
    if (rank !== 4) {
      // Features rather than images: BatchNorm1d is the layer for (N, C) and (N, C, L).
      const fix =
        rank === 2 || rank === 3
          ? ({
              kind: 'replaceNode',
              type: 'BatchNorm1d',
              params: { numFeatures: input[1], eps, momentum },
              label: 'Replace with BatchNorm1d',
            } as const)
          : undefined
      return fail(makeIssue('BATCHNORM2D_INPUT_RANK', { rank }, fix))
    }
    const channels = input[1]!
    if (channels !== numFeatures) {
      return fail(
        makeIssue(
          'BATCHNORM_FEATURE_MISMATCH',
          { numFeatures, inputFeatures: channels },
          setParam('numFeatures', channels, `Set num_features = ${channels}`),
        ),
      )
    }
    return ok([...input])
  },
  paramCount: (p) => 2 * p.numFeatures,
  paramFromInput: { numFeatures: (input) => (input.length >= 2 ? input[1] : undefined) },
  inspect: (input, _params, ctx) => ({ errors: batchOfOne(input, 1, ctx) }),
  summary: (p) => `${p.numFeatures} channels`,
  pytorch: (p) =>
    pyCall(
      'nn.BatchNorm2d',
      [`${p.numFeatures}`],
      [
        ['eps', p.eps, 1e-5, 'float'],
        ['momentum', p.momentum, 0.1, 'float'],
      ],
    ),
  typescript: (p) =>
    tsNew(
      'BatchNorm2d',
      [`${p.numFeatures}`],
      [
        ['eps', p.eps, 1e-5],
        ['momentum', p.momentum, 0.1],
      ],
    ),
})
