import { makeIssue } from '../errors.js'
import { pyCall, tsNew } from '../python.js'
import { defineLayer } from './block.js'
import { int, MAX_DIM } from './params.js'
import { dimError, fail, normalizeDim, ok, product } from './rules.js'

/** `nn.Flatten(start_dim=1, end_dim=-1)` */
export interface FlattenParams {
  startDim: number
  endDim: number
}

/** `nn.Flatten`: reshapes each sample into a flat vector. */
export const Flatten = defineLayer<'Flatten', FlattenParams>({
  type: 'Flatten',
  kind: 'layer',
  category: 'layers',
  description: 'Reshapes each image into a flat vector: (N, 1, 28, 28) -> (N, 784).',
  params: {
    startDim: int('start_dim', -MAX_DIM, MAX_DIM - 1, 'First dimension to flatten.'),
    endDim: int('end_dim', -MAX_DIM, MAX_DIM - 1, 'Last dimension to flatten.'),
  },
  defaults: { startDim: 1, endDim: -1 },
  elementwise: false,
  shape(input, { startDim, endDim }) {
    const rank = input.length
    const start = normalizeDim(startDim, rank)
    if (start === null) {
      return dimError(startDim, rank, 'startDim', 'start_dim', rank >= 2 ? 1 : 0)
    }
    const end = normalizeDim(endDim, rank)
    if (end === null) return dimError(endDim, rank, 'endDim', 'end_dim', -1)
    if (start > end) {
      return fail(
        makeIssue(
          'FLATTEN_INVALID_DIMS',
          { startDim, endDim },
          { kind: 'setParam', param: 'endDim', value: -1, label: 'Set end_dim = -1' },
        ),
      )
    }
    if (rank === 0) return ok([1])
    if (start === end) return ok([...input])
    return ok([...input.slice(0, start), product(input, start, end + 1), ...input.slice(end + 1)])
  },
  paramCount: () => 0,
  summary: (p) => `start_dim ${p.startDim} · end_dim ${p.endDim}`,
  pytorch: (p) =>
    pyCall(
      'nn.Flatten',
      [],
      [
        ['start_dim', p.startDim, 1],
        ['end_dim', p.endDim, -1],
      ],
    ),
  typescript: (p) =>
    tsNew(
      'Flatten',
      [],
      [
        ['startDim', p.startDim, 1],
        ['endDim', p.endDim, -1],
      ],
    ),
})
