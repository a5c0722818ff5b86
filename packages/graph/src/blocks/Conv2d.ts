import { makeIssue } from '../errors.js'
import { pyCall, tsNew } from '../python.js'
import { defineLayer } from './block.js'
import { bool, int, MAX_CHANNELS, MAX_KERNEL } from './params.js'
import { fail, ok } from './rules.js'

/** `nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True)` */
export interface Conv2dParams {
  inChannels: number
  outChannels: number
  kernelSize: number
  stride: number
  padding: number
  bias: boolean
}

/** `nn.Conv2d` with square kernels. */
export const Conv2d = defineLayer<'Conv2d', Conv2dParams>({
  type: 'Conv2d',
  kind: 'layer',
  category: 'layers',
  description: '2-D convolution over (N, C, H, W) images.',
  params: {
    inChannels: int('in_channels', 1, MAX_CHANNELS, 'Channels of the input image.'),
    outChannels: int('out_channels', 1, MAX_CHANNELS, 'Channels produced (filters).'),
    kernelSize: int('kernel_size', 1, MAX_KERNEL, 'Size of the square filter.'),
    stride: int('stride', 1, MAX_KERNEL, 'Step of the filter.'),
    padding: int('padding', 0, MAX_KERNEL, 'Zeros added to each side of the image.'),
    bias: bool('bias', 'Learn an additive bias.'),
  },
  defaults: { inChannels: 1, outChannels: 32, kernelSize: 3, stride: 1, padding: 0, bias: true },
  elementwise: false,
  attribute: 'conv',
  shape(input, { inChannels, outChannels, kernelSize, stride, padding }) {
    const rank = input.length
    if (rank !== 3 && rank !== 4) {
      return fail(makeIssue('CONV2D_INPUT_RANK', { inputShape: [...input] }))
    }
    const c = input[rank - 3]!
    if (c !== inChannels) {
      return fail(
        makeIssue(
          'CONV2D_CHANNEL_MISMATCH',
          {
            weightShape: [outChannels, inChannels, kernelSize, kernelSize],
            inputShape: [...input],
            expected: inChannels,
            actual: c,
          },
          { kind: 'setParam', param: 'inChannels', value: c, label: `Set in_channels = ${c}` },
        ),
      )
    }
    const ph = input[rank - 2]! + 2 * padding
    const pw = input[rank - 1]! + 2 * padding
    if (kernelSize > ph || kernelSize > pw) {
      const fit = Math.min(ph, pw)
      return fail(
        makeIssue(
          'CONV2D_KERNEL_TOO_LARGE',
          { paddedHeight: ph, paddedWidth: pw, kernelSize },
          fit >= 1
            ? {
                kind: 'setParam',
                param: 'kernelSize',
                value: fit,
                label: `Set kernel_size = ${fit}`,
              }
            : undefined,
        ),
      )
    }
    const oh = Math.floor((ph - kernelSize) / stride) + 1
    const ow = Math.floor((pw - kernelSize) / stride) + 1
    return ok([...input.slice(0, rank - 3), outChannels, oh, ow])
  },
  paramCount: (p) =>
    p.outChannels * p.inChannels * p.kernelSize * p.kernelSize +
    (p.bias === false ? 0 : p.outChannels),
  paramFromInput: { inChannels: (input) => (input.length >= 3 ? input.at(-3) : undefined) },
  refineError(issue, ctx) {
    if (issue.code === 'CONV2D_INPUT_RANK' && ctx.upstream?.type === 'Flatten') {
      return {
        ...issue,
        fix: {
          kind: 'removeNode',
          nodeId: ctx.upstream.id,
          label: 'Remove the Flatten before this node',
        },
      }
    }
    return issue
  },
  summary: (p) =>
    `${p.inChannels} → ${p.outChannels} · ${p.kernelSize}×${p.kernelSize}${
      p.stride !== 1 ? ` · stride ${p.stride}` : ''
    }${p.padding !== 0 ? ` · pad ${p.padding}` : ''}`,
  pytorch: (p) =>
    pyCall(
      'nn.Conv2d',
      [`${p.inChannels}`, `${p.outChannels}`, `kernel_size=${p.kernelSize}`],
      [
        ['stride', p.stride, 1],
        ['padding', p.padding, 0],
        ['bias', p.bias, true],
      ],
    ),
  typescript: (p) =>
    tsNew(
      'Conv2d',
      [`${p.inChannels}`, `${p.outChannels}`, `${p.kernelSize}`],
      [
        ['stride', p.stride, 1],
        ['padding', p.padding, 0],
        ['bias', p.bias, true],
      ],
    ),
})
