import { definePipeline } from './block.js'
import { hw, imageOf, pySize, sizeParam, sizeText, tsSize } from './imageSize.js'

/** `transforms.Resize(size)` */
export interface ResizeParams {
  size: number[]
}

/** `transforms.Resize`: scales each image (bilinear). */
export const Resize = definePipeline<'Resize', ResizeParams>({
  type: 'Resize',
  kind: 'transform',
  category: 'data',
  description: 'Scales each image: (h, w) exactly, or one number for the smaller edge.',
  params: {
    size: sizeParam('(height, width), or one number: the smaller edge, keeping the aspect ratio.'),
  },
  defaults: { size: [28, 28] },
  infer(input, { size }, ctx) {
    const image = imageOf('Resize', input.shape)
    if (!image.ok) return image.result
    if (!ctx.paramsValid) return { output: null }
    const { c, h, w } = image
    if (size.length === 2) {
      return { output: { ...input, shape: [c, ...hw(size)], mixedSizes: false } }
    }
    // torchvision: the smaller edge becomes `size`, the other keeps the aspect ratio.
    const s = size[0]!
    const shape = h <= w ? [c, s, Math.floor((s * w) / h)] : [c, Math.floor((s * h) / w), s]
    return { output: { ...input, shape } }
  },
  summary: (p) => (p.size.length === 1 ? `smaller edge ${p.size[0]}` : sizeText(p.size)),
  pytorch: (p) => `transforms.Resize(${pySize(p.size)})`,
  typescript: (p) => `new Resize(${tsSize(p.size)})`,
})
