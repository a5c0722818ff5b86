import { makeIssue } from '../errors.js'
import { pyCall, tsNew } from '../python.js'
import { defineLayer } from './block.js'
import { bool, int, MAX_FEATURES } from './params.js'
import { fail, insertFlatten, ok, product } from './rules.js'

/** `nn.Linear(in_features, out_features, bias=True)` */
export interface LinearParams {
  inFeatures: number
  outFeatures: number
  bias: boolean
}

/** `nn.Linear`: a fully connected layer, `y = x Wᵀ + b`. */
export const Linear = defineLayer<'Linear', LinearParams>({
  type: 'Linear',
  kind: 'layer',
  category: 'layers',
  description: 'Fully connected layer: y = x Wᵀ + b.',
  params: {
    inFeatures: int('in_features', 1, MAX_FEATURES, 'Size of each input sample.'),
    outFeatures: int('out_features', 1, MAX_FEATURES, 'Size of each output sample.'),
    bias: bool('bias', 'Learn an additive bias.'),
  },
  defaults: { inFeatures: 784, outFeatures: 128, bias: true },
  elementwise: false,
  attribute: 'fc',
  shape(input, { inFeatures, outFeatures }) {
    const rank = input.length
    if (rank === 0) return fail(makeIssue('LINEAR_SCALAR_INPUT', { inputShape: [] }))
    const last = input[rank - 1]!
    if (last === inFeatures) return ok([...input.slice(0, -1), outFeatures])
    const mat1 = rank === 1 ? [1, last] : [product(input, 0, rank - 1), last]
    const mat2 = [inFeatures, outFeatures]
    const flat = rank > 2 ? product(input, 1) : last
    const fix =
      rank > 2
        ? insertFlatten
        : ({
            kind: 'setParam',
            param: 'inFeatures',
            value: last,
            label: `Set in_features = ${last}`,
          } as const)
    return fail(
      makeIssue(
        'LINEAR_SHAPE_MISMATCH',
        { mat1, mat2, inputShape: [...input], inFeatures, features: flat },
        fix,
      ),
    )
  },
  paramCount: (p) => p.inFeatures * p.outFeatures + (p.bias === false ? 0 : p.outFeatures),
  paramFromInput: { inFeatures: (input) => (input.length >= 1 ? input.at(-1) : undefined) },
  summary: (p) => `${p.inFeatures} → ${p.outFeatures}${p.bias === false ? ' · no bias' : ''}`,
  pytorch: (p) =>
    pyCall('nn.Linear', [`${p.inFeatures}`, `${p.outFeatures}`], [['bias', p.bias, true]]),
  typescript: (p) =>
    tsNew('Linear', [`${p.inFeatures}`, `${p.outFeatures}`], [['bias', p.bias, true]]),
})
