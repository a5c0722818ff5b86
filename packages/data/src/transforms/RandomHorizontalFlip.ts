import type { RandomSource } from '@tensorloom/random'
import type { RawImage } from '../Dataset.js'
import { OptionError } from '../errors.js'
import { dims, hflip, makeImage } from '../images/ops.js'
import { checkRawImage, type RandomTransformOptions, rand, transformGenerator } from './rawImage.js'
import type { Transform } from './Transform.js'

/**
 * Mirrors a {@link RawImage} left to right with probability `p` (default 0.5), like
 * `torchvision.transforms.RandomHorizontalFlip(p)`: it flips when `torch.rand(1) < p`, drawn the
 * same way from the generator. Returns a copy either way.
 *
 * @example
 * const flip = new RandomHorizontalFlip(0.5, { generator: createGenerator(0) })
 */
export class RandomHorizontalFlip implements Transform<RawImage, RawImage> {
  readonly p: number
  /** The generator the coin is drawn from. */
  readonly generator: RandomSource

  constructor(p = 0.5, options: RandomTransformOptions = {}) {
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new OptionError('INVALID_OPTION', {
        owner: 'RandomHorizontalFlip',
        option: 'p',
        value: p,
        expected: 'a probability from 0 to 1',
      })
    }
    this.p = p
    this.generator = transformGenerator(options.generator)
  }

  apply(input: RawImage): RawImage {
    const image = checkRawImage(input, 'RandomHorizontalFlip')
    if (rand(this.generator) < Math.fround(this.p)) return hflip(image)
    const [h, w, c] = dims(image)
    return makeImage(image.data.slice(), h, w, c, image)
  }

  toString(): string {
    return `RandomHorizontalFlip(p=${this.p})`
  }
}
