import type { RandomSource } from '@tensorloom/random'
import type { RawImage } from '../Dataset.js'
import { OptionError, TransformError } from '../errors.js'
import { crop, dims, type PaddingMode, pad } from '../images/ops.js'
import {
  checkRawImage,
  checkSize,
  type RandomTransformOptions,
  randint,
  transformGenerator,
} from './rawImage.js'
import type { Transform } from './Transform.js'

/** Options of {@link RandomCrop}, named like torchvision's arguments. */
export interface RandomCropOptions extends RandomTransformOptions {
  /** Border added first: one number (all sides), `[leftRight, topBottom]` or `[left, top, right, bottom]`. */
  padding?: number | readonly [number, number] | readonly [number, number, number, number]
  /** Pad an image smaller than the crop up to its size (default false). */
  padIfNeeded?: boolean
  /** Value of constant padding: one number or one per channel (default 0). */
  fill?: number | readonly number[]
  /** `'constant'` (default), `'edge'`, `'reflect'` or `'symmetric'`. */
  paddingMode?: PaddingMode
}

/**
 * Crops a random `[height, width]` region of a {@link RawImage}, after optional padding, like
 * `torchvision.transforms.RandomCrop(size, padding)`: `RandomCrop(32, { padding: 4 })` is the usual
 * CIFAR-10 augmentation. The offsets are drawn as torchvision draws them (`torch.randint(0, H - h +
 * 1)`, then the same for the column), so with a `Generator` in the state of torch's global generator
 * the crops are torchvision's.
 *
 * @example
 * const augment = new RandomCrop(28, { padding: 2, generator: createGenerator(0) })
 */
export class RandomCrop implements Transform<RawImage, RawImage> {
  readonly size: readonly [number, number]
  readonly padding: readonly [number, number, number, number] | undefined
  readonly padIfNeeded: boolean
  readonly fill: number | readonly number[]
  readonly paddingMode: PaddingMode
  /** The generator the offsets are drawn from. */
  readonly generator: RandomSource

  constructor(
    size: number | readonly [number] | readonly [number, number],
    options: RandomCropOptions = {},
  ) {
    this.size = checkSize('RandomCrop', 'size', size)
    this.padding = options.padding === undefined ? undefined : paddingOf(options.padding)
    this.padIfNeeded = options.padIfNeeded ?? false
    this.fill = options.fill ?? 0
    this.paddingMode = options.paddingMode ?? 'constant'
    if (!['constant', 'edge', 'reflect', 'symmetric'].includes(this.paddingMode)) {
      throw new OptionError('INVALID_OPTION', {
        owner: 'RandomCrop',
        option: 'paddingMode',
        value: this.paddingMode,
        expected: "'constant', 'edge', 'reflect' or 'symmetric'",
      })
    }
    this.generator = transformGenerator(options.generator)
  }

  apply(input: RawImage): RawImage {
    let image = checkRawImage(input, 'RandomCrop')
    if (this.padding) image = pad(image, this.padding, this.fill, this.paddingMode)
    let [h, w] = dims(image)
    const [th, tw] = this.size
    if (this.padIfNeeded && w < tw)
      image = pad(image, [tw - w, 0, tw - w, 0], this.fill, this.paddingMode)
    if (this.padIfNeeded && h < th)
      image = pad(image, [0, th - h, 0, th - h], this.fill, this.paddingMode)
    ;[h, w] = dims(image)
    if (h < th || w < tw) {
      throw new TransformError('TRANSFORM_BAD_INPUT', {
        transform: 'RandomCrop',
        expected: `an image of at least ${th} x ${tw} pixels (after padding)`,
        actual: `${h} x ${w}; use padIfNeeded: true or Resize first`,
      })
    }
    if (h === th && w === tw) return crop(image, 0, 0, h, w)
    const top = randint(this.generator, h - th + 1)
    const left = randint(this.generator, w - tw + 1)
    return crop(image, top, left, th, tw)
  }

  toString(): string {
    return `RandomCrop(size=(${this.size.join(', ')}), padding=${this.padding ? `[${this.padding.join(', ')}]` : 'None'})`
  }
}

function paddingOf(padding: number | readonly number[]): [number, number, number, number] {
  const ok = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0
  if (ok(padding)) {
    const p = padding as number
    return [p, p, p, p]
  }
  const p = padding as readonly number[]
  if (Array.isArray(p) && p.every(ok)) {
    if (p.length === 1) return [p[0]!, p[0]!, p[0]!, p[0]!]
    if (p.length === 2) return [p[0]!, p[1]!, p[0]!, p[1]!]
    if (p.length === 4) return [p[0]!, p[1]!, p[2]!, p[3]!]
  }
  throw new OptionError('INVALID_OPTION', {
    owner: 'RandomCrop',
    option: 'padding',
    value: padding,
    expected: 'a non-negative integer, [leftRight, topBottom] or [left, top, right, bottom]',
  })
}
