import { makeIssue } from '../errors.js'
import { definePipeline } from './block.js'
import { hw, imageOf, pySize, sizeParam, sizeText, tsSize } from './imageSize.js'
import { int, MAX_KERNEL } from './params.js'
import { setParam } from './rules.js'

/** `transforms.RandomCrop(size, padding=None)`; `padding: 0` is None. */
export interface RandomCropParams {
  size: number[]
  padding: number
}

/** `transforms.RandomCrop`: a random part of each (zero-padded) image, for augmentation. */
export const RandomCrop = definePipeline<'RandomCrop', RandomCropParams>({
  type: 'RandomCrop',
  kind: 'transform',
  category: 'data',
  description: 'Cuts a random part of each image (after padding it): a shifted view to learn from.',
  params: {
    size: sizeParam('(height, width) of the crop, or one number for a square.'),
    padding: int('padding', 0, MAX_KERNEL, 'Zeros added on every side before cropping.'),
  },
  defaults: { size: [28], padding: 2 },
  infer(input, { size, padding }, ctx) {
    const image = imageOf('RandomCrop', input.shape)
    if (!image.ok) return image.result
    if (!ctx.paramsValid) return { output: null }
    const [h, w] = hw(size)
    const ph = image.h + 2 * padding
    const pw = image.w + 2 * padding
    if (h > ph || w > pw) {
      const need = Math.ceil(Math.max(h - image.h, w - image.w) / 2)
      const fix = setParam('padding', need, `Set padding = ${need}`)
      const error = makeIssue('CROP_TOO_LARGE', { size: [h, w], image: [ph, pw] }, fix)
      return { output: null, errors: [error] }
    }
    return { output: { ...input, shape: [image.c, h, w], mixedSizes: false } }
  },
  summary: (p) => `${sizeText(p.size)}${p.padding ? ` · pad ${p.padding}` : ''}`,
  pytorch: (p) =>
    `transforms.RandomCrop(${pySize(p.size)}${p.padding ? `, padding=${p.padding}` : ''})`,
  typescript: (p) =>
    `new RandomCrop(${tsSize(p.size)}${p.padding ? `, { padding: ${p.padding} }` : ''})`,
})
