import { pyCall } from '../python.js'
import { defineLayer } from './block.js'
import { sameShape } from './rules.js'

/** `nn.GELU(approximate='none')` */
export interface GELUParams {
  approximate: 'none' | 'tanh'
}

/** `nn.GELU`: `x * Φ(x)`, with Φ the standard normal CDF (or its tanh approximation). */
export const GELU = defineLayer<'GELU', GELUParams>({
  type: 'GELU',
  kind: 'layer',
  category: 'activations',
  description: 'Gaussian error linear unit: x weighted by the chance a normal sample is below it.',
  params: {
    approximate: {
      label: 'approximate',
      kind: 'enum',
      options: ['none', 'tanh'],
      help: "'none' computes Φ(x) with erf; 'tanh' uses the faster tanh approximation.",
    },
  },
  defaults: { approximate: 'none' },
  elementwise: true,
  shape: sameShape,
  paramCount: () => 0,
  summary: (p) => (p.approximate === 'tanh' ? 'x·Φ(x) · tanh approx.' : 'x·Φ(x)'),
  pytorch: (p) => pyCall('nn.GELU', [], [['approximate', p.approximate, 'none']]),
  typescript: (p) => `new GELU(${p.approximate === 'none' ? '' : `'${p.approximate}'`})`,
})
