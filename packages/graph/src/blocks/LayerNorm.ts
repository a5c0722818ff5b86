import { makeIssue } from '../errors.js'
import { formatShape } from '../formatShape.js'
import { pyCall, tsNew } from '../python.js'
import { defineLayer } from './block.js'
import { eps, MAX_FEATURES } from './params.js'
import { fail, ok, product, setParam } from './rules.js'

/** `nn.LayerNorm(normalized_shape, eps=1e-5)` (with `elementwise_affine=True`). */
export interface LayerNormParams {
  /** The trailing dimensions to normalize over, e.g. `[128]` for `(N, 128)`. */
  normalizedShape: number[]
  eps: number
}

/**
 * The `normalized_shape` an input calls for: its trailing dimensions, as many as `length` asks
 * (at most all but the batch dimension).
 */
const trailing = (input: readonly number[], length: number): number[] | undefined => {
  if (input.length === 0) return undefined
  const n = Math.max(1, Math.min(length, input.length - 1))
  return input.slice(input.length - n)
}

/** `nn.LayerNorm`: normalizes each sample over its last dimensions, then scales and shifts. */
export const LayerNorm = defineLayer<'LayerNorm', LayerNormParams>({
  type: 'LayerNorm',
  kind: 'layer',
  category: 'layers',
  description:
    'Normalizes each sample over its last dimensions (no batch statistics), then scales and shifts.',
  params: {
    normalizedShape: {
      label: 'normalized_shape',
      kind: 'intList',
      min: 1,
      max: MAX_FEATURES,
      maxLength: 4,
      help: 'The trailing dimensions to normalize over: 128 for (N, 128), or e.g. 16, 7, 7.',
    },
    eps,
  },
  defaults: { normalizedShape: [128], eps: 1e-5 },
  elementwise: false,
  attribute: 'norm',
  shape(input, { normalizedShape }) {
    const n = normalizedShape.length
    const tail = input.slice(Math.max(0, input.length - n))
    if (input.length >= n && tail.every((d, i) => d === normalizedShape[i])) return ok([...input])
    const value = trailing(input, n)
    return fail(
      makeIssue(
        'LAYERNORM_SHAPE_MISMATCH',
        { normalizedShape: [...normalizedShape], inputShape: [...input] },
        value && setParam('normalizedShape', value, `Set normalized_shape = ${formatShape(value)}`),
      ),
    )
  },
  paramCount: (p) => 2 * product(p.normalizedShape),
  paramFromInput: { normalizedShape: (input) => trailing(input, 1) },
  summary: (p) => `over ${formatShape(p.normalizedShape)}`,
  pytorch: (p) =>
    pyCall(
      'nn.LayerNorm',
      [p.normalizedShape.length === 1 ? `${p.normalizedShape[0]}` : formatShape(p.normalizedShape)],
      [['eps', p.eps, 1e-5, 'float']],
    ),
  typescript: (p) =>
    tsNew(
      'LayerNorm',
      [
        p.normalizedShape.length === 1
          ? `${p.normalizedShape[0]}`
          : `[${p.normalizedShape.join(', ')}]`,
      ],
      [['eps', p.eps, 1e-5]],
    ),
})
