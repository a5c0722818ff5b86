import { defineLayer, type LayerBlock } from './block.js'
import { sameShape } from './rules.js'

/** An element-wise activation without parameters, e.g. `nn.ReLU()`. */
export function activation<T extends string>(
  type: T,
  description: string,
  summary: string,
): LayerBlock<T, Record<string, never>> {
  return defineLayer<T, Record<string, never>>({
    type,
    kind: 'layer',
    category: 'activations',
    description,
    params: {},
    defaults: {},
    elementwise: true,
    shape: sameShape,
    paramCount: () => 0,
    summary: () => summary,
    pytorch: () => `nn.${type}()`,
    typescript: () => `new ${type}()`,
  })
}

/** `nn.ReLU` */
export const ReLU = activation(
  'ReLU',
  'Keeps positive values and zeroes negative ones.',
  'max(0, x)',
)
/** `nn.Sigmoid` */
export const Sigmoid = activation('Sigmoid', 'Squashes each value into (0, 1).', '1 / (1 + e⁻ˣ)')
/** `nn.Tanh` */
export const Tanh = activation('Tanh', 'Squashes each value into (-1, 1).', 'tanh(x)')
