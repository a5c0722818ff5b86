// Helpers for writing the WebAssembly loops of normLoops.ts and indexLoops.ts: named locals,
// element addresses, SIMD loads and stores, and a pass over channels-last rows.
import { forLoop, I, T, type ValType } from './encoder'

/**
 * The vector locals of a 4-row × 8-column accumulator tile (the tiled convolution and filter
 * gradients): `a0`…`a7` (row r, columns half·4…half·4 + 3 in `a{2r + half}`), the operands `d0`
 * and `d1`, and a scratch `s`. Spread into a {@link frame}'s locals.
 */
export const TILE_LOCALS = {
  a0: T.v128,
  a1: T.v128,
  a2: T.v128,
  a3: T.v128,
  a4: T.v128,
  a5: T.v128,
  a6: T.v128,
  a7: T.v128,
  d0: T.v128,
  d1: T.v128,
  s: T.v128,
} as const

/** The indices of a frame's {@link TILE_LOCALS}. */
type TileAt = Record<keyof typeof TILE_LOCALS, number>

/** The accumulators `a0`…`a7` of a frame with {@link TILE_LOCALS}, in tile order. */
export function tileAccumulators(at: Omit<TileAt, 'd0' | 'd1' | 's'>): {
  accs: number[]
  acc: (r: number, half: number) => number
} {
  const accs = [at.a0, at.a1, at.a2, at.a3, at.a4, at.a5, at.a6, at.a7]
  return { accs, acc: (r, half) => accs[r * 2 + half]! }
}

/**
 * One rank-1 update of the tile: `d0`, `d1` = the 8 floats at the address in local `operand`;
 * then for each row r, `s` = the float `row(r)` loads, splatted (its code ends with the load),
 * and a{2r + half} += s·d{half}.
 */
export function tileStep(at: TileAt, operand: number, row: (r: number) => number[]): number[] {
  const { acc } = tileAccumulators(at)
  return [
    ...I.get(operand),
    ...I.v128Load(0),
    ...I.set(at.d0),
    ...I.get(operand),
    ...I.v128Load(16),
    ...I.set(at.d1),
    ...[0, 1, 2, 3].flatMap((r) => [
      ...row(r),
      ...I.set(at.s),
      ...[0, 1].flatMap((half) => [
        ...I.get(acc(r, half)),
        ...I.get(at.s),
        ...I.get(half ? at.d1 : at.d0),
        ...I.f32x4Mul,
        ...I.f32x4Add,
        ...I.set(acc(r, half)),
      ]),
    ]),
  ]
}

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
