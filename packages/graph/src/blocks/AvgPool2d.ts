import { makeIssue } from '../errors.js'
import { pyCall, tsNew } from '../python.js'
import { defineLayer } from './block.js'
import { int, MAX_KERNEL } from './params.js'
import { dimRange, fail, ok, setParam } from './rules.js'

/**
 * `nn.AvgPool2d(kernel_size, stride=None, padding=0)` (`ceil_mode=False`,
 * `count_include_pad=True`); `stride: null` means `kernelSize`.
 */
export interface AvgPool2dParams {
  kernelSize: number
  stride: number | null
  padding: number
}

/** `nn.AvgPool2d`: the mean of each window (padded zeros count, as PyTorch's default). */
export const AvgPool2d = defineLayer<'AvgPool2d', AvgPool2dParams>({
  type: 'AvgPool2d',
  kind: 'layer',
  category: 'layers',
  description: 'Averages each window, shrinking height and width.',
  params: {
    kernelSize: int('kernel_size', 1, MAX_KERNEL, 'Size of the square window.'),
    stride: {
      label: 'stride',
      kind: 'intOrNull',
      min: 1,
      max: MAX_KERNEL,
      help: 'Step of the window; empty means the kernel size.',
    },
    padding: int('padding', 0, MAX_KERNEL, 'Zeros added to each side (at most half the kernel).'),
  },
  defaults: { kernelSize: 2, stride: null, padding: 0 },
  elementwise: false,
  attribute: 'avgpool',
  shape(input, { kernelSize, stride, padding }) {
    const rank = input.length
    // PyTorch reads the channels as input.size(-3) before any check.
    if (rank === 0) return fail(makeIssue('DIM_OF_SCALAR', { dim: -3 }))
    if (rank < 3) return fail(makeIssue('DIM_OUT_OF_RANGE', { ...dimRange(rank), dim: -3 }))
    if (padding > Math.floor(kernelSize / 2)) {
      const half = Math.floor(kernelSize / 2)
      return fail(
        makeIssue(
          'AVGPOOL2D_PADDING',
          { padding, kernelSize },
          setParam('padding', half, `Set padding = ${half}`),
        ),
      )
    }
    const [c, h, w] = input.slice(rank - 3) as [number, number, number]
    const empty = rank === 3 ? c === 0 || h === 0 || w === 0 : input.slice(1).includes(0)
    if ((rank !== 3 && rank !== 4) || empty) {
      return fail(makeIssue('AVGPOOL2D_INPUT_RANK', { inputShape: [...input] }))
    }
    const s = stride ?? kernelSize
    const oh = Math.floor((h + 2 * padding - kernelSize) / s) + 1
    const ow = Math.floor((w + 2 * padding - kernelSize) / s) + 1
    if (oh < 1 || ow < 1) {
      const fit = Math.min(h, w) + 2 * padding
      return fail(
        makeIssue(
          'AVGPOOL2D_OUTPUT_TOO_SMALL',
          { input: [c, h, w], output: [c, oh, ow] },
          setParam('kernelSize', fit, `Set kernel_size = ${fit}`),
        ),
      )
    }
    return ok([...input.slice(0, rank - 2), oh, ow])
  },
  paramCount: () => 0,
  refineError(issue, ctx) {
    if (issue.code === 'DIM_OUT_OF_RANGE' && ctx.upstream?.type === 'Flatten') {
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
    `${p.kernelSize}×${p.kernelSize}${
      p.stride !== null && p.stride !== undefined && p.stride !== p.kernelSize
        ? ` · stride ${p.stride}`
        : ''
    }${p.padding !== 0 ? ` · pad ${p.padding}` : ''}`,
  pytorch: (p) =>
    pyCall(
      'nn.AvgPool2d',
      [`${p.kernelSize}`],
      [
        ['stride', p.stride, null],
        ['padding', p.padding, 0],
      ],
    ),
  typescript: (p) =>
    tsNew(
      'AvgPool2d',
      [`${p.kernelSize}`],
      [
        ['stride', p.stride, null],
        ['padding', p.padding, 0],
      ],
    ),
})
