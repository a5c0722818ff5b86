import { definePipeline } from './block.js'
import { hw, imageOf, pySize, sizeParam, sizeText, tsSize } from './imageSize.js'

/** `transforms.CenterCrop(size)` */
export interface CenterCropParams {
  size: number[]
}

/** `transforms.CenterCrop`: the middle of each image (padded with zeros when smaller). */
export const CenterCrop = definePipeline<'CenterCrop', CenterCropParams>({
  type: 'CenterCrop',
  kind: 'transform',
  category: 'data',
  description: 'Cuts the middle of each image to one size (pads with black when it is smaller).',
  params: { size: sizeParam('(height, width) of the crop, or one number for a square.') },
  defaults: { size: [24] },
  infer(input, { size }, ctx) {
    const image = imageOf('CenterCrop', input.shape)
    if (!image.ok) return image.result
    if (!ctx.paramsValid) return { output: null }
    return { output: { ...input, shape: [image.c, ...hw(size)], mixedSizes: false } }
  },
  summary: (p) => sizeText(p.size),
  pytorch: (p) => `transforms.CenterCrop(${pySize(p.size)})`,
  typescript: (p) => `new CenterCrop(${tsSize(p.size)})`,
})
