import { pyCall } from '../python.js'
import { defineLayer } from './block.js'
import { float } from './params.js'
import { sameShape } from './rules.js'

/** `nn.ELU(alpha=1.0)` */
export interface ELUParams {
  alpha: number
}

/** `nn.ELU`: `x` for positive values, `alpha * (exp(x) - 1)` otherwise. */
export const ELU = defineLayer<'ELU', ELUParams>({
  type: 'ELU',
  kind: 'layer',
  category: 'activations',
  description: 'Exponential linear unit: x above 0, a smooth curve down to -alpha below it.',
  params: {
    alpha: float('alpha', 0, 10, 'The value negative inputs approach: alpha * (exp(x) - 1).'),
  },
  defaults: { alpha: 1 },
  elementwise: true,
  shape: sameShape,
  paramCount: () => 0,
  summary: (p) => `α = ${p.alpha}`,
  pytorch: (p) => pyCall('nn.ELU', [], [['alpha', p.alpha, 1, 'float']]),
  typescript: (p) => `new ELU(${p.alpha === 1 ? '' : p.alpha})`,
})
