// Helpers for writing the WebAssembly loops of normLoops.ts and indexLoops.ts: named locals,
// element addresses, SIMD loads and stores, and a pass over channels-last rows.
import { forLoop, I, T, type ValType } from './encoder'

/** Names the parameters and locals of a function: `at.name` is the index of `name`. */
export function frame<P extends string, L extends string>(
  params: readonly P[],
  locals: Partial<Record<L, ValType>>,
): { at: Record<P | L, number>; locals: ValType[] } {
  const at = {} as Record<P | L, number>
  params.forEach((p, i) => {
    at[p] = i
  })
  const types = Object.entries(locals) as Array<[L, ValType]>
  types.forEach(([name], i) => {
    at[name] = params.length + i
  })
  return { at, locals: types.map(([, t]) => t) }
}

/** `base + 4·index` (an f32 element's byte address). */
export const addr = (base: number, index: number) => [
  ...I.get(base),
  ...I.get(index),
  ...I.i32(2),
  ...I.i32Shl,
  ...I.i32Add,
]

/**
 * A pass over `[rows, C]` channels-last data, 4 channels at a time: `body` runs with `p` the byte
 * offset into the data (row start + q) and `q` the byte offset into the per-channel vectors.
 */
export function channelPass(
  at: { p: number; q: number; end: number; row: number; rowEnd: number },
  bytes: number,
  rowBytes: number,
  body: number[],
) {
  return [
    ...I.get(bytes),
    ...I.set(at.end),
    ...forLoop(at.row, I.i32(0), at.end, 0, [
      ...I.get(rowBytes),
      ...I.set(at.rowEnd),
      ...forLoop(at.q, I.i32(0), at.rowEnd, 16, [
        ...I.get(at.row),
        ...I.get(at.q),
        ...I.i32Add,
        ...I.set(at.p),
        ...body,
      ]),
      // Next row (the loop's own step is 0).
      ...I.get(at.row),
      ...I.get(rowBytes),
      ...I.i32Add,
      ...I.set(at.row),
    ]),
  ]
}

export const v = (base: number, off: number) => [
  ...I.get(base),
  ...I.get(off),
  ...I.i32Add,
  ...I.v128Load(),
]
export const vStore = (base: number, off: number, value: number[]) => [
  ...I.get(base),
  ...I.get(off),
  ...I.i32Add,
  ...value,
  ...I.v128Store(),
]

export const passLocals = { p: T.i32, q: T.i32, end: T.i32, row: T.i32, rowEnd: T.i32 } as const

/** i32 arithmetic on instruction lists. */
export const mul = (a: number[], b: number[]) => [...a, ...b, ...I.i32Mul]
export const add = (a: number[], b: number[]) => [...a, ...b, ...I.i32Add]
export const sub = (a: number[], b: number[]) => [...a, ...b, ...I.i32Sub]
