import { createGenerator, type Generator, type RandomSource } from '@tensorloom/random'
import type { RawImage } from '../Dataset.js'
import { OptionError, TransformError } from '../errors.js'
import { describeValue } from './Transform.js'

/** Checks that `input` is a {@link RawImage} whose data fits its shape; throws naming `transform`. */
export function checkRawImage(input: unknown, transform: string): RawImage {
  const raw = input as Partial<RawImage> | null
  const shape = raw?.shape
  const data = raw?.data
  const ok =
    Array.isArray(shape) &&
    (shape.length === 2 || shape.length === 3) &&
    shape.every((s) => Number.isInteger(s) && s >= 0) &&
    (data instanceof Uint8Array || data instanceof Uint8ClampedArray) &&
    data.length === shape.reduce((a: number, b: number) => a * b, 1)
  if (!ok) {
    throw new TransformError('TRANSFORM_BAD_INPUT', {
      transform,
      expected: `a raw image { data: Uint8Array, shape: [H, W] or [H, W, C] } (put ${transform} before ToTensor)`,
      actual: describeValue(input),
    })
  }
  return raw as RawImage
}

/** A size given as one number or `[height, width]`, checked. */
export function checkSize(owner: string, option: string, size: unknown): [number, number] {
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0
  if (ok(size)) return [size, size]
  if (Array.isArray(size) && size.length === 1 && ok(size[0])) return [size[0], size[0]]
  if (Array.isArray(size) && size.length === 2 && ok(size[0]) && ok(size[1])) {
    return [size[0], size[1]]
  }
  throw new OptionError('INVALID_OPTION', {
    owner,
    option,
    value: size,
    expected: 'a positive integer or [height, width]',
  })
}

/** Options shared by the random transforms. */
export interface RandomTransformOptions {
  /**
   * Where the randomness comes from: a `Generator` (shared by several transforms, they draw from it
   * in turn, as torchvision's transforms draw from torch's global generator) or a seed. Default: a
   * generator with a random seed.
   */
  generator?: RandomSource | number | bigint
}

/** The generator of a random transform. */
export function transformGenerator(
  generator: RandomSource | number | bigint | undefined,
): RandomSource {
  if (generator === undefined || typeof generator === 'number' || typeof generator === 'bigint') {
    return createGenerator(generator) as Generator
  }
  return generator
}

/** `torch.rand(1).item()` (a float32 in [0, 1)) from `source`. */
export function rand(source: RandomSource): number {
  return (source.nextUint32() & 0xffffff) / 2 ** 24
}

/** `torch.randint(0, n, (1,)).item()` from `source`. */
export function randint(source: RandomSource, n: number): number {
  return source.nextUint32() % n
}

/** `torch.empty(1).uniform_(from, to).item()` from `source` (as `Generator.uniformFloat32`). */
export function uniform(source: RandomSource, from: number, to: number): number {
  const lo = Math.fround(from)
  const x = rand(source)
  return Math.fround(x * Math.fround(Math.fround(to) - lo) + lo)
}
