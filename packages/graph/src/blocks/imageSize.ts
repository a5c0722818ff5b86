import { makeIssue } from '../errors.js'
import type { ParamInput, StepResult } from './block.js'
import { REMOVE } from './rules.js'

/** A torchvision size: one number (a square, or Resize's smaller edge) or `(height, width)`. */
export const sizeParam = (help: string): ParamInput => ({
  label: 'size',
  kind: 'intList',
  min: 1,
  max: 4096,
  maxLength: 2,
  help,
})

/** `(h, w)` of a size parameter: `[s]` is a square. */
export const hw = (size: readonly number[]): [number, number] => [size[0]!, size[1] ?? size[0]!]

/** The size as torchvision takes it: `32` or `(28, 32)`. */
export const pySize = (size: readonly number[]): string =>
  size.length === 1 ? `${size[0]}` : `(${size[0]}, ${size[1]})`

/** The size as `@tensorloom/data` takes it: `32` or `[28, 32]`. */
export const tsSize = (size: readonly number[]): string =>
  size.length === 1 ? `${size[0]}` : `[${size[0]}, ${size[1]}]`

/** A summary of a size: `32×32`. */
export const sizeText = (size: readonly number[]): string => hw(size).join('×')

/** The `(C, H, W)` of an image sample, or the error for samples that are not images. */
export function imageOf(
  type: string,
  shape: readonly number[],
): { ok: true; c: number; h: number; w: number } | { ok: false; result: StepResult } {
  if (shape.length !== 3) {
    const error = makeIssue('IMAGE_TRANSFORM_INPUT', { type, inputShape: [...shape] }, REMOVE)
    return { ok: false, result: { output: null, errors: [error] } }
  }
  const [c, h, w] = shape as [number, number, number]
  return { ok: true, c, h, w }
}
