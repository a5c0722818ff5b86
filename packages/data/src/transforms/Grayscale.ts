import type { RawImage } from '../Dataset.js'
import { OptionError } from '../errors.js'
import { toGrayscale } from '../images/ops.js'
import { checkRawImage } from './rawImage.js'
import type { Transform } from './Transform.js'

/**
 * Converts a {@link RawImage} to grayscale, like `torchvision.transforms.Grayscale` on a PIL image:
 * `L = (19595 R + 38470 G + 7471 B + 32768) >> 16` (Pillow's ITU-R 601-2 luma, exact). With
 * `numOutputChannels: 3` the gray value is repeated in three channels. A grayscale image passes
 * through unchanged (copied).
 *
 * @example
 * new Grayscale().apply(rgbImage).shape // [H, W]
 */
export class Grayscale implements Transform<RawImage, RawImage> {
  readonly numOutputChannels: 1 | 3

  constructor(numOutputChannels: 1 | 3 = 1) {
    if (numOutputChannels !== 1 && numOutputChannels !== 3) {
      throw new OptionError('INVALID_OPTION', {
        owner: 'Grayscale',
        option: 'numOutputChannels',
        value: numOutputChannels,
        expected: '1 or 3',
      })
    }
    this.numOutputChannels = numOutputChannels
  }

  apply(input: RawImage): RawImage {
    return toGrayscale(checkRawImage(input, 'Grayscale'), this.numOutputChannels)
  }

  toString(): string {
    return `Grayscale(num_output_channels=${this.numOutputChannels})`
  }
}
