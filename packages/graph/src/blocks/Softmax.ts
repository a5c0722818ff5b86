import { makeIssue } from '../errors.js'
import { defineLayer, type LayerBlock } from './block.js'
import { dim } from './params.js'
import { dimError, normalizeDim, ok, setParam } from './rules.js'

/** `nn.Softmax(dim)` and `nn.LogSoftmax(dim)`: dim is required in Tensorloom. */
export interface SoftmaxParams {
  dim: number
}

/** `nn.Softmax` or `nn.LogSoftmax`. */
export function softmaxLike<T extends 'Softmax' | 'LogSoftmax'>(
  type: T,
  description: string,
  help: string,
): LayerBlock<T, SoftmaxParams> {
  return defineLayer<T, SoftmaxParams>({
    type,
    kind: 'layer',
    category: 'activations',
    description,
    params: { dim: dim(help) },
    defaults: { dim: 1 },
    elementwise: true,
    shape(input, params) {
      if (normalizeDim(params.dim, input.length) === null) {
        const suggested = input.length >= 2 ? 1 : -1
        return dimError(params.dim, input.length, 'dim', 'dim', suggested)
      }
      return ok([...input])
    },
    paramCount: () => 0,
    inspect(input, params) {
      const overBatch = input.length >= 2 && (params.dim === 0 || params.dim === -input.length)
      if (!overBatch) return {}
      return {
        warnings: [
          makeIssue(
            'SOFTMAX_OVER_BATCH',
            { type, dim: params.dim },
            setParam('dim', 1, 'Set dim = 1'),
          ),
        ],
      }
    },
    summary: (p) => `dim ${p.dim}`,
    pytorch: (p) => `nn.${type}(dim=${p.dim})`,
    typescript: (p) => `new ${type}(${p.dim})`,
  })
}

/** `nn.Softmax` */
export const Softmax = softmaxLike(
  'Softmax',
  'Turns scores into probabilities that sum to 1 along dim.',
  'Dimension that sums to 1: 1 for the classes of (N, C).',
)
/** `nn.LogSoftmax` */
export const LogSoftmax = softmaxLike(
  'LogSoftmax',
  'Log of Softmax along dim; pair it with NLLLoss.',
  'Dimension to normalize: 1 for the classes of (N, C).',
)
