import type { RawImage } from '../Dataset.js'
import { crop, dims, pad, roundHalfEven } from '../images/ops.js'
import { checkRawImage, checkSize } from './rawImage.js'
import type { Transform } from './Transform.js'

/**
 * Crops the centre `[height, width]` of a {@link RawImage}, like `torchvision.transforms.CenterCrop`:
 * the offset is `round((H - height) / 2)` with Python's rounding (halves to even), and an image
 * smaller than the crop is first padded with zeros on each side (the extra pixel right and bottom).
 *
 * @example
 * new CenterCrop(24).apply(image).shape // [24, 24]
 */
export class CenterCrop implements Transform<RawImage, RawImage> {
  readonly size: readonly [number, number]

  constructor(size: number | readonly [number] | readonly [number, number]) {
    this.size = checkSize('CenterCrop', 'size', size)
  }

  apply(input: RawImage): RawImage {
    let image = checkRawImage(input, 'CenterCrop')
    const [th, tw] = this.size
    let [h, w] = dims(image)
    if (tw > w || th > h) {
      image = pad(image, [
        tw > w ? Math.floor((tw - w) / 2) : 0,
        th > h ? Math.floor((th - h) / 2) : 0,
        tw > w ? Math.floor((tw - w + 1) / 2) : 0,
        th > h ? Math.floor((th - h + 1) / 2) : 0,
      ])
      ;[h, w] = dims(image)
      if (h === th && w === tw) return image
    }
    return crop(image, roundHalfEven((h - th) / 2), roundHalfEven((w - tw) / 2), th, tw)
  }

  toString(): string {
    return `CenterCrop(size=(${this.size.join(', ')}))`
  }
}
