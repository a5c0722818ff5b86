import { makeIssue } from '../errors.js'
import type { Fix, ShapeIssue } from '../issue.js'
import { pythonNumber } from '../python.js'
import { defineLayer } from './block.js'
import { probability } from './params.js'
import { sameShape } from './rules.js'

/** `nn.Dropout(p=0.5)` */
export interface DropoutParams {
  p: number
}

/** PyTorch's `dropout probability has to be between 0 and 1` for a numeric `p` out of range. */
export function dropoutProbability(
  name: string,
  value: unknown,
  fix: Fix | undefined,
): ShapeIssue | null {
  if (name !== 'p' || typeof value !== 'number' || Number.isNaN(value)) return null
  return makeIssue('DROPOUT_PROBABILITY', { p: value }, fix)
}

/** `nn.Dropout`: zeroes values at random while training. */
export const Dropout = defineLayer<'Dropout', DropoutParams>({
  type: 'Dropout',
  kind: 'layer',
  category: 'layers',
  description: 'During training, zeroes each value with probability p (a regularizer).',
  params: { p: probability('Probability of an element to be zeroed.') },
  defaults: { p: 0.5 },
  elementwise: true,
  shape: sameShape,
  paramCount: () => 0,
  summary: (p) => `p = ${p.p}`,
  pytorch: (p) => `nn.Dropout(${pythonNumber(p.p)})`,
  typescript: (p) => `new Dropout(${p.p})`,
  invalidParam: dropoutProbability,
})
