import { makeIssue } from '../errors.js'
import type { Fix, ShapeIssue, ShapeResult } from '../issue.js'

/** A successful shape rule. */
export const ok = (shape: number[]): ShapeResult => ({ ok: true, shape })
/** A failed shape rule. */
export const fail = (error: ShapeIssue): ShapeResult => ({ ok: false, error })
/** The shape rule of layers that keep their input's shape. */
export const sameShape = (input: readonly number[]): ShapeResult => ok([...input])

/** The product of `dims[from..to)`. */
export const product = (dims: readonly number[], from = 0, to = dims.length): number => {
  let p = 1
  for (let i = from; i < to; i++) p *= dims[i]!
  return p
}

/** PyTorch's wrap_dim: the valid range of `dim` for a tensor of `rank` dims, scalars as 1-D. */
export const dimRange = (rank: number): { min: number; max: number } => {
  const r = Math.max(rank, 1)
  return { min: -r, max: r - 1 }
}

/** `dim` as a non-negative index, or null when it is out of range. */
export const normalizeDim = (dim: number, rank: number): number | null => {
  const { min, max } = dimRange(rank)
  if (dim < min || dim > max) return null
  return dim < 0 ? dim + Math.max(rank, 1) : dim
}

/** PyTorch's `Dimension out of range` with a fix that sets `param` to `value`. */
export const dimError = (
  dim: number,
  rank: number,
  param: string,
  label: string,
  value: number,
): ShapeResult =>
  fail(
    makeIssue(
      'DIM_OUT_OF_RANGE',
      { ...dimRange(rank), dim },
      { kind: 'setParam', param, value, label: `Set ${label} = ${value}` },
    ),
  )

/** The fix that inserts a default `Flatten` before the node. */
export const insertFlatten: Fix = {
  kind: 'insertBefore',
  type: 'Flatten',
  params: { startDim: 1, endDim: -1 },
  label: 'Insert Flatten before this node',
}

/** The fix that sets `param` to `value` (on `nodeId`, or on the node itself). */
export const setParam = (param: string, value: unknown, label: string, nodeId?: string): Fix => ({
  kind: 'setParam',
  ...(nodeId === undefined ? {} : { nodeId }),
  param,
  value,
  label,
})

/** The fix that inserts a `type` node before this one. */
export const insertBefore = (type: string, params: Record<string, unknown> = {}): Fix => ({
  kind: 'insertBefore',
  type,
  params,
  label: `Insert ${type} before this node`,
})

/** The fix that removes the node. */
export const REMOVE: Fix = { kind: 'removeNode', label: 'Remove this node' }
