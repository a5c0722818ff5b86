import { makeIssue } from '../errors.js'
import { pyCall, tsNew } from '../python.js'
import { defineLayer } from './block.js'
import { int, MAX_KERNEL } from './params.js'
import { fail, ok } from './rules.js'

/** `nn.MaxPool2d(kernel_size, stride=None)`; `stride: null` means `kernelSize`. */
export interface MaxPool2dParams {
  kernelSize: number
  stride: number | null
}

/** `nn.MaxPool2d`: the largest value of each window. */
export const MaxPool2d = defineLayer<'MaxPool2d', MaxPool2dParams>({
  type: 'MaxPool2d',
  kind: 'layer',
  category: 'layers',
  description: 'Keeps the largest value in each window, shrinking height and width.',
  params: {
    kernelSize: int('kernel_size', 1, MAX_KERNEL, 'Size of the square window.'),
    stride: {
      label: 'stride',
      kind: 'intOrNull',
      min: 1,
      max: MAX_KERNEL,
      help: 'Step of the window; empty means the kernel size.',
    },
  },
  defaults: { kernelSize: 2, stride: null },
  elementwise: false,
  attribute: 'pool',
  shape(input, { kernelSize, stride }) {
    const rank = input.length
    if ((rank !== 3 && rank !== 4) || input.some((d) => d === 0)) {
      return fail(makeIssue('MAXPOOL2D_INPUT_RANK', { inputShape: [...input] }))
    }
    const s = stride ?? kernelSize
    const [c, h, w] = input.slice(rank - 3) as [number, number, number]
    const oh = Math.floor((h - kernelSize) / s) + 1
    const ow = Math.floor((w - kernelSize) / s) + 1
    if (oh < 1 || ow < 1) {
      const fit = Math.min(h, w)
      return fail(
        makeIssue(
          'MAXPOOL2D_OUTPUT_TOO_SMALL',
          { input: [c, h, w], output: [c, oh, ow] },
          { kind: 'setParam', param: 'kernelSize', value: fit, label: `Set kernel_size = ${fit}` },
        ),
      )
    }
    return ok([...input.slice(0, rank - 2), oh, ow])
  },
  paramCount: () => 0,
  summary: (p) =>
    `${p.kernelSize}×${p.kernelSize}${
      p.stride !== null && p.stride !== undefined && p.stride !== p.kernelSize
        ? ` · stride ${p.stride}`
        : ''
    }`,
  pytorch: (p) => pyCall('nn.MaxPool2d', [`${p.kernelSize}`], [['stride', p.stride, null]]),
  typescript: (p) => tsNew('MaxPool2d', [`${p.kernelSize}`], [['stride', p.stride, null]]),
})
