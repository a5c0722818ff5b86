import { makeIssue } from '../errors.js'
import { formatPython, formatTypeScript } from '../python.js'
import { definePipeline } from './block.js'
import { insertBefore } from './rules.js'

/** `transforms.Normalize(mean, std)`: one value per channel (or one for all). */
export interface NormalizeParams {
  mean: number[]
  std: number[]
}

/** `transforms.Normalize` */
export const Normalize = definePipeline<'Normalize', NormalizeParams>({
  type: 'Normalize',
  kind: 'transform',
  category: 'data',
  description: 'Subtracts the mean and divides by the std per channel, centring pixels on 0.',
  params: {
    mean: {
      label: 'mean',
      kind: 'floatList',
      min: -1e6,
      max: 1e6,
      maxLength: 16,
      help: 'One mean per channel (MNIST: 0.1307).',
    },
    std: {
      label: 'std',
      kind: 'floatList',
      min: 0,
      minExclusive: true,
      max: 1e6,
      maxLength: 16,
      help: 'One standard deviation per channel (MNIST: 0.3081).',
    },
  },
  defaults: { mean: [0.1307], std: [0.3081] },
  infer(input, { mean, std }, ctx) {
    if (input.stage === 'image') {
      return {
        output: null,
        errors: [makeIssue('NORMALIZE_ON_IMAGE', {}, insertBefore('ToTensor'))],
      }
    }
    if (!ctx.paramsValid) return { output: null }
    const channels = input.shape[0]!
    const wide = [mean.length, std.length].find((n) => n !== 1 && n !== channels)
    if (wide === undefined) return { output: { ...input, normalized: true } }
    const { stats } = input
    const error = makeIssue(
      'NORMALIZE_CHANNEL_MISMATCH',
      { inputShape: input.shape, broadcastShape: [wide, ...input.shape.slice(1)] },
      {
        kind: 'replaceNode',
        type: 'Normalize',
        params: {
          mean: Array.from(
            { length: channels },
            (_, i) => mean[i] ?? mean[0] ?? stats?.mean[i] ?? 0,
          ),
          std: Array.from({ length: channels }, (_, i) => std[i] ?? std[0] ?? stats?.std[i] ?? 1),
        },
        label: `Set Normalize to ${channels} channel${channels === 1 ? '' : 's'}`,
      },
    )
    return { output: null, errors: [error] }
  },
  summary: (p) => `mean ${list(p.mean)} · std ${list(p.std)}`,
  pytorch: (p) => `transforms.Normalize(${formatPython(p.mean)}, ${formatPython(p.std)})`,
  typescript: (p) => `new Normalize(${formatTypeScript(p.mean)}, ${formatTypeScript(p.std)})`,
})

const list = (v: unknown) => (Array.isArray(v) ? v.join(', ') : String(v))
