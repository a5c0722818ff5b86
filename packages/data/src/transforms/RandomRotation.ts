import type { RandomSource } from '@tensorloom/random'
import type { RawImage } from '../Dataset.js'
import { OptionError } from '../errors.js'
import { rotateNearest } from '../images/ops.js'
import {
  checkRawImage,
  type RandomTransformOptions,
  transformGenerator,
  uniform,
} from './rawImage.js'
import type { Transform } from './Transform.js'

/** Options of {@link RandomRotation}. */
export interface RandomRotationOptions extends RandomTransformOptions {
  /** Value of the pixels the rotation uncovers: one number or one per channel (default 0). */
  fill?: number | readonly number[]
}

/**
 * Rotates a {@link RawImage} by a random angle, like `torchvision.transforms.RandomRotation(degrees)`
 * with its defaults (nearest-neighbour sampling, same size, about the centre, uncovered pixels
 * `fill`): the angle is drawn uniformly from `[-degrees, degrees]` (or `[min, max]`) as torchvision
 * draws it, and the rotation is Pillow's, pixel for pixel. Positive angles turn counter-clockwise.
 *
 * Not supported (torchvision options): bilinear interpolation, `expand` and `center`.
 *
 * @example
 * const rotate = new RandomRotation(15, { generator: createGenerator(0) })
 */
export class RandomRotation implements Transform<RawImage, RawImage> {
  /** `[min, max]` angle in degrees. */
  readonly degrees: readonly [number, number]
  readonly fill: number | readonly number[]
  /** The generator the angle is drawn from. */
  readonly generator: RandomSource

  constructor(degrees: number | readonly [number, number], options: RandomRotationOptions = {}) {
    const range: unknown =
      typeof degrees === 'number' ? (degrees >= 0 ? [-degrees, degrees] : undefined) : degrees
    if (
      !Array.isArray(range) ||
      range.length !== 2 ||
      !range.every((d) => typeof d === 'number' && Number.isFinite(d)) ||
      range[0] > range[1]
    ) {
      throw new OptionError('INVALID_OPTION', {
        owner: 'RandomRotation',
        option: 'degrees',
        value: degrees,
        expected: 'a non-negative number of degrees or [min, max]',
      })
    }
    this.degrees = [range[0], range[1]]
    this.fill = options.fill ?? 0
    this.generator = transformGenerator(options.generator)
  }

  /** Draws the next angle, as `RandomRotation.get_params` does. */
  angle(): number {
    return uniform(this.generator, this.degrees[0], this.degrees[1])
  }

  apply(input: RawImage): RawImage {
    const image = checkRawImage(input, 'RandomRotation')
    return rotateNearest(image, this.angle(), this.fill)
  }

  toString(): string {
    return `RandomRotation(degrees=[${this.degrees.join(', ')}], interpolation=nearest, expand=False, fill=${this.fill})`
  }
}
