import { makeIssue } from '../errors.js'
import { defineLayer } from './block.js'
import { int, MAX_KERNEL } from './params.js'
import { dimRange, fail, ok } from './rules.js'

/**
 * `nn.AdaptiveAvgPool2d(output_size)` with a square output: Tensorloom's `output_size` is one
 * int `S` (PyTorch's `output_size=S`, i.e. `(S, S)`). Like PyTorch 1.13, `S = 1` is a mean over
 * the last two dimensions of any input with at least two; other sizes need 3-D or 4-D input.
 */
export interface AdaptiveAvgPool2dParams {
  outputSize: number
}

/** `nn.AdaptiveAvgPool2d`: averages whatever height and width come in down to `S × S`. */
export const AdaptiveAvgPool2d = defineLayer<'AdaptiveAvgPool2d', AdaptiveAvgPool2dParams>({
  type: 'AdaptiveAvgPool2d',
  kind: 'layer',
  category: 'layers',
  description: 'Averages any image size down to output_size × output_size (1: global average).',
  params: {
    outputSize: int(
      'output_size',
      1,
      MAX_KERNEL,
      'Height and width of the output: 1 averages each channel to one value.',
    ),
  },
  defaults: { outputSize: 1 },
  elementwise: false,
  attribute: 'avgpool',
  shape(input, { outputSize }) {
    const rank = input.length
    if (outputSize === 1) {
      // PyTorch computes a 1 × 1 output as input.mean((-1, -2), keepdim=True): any rank from 2.
      if (rank < 2) return fail(makeIssue('DIM_OUT_OF_RANGE', { ...dimRange(rank), dim: -2 }))
      return ok([...input.slice(0, rank - 2), 1, 1])
    }
    if (rank !== 3 && rank !== 4) {
      return fail(makeIssue('ADAPTIVEAVGPOOL2D_INPUT_RANK', { inputShape: [...input] }))
    }
    for (const dim of [rank - 2, rank - 1]) {
      if (input[dim] === 0) {
        return fail(makeIssue('ADAPTIVEAVGPOOL2D_EMPTY_INPUT', { inputShape: [...input], dim }))
      }
    }
    return ok([...input.slice(0, rank - 2), outputSize, outputSize])
  },
  paramCount: () => 0,
  refineError(issue, ctx) {
    if (issue.code === 'ADAPTIVEAVGPOOL2D_INPUT_RANK' && ctx.upstream?.type === 'Flatten') {
      return {
        ...issue,
        fix: {
          kind: 'removeNode',
          nodeId: ctx.upstream.id,
          label: 'Remove the Flatten before this node',
        },
      }
    }
    return issue
  },
  summary: (p) => `→ ${p.outputSize}×${p.outputSize}`,
  pytorch: (p) => `nn.AdaptiveAvgPool2d(${p.outputSize})`,
  typescript: (p) => `new AdaptiveAvgPool2d(${p.outputSize})`,
})
