import type { RawImage } from '@tensorloom/data'
import type { GraphPlan } from '@tensorloom/graph'
import type { RawSplit } from '@tensorloom/train'
import { openDataStorage } from '../data/storage'
import { isLocalSource } from '../data/summary'
import type { ImageLayout, ValueStats } from './protocol'

/** A dataset whose samples are rows of numbers (CSVDataset, the toy problems): read without tensors. */
export interface TableLike {
  features: Float32Array
  shape: readonly number[]
  targets: ArrayLike<number>
  length: number
}

export function asTable(raw: RawSplit): TableLike | null {
  const t = raw as unknown as Partial<TableLike>
  return t.features instanceof Float32Array && Array.isArray(t.shape) ? (t as TableLike) : null
}

/** The features of sample `index` of a table. */
export function rowOf(table: TableLike, index: number): number[] {
  const size = table.shape.reduce((a, b) => a * b, 1)
  return Array.from(table.features.subarray(index * size, (index + 1) * size))
}

/** The untransformed image of sample `index` (datasets without a transform return RawImages). */
export function imageOf(raw: RawSplit, index: number): RawImage {
  const image = (raw as { image?: (i: number) => RawImage }).image
  return image ? image.call(raw, index) : (raw.get(index)[0] as RawImage)
}

const channelsOf = (image: RawImage) => (image.shape.length === 3 ? image.shape[2] : 1)

/** Thumbnails' size: the images' own when they share one of at most 64 px, else 48 x 48. */
export function thumbnailLayout(images: readonly RawImage[]): ImageLayout {
  const channels = images.some((im) => channelsOf(im) >= 3) ? 3 : 1
  const [h, w] = images[0]?.shape ?? [28, 28]
  const uniform = images.every((im) => im.shape[0] === h && im.shape[1] === w)
  return uniform && Math.max(h, w) <= 64
    ? { height: h, width: w, channels }
    : { height: 48, width: 48, channels }
}

/**
 * `image` scaled (nearest pixel) to fit `layout`, centred on black, gray spread to RGB when the
 * layout has colour.
 */
export function thumbnail(image: RawImage, layout: ImageLayout): Uint8Array {
  const [h, w] = image.shape
  const c = channelsOf(image)
  const out = new Uint8Array(layout.height * layout.width * layout.channels)
  const scale = Math.min(layout.height / h, layout.width / w)
  const th = Math.max(1, Math.round(h * scale))
  const tw = Math.max(1, Math.round(w * scale))
  const y0 = Math.floor((layout.height - th) / 2)
  const x0 = Math.floor((layout.width - tw) / 2)
  for (let y = 0; y < th; y++) {
    const sy = Math.min(h - 1, Math.floor(y / scale))
    for (let x = 0; x < tw; x++) {
      const sx = Math.min(w - 1, Math.floor(x / scale))
      const src = (sy * w + sx) * c
      const dst = ((y0 + y) * layout.width + x0 + x) * layout.channels
      for (let k = 0; k < layout.channels; k++) {
        out[dst + k] = image.data[src + (c === 1 ? 0 : Math.min(k, c - 1))]!
      }
    }
  }
  return out
}

/** Thumbnails of `images`, packed. */
export function packThumbnails(images: readonly RawImage[], layout: ImageLayout): Uint8Array {
  const size = layout.height * layout.width * layout.channels
  const out = new Uint8Array(images.length * size)
  images.forEach((image, i) => {
    out.set(thumbnail(image, layout), i * size)
  })
  return out
}

/** Min, max, mean and std of `values` after `map`. */
export function stats(
  values: ArrayLike<number>,
  map: (v: number, i: number) => number,
): ValueStats {
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  let sum = 0
  let sq = 0
  for (let i = 0; i < values.length; i++) {
    const v = map(values[i]!, i)
    if (v < min) min = v
    if (v > max) max = v
    sum += v
    sq += v * v
  }
  const n = Math.max(1, values.length)
  const mean = sum / n
  return { min, max, mean, std: Math.sqrt(Math.max(0, sq / n - mean * mean)) }
}

/** Pixel statistics of `images` as bytes, after ToTensor, and after the graph's Normalize. */
export function pixelStats(images: readonly RawImage[], plan: GraphPlan) {
  const total = images.reduce((n, im) => n + im.data.length, 0)
  const values = new Uint8Array(total)
  const channel = new Uint8Array(total)
  let at = 0
  for (const im of images) {
    const c = channelsOf(im)
    values.set(im.data, at)
    for (let i = 0; i < im.data.length; i++) channel[at + i] = i % c
    at += im.data.length
  }
  const norm = plan.normalize
  return {
    raw: stats(values, (v) => v),
    toTensor: stats(values, (v) => v / 255),
    normalized: norm
      ? stats(values, (v, i) => {
          const k = channel[i]!
          const mean = norm.mean[k] ?? norm.mean[0] ?? 0
          const std = norm.std[k] ?? norm.std[0] ?? 1
          return (v / 255 - mean) / std
        })
      : null,
  }
}

const DIGITS = Array.from({ length: 10 }, (_, i) => String(i))

/**
 * The dataset's class names, by label: MNIST's digits, the folder names of an ImageFolder,
 * FashionMNIST's and CIFAR-10's names, a CSV file's labels (with the names its first line gives,
 * when it gave them), `0`, `1`… for the toy problems.
 */
export async function classNamesOf(plan: GraphPlan, raw: RawSplit): Promise<string[]> {
  const dataset = plan.dataset
  const count = dataset?.classes ?? 0
  if (dataset?.type === 'MNIST') return DIGITS
  const own = (raw as { classes?: readonly string[] }).classes
  let names = own ? [...own] : Array.from({ length: count }, (_, i) => String(i))
  const source = (dataset?.params as { source?: unknown } | undefined)?.source
  if (dataset?.type === 'CSVDataset' && isLocalSource(source)) {
    const meta = await (await openDataStorage()).get(source).catch(() => null)
    if (meta?.summary.kind === 'csv') {
      const labelNames = meta.summary.labelNames
      names = names.map((n) => labelNames[n] ?? n)
    }
  }
  return names
}

/** The feature columns of a table dataset, by name. */
export function columnsOf(plan: GraphPlan, width: number): string[] {
  const dataset = plan.dataset
  if (dataset?.type === 'CSVDataset') {
    return [...((dataset.params as { features: string[] }).features ?? [])]
  }
  if (dataset?.type === 'Toy2D') return ['x', 'y']
  return Array.from({ length: width }, (_, i) => `x${i}`)
}
