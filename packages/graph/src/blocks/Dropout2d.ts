import { makeIssue } from '../errors.js'
import { pythonFloat } from '../python.js'
import { defineLayer } from './block.js'
import { dropoutProbability } from './Dropout.js'
import { probability } from './params.js'
import { fail, ok, product } from './rules.js'

/** `nn.Dropout2d(p=0.5)` */
export interface Dropout2dParams {
  p: number
}

/**
 * `nn.Dropout2d`: zeroes whole channels at random while training. Like PyTorch 1.13 it draws one
 * value per `(sample, channel)` of any input of 2 or more dimensions, and warns (as PyTorch does)
 * for inputs that are not `(N, C, H, W)`.
 */
export const Dropout2d = defineLayer<'Dropout2d', Dropout2dParams>({
  type: 'Dropout2d',
  kind: 'layer',
  category: 'layers',
  description:
    'During training, zeroes each whole channel with probability p (a regularizer for CNNs).',
  params: { p: probability('Probability of a channel to be zeroed.') },
  defaults: { p: 0.5 },
  elementwise: true,
  shape(input, { p }) {
    // PyTorch checks the rank only when it draws a mask: p > 0 and a non-empty input.
    if (input.length < 2 && p > 0 && product(input) > 0) {
      return fail(makeIssue('DROPOUT2D_INPUT_RANK', { inputShape: [...input] }))
    }
    return ok([...input])
  },
  paramCount: () => 0,
  inspect(input, { p }) {
    const rank = input.length
    if (rank === 4 || rank < 2) return {}
    if (rank === 3)
      return { warnings: [makeIssue('DROPOUT2D_3D_INPUT', { inputShape: [...input] })] }
    return {
      warnings: [
        makeIssue(
          'DROPOUT2D_DEPRECATED_RANK',
          { rank },
          { kind: 'replaceNode', type: 'Dropout', params: { p }, label: 'Replace with Dropout' },
        ),
      ],
    }
  },
  summary: (p) => `p = ${p.p} · whole channels`,
  pytorch: (p) => `nn.Dropout2d(${pythonFloat(p.p)})`,
  typescript: (p) => `new Dropout2d(${p.p})`,
  invalidParam: dropoutProbability,
})
