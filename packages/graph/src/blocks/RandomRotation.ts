import { pythonNumber } from '../python.js'
import { definePipeline } from './block.js'
import { imageOf } from './imageSize.js'
import { float } from './params.js'

/** `transforms.RandomRotation(degrees)`: a random angle in `[-degrees, degrees]`. */
export interface RandomRotationParams {
  degrees: number
}

/** `transforms.RandomRotation`: turns images by a random angle, for augmentation. */
export const RandomRotation = definePipeline<'RandomRotation', RandomRotationParams>({
  type: 'RandomRotation',
  kind: 'transform',
  category: 'data',
  description: 'Turns each image by a random angle up to ± degrees (corners filled with black).',
  params: { degrees: float('degrees', 0, 180, 'Largest angle, in degrees, either way.') },
  defaults: { degrees: 15 },
  infer(input) {
    const image = imageOf('RandomRotation', input.shape)
    return image.ok ? { output: input } : image.result
  },
  summary: (p) => `± ${p.degrees}°`,
  pytorch: (p) => `transforms.RandomRotation(${pythonNumber(p.degrees)})`,
  typescript: (p) => `new RandomRotation(${p.degrees})`,
})
