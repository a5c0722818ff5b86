import type { RawImage } from '../Dataset.js'
import { OptionError } from '../errors.js'
import { dims, resizeBilinear, resizeNearest } from '../images/ops.js'
import { checkRawImage, checkSize } from './rawImage.js'
import type { Transform } from './Transform.js'

/** Resampling of {@link Resize}: torchvision's `InterpolationMode.BILINEAR` (default) or `NEAREST`. */
export type Interpolation = 'bilinear' | 'nearest'

/**
 * Resizes a {@link RawImage}, like `torchvision.transforms.Resize` on a PIL image: `size` as
 * `[height, width]` gives exactly that size; one number matches the smaller edge to it, keeping the
 * aspect ratio (the other edge is `floor(size * long / short)`). Bilinear resampling antialiases when
 * shrinking, exactly as Pillow does (torchvision's default for PIL images), so the pixels equal
 * torchvision's; `'nearest'` is Pillow's nearest neighbour.
 *
 * Put it before {@link ToTensor}: `new Compose([new Resize(32), new ToTensor()])`.
 *
 * @example
 * new Resize([28, 28]).apply(image).shape // [28, 28] or [28, 28, 3]
 */
export class Resize implements Transform<RawImage, RawImage> {
  /** `[height, width]`, or one number for the smaller edge. */
  readonly size: number | readonly [number, number]
  readonly interpolation: Interpolation
  /** With one-number `size`: the longer edge is capped at this (torchvision's `max_size`). */
  readonly maxSize: number | undefined

  constructor(
    size: number | readonly [number] | readonly [number, number],
    options: { interpolation?: Interpolation; maxSize?: number } = {},
  ) {
    const [h, w] = checkSize('Resize', 'size', size)
    this.size = typeof size === 'number' || size.length === 1 ? h : [h, w]
    const interpolation = options.interpolation ?? 'bilinear'
    if (interpolation !== 'bilinear' && interpolation !== 'nearest') {
      throw new OptionError('INVALID_OPTION', {
        owner: 'Resize',
        option: 'interpolation',
        value: interpolation,
        expected: "'bilinear' or 'nearest'",
      })
    }
    this.interpolation = interpolation
    this.maxSize = options.maxSize
    if (
      this.maxSize !== undefined &&
      (typeof this.size !== 'number' || !(this.maxSize > this.size))
    ) {
      throw new OptionError('INVALID_OPTION', {
        owner: 'Resize',
        option: 'maxSize',
        value: this.maxSize,
        expected: 'a number larger than size, with a one-number size',
      })
    }
  }

  /** The `[height, width]` an image of `height x width` is resized to. */
  outputSize(height: number, width: number): [number, number] {
    if (typeof this.size !== 'number') return [this.size[0], this.size[1]]
    const [short, long] = width <= height ? [width, height] : [height, width]
    let newShort = this.size
    let newLong = Math.trunc((this.size * long) / short)
    if (this.maxSize !== undefined && newLong > this.maxSize) {
      newShort = Math.trunc((this.maxSize * newShort) / newLong)
      newLong = this.maxSize
    }
    return width <= height ? [newLong, newShort] : [newShort, newLong]
  }

  apply(input: RawImage): RawImage {
    const image = checkRawImage(input, 'Resize')
    const [h, w] = dims(image)
    const [outH, outW] = this.outputSize(h, w)
    return this.interpolation === 'nearest'
      ? resizeNearest(image, outH, outW)
      : resizeBilinear(image, outH, outW)
  }

  toString(): string {
    const size = typeof this.size === 'number' ? this.size : `[${this.size.join(', ')}]`
    return `Resize(size=${size}, interpolation=${this.interpolation}${this.maxSize ? `, max_size=${this.maxSize}` : ''})`
  }
}
