import { defineLayer } from './block.js'
import { sameShape } from './rules.js'

/** `nn.Identity()`: takes no arguments. */
export type IdentityParams = Record<string, never>

/** `nn.Identity`: passes its input through unchanged (a placeholder while editing). */
export const Identity = defineLayer<'Identity', IdentityParams>({
  type: 'Identity',
  kind: 'layer',
  category: 'layers',
  description: 'Passes its input through unchanged: a placeholder for a layer you may add later.',
  params: {},
  defaults: {},
  elementwise: true,
  shape: sameShape,
  paramCount: () => 0,
  summary: () => 'y = x',
  pytorch: () => 'nn.Identity()',
  typescript: () => 'new Identity()',
})
