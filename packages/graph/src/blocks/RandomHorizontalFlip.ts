import { pythonNumber } from '../python.js'
import { definePipeline } from './block.js'
import { imageOf } from './imageSize.js'
import { probability } from './params.js'

/** `transforms.RandomHorizontalFlip(p=0.5)` */
export interface RandomHorizontalFlipParams {
  p: number
}

/** `transforms.RandomHorizontalFlip`: mirrors images at random, for augmentation. */
export const RandomHorizontalFlip = definePipeline<
  'RandomHorizontalFlip',
  RandomHorizontalFlipParams
>({
  type: 'RandomHorizontalFlip',
  kind: 'transform',
  category: 'data',
  description: 'Mirrors each image left to right with probability p (not for digits or text).',
  params: { p: probability('Probability that an image is flipped.') },
  defaults: { p: 0.5 },
  infer(input) {
    const image = imageOf('RandomHorizontalFlip', input.shape)
    return image.ok ? { output: input } : image.result
  },
  summary: (p) => `p = ${p.p}`,
  pytorch: (p) => `transforms.RandomHorizontalFlip(${p.p === 0.5 ? '' : `p=${pythonNumber(p.p)}`})`,
  typescript: (p) => `new RandomHorizontalFlip(${p.p === 0.5 ? '' : p.p})`,
})
