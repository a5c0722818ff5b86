import { pyCall } from '../python.js'
import { defineLayer } from './block.js'
import { float } from './params.js'
import { sameShape } from './rules.js'

/** `nn.LeakyReLU(negative_slope=0.01)` */
export interface LeakyReLUParams {
  negativeSlope: number
}

/** `nn.LeakyReLU`: `x` for positive values, `negative_slope * x` otherwise. */
export const LeakyReLU = defineLayer<'LeakyReLU', LeakyReLUParams>({
  type: 'LeakyReLU',
  kind: 'layer',
  category: 'activations',
  description: 'Like ReLU, but negative values keep a small slope, so their gradient never dies.',
  params: {
    negativeSlope: float(
      'negative_slope',
      0,
      1,
      'Slope for negative inputs: 0.01 lets 1% of a negative value through.',
    ),
  },
  defaults: { negativeSlope: 0.01 },
  elementwise: true,
  shape: sameShape,
  paramCount: () => 0,
  summary: (p) => `max(${p.negativeSlope}·x, x)`,
  pytorch: (p) => pyCall('nn.LeakyReLU', [], [['negative_slope', p.negativeSlope, 0.01, 'float']]),
  typescript: (p) => `new LeakyReLU(${p.negativeSlope === 0.01 ? '' : p.negativeSlope})`,
})
