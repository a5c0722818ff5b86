// The gather and scatter loops of pooling's and convolution's gradients as WebAssembly: max
// pooling's gradient (scalar, and 4 channels at a time) and the im2col of a filter gradient.
import { forLoop, I, T, type WasmFunction } from './encoder'
import { add, addr, frame, mul, sub, v, vStore } from './loops'

/**
 * Max pooling's gradient (dx zeroed by the caller): each `dy` added at the first element of its
 * window equal to `y` (only where `y` > 0 when `relu` ≠ 0). Args: x, y, dy, dx, b, h, w, c, ho,
 * wo, k, s, relu.
 */
export function maxPoolGrad(): WasmFunction {
  const names = ['x', 'y', 'dy', 'dx', 'b', 'h', 'w', 'c', 'ho', 'wo', 'k', 's', 'relu'] as const
  const { at, locals } = frame(names, {
    n: T.i32,
    i: T.i32,
    j: T.i32,
    ch: T.i32,
    di: T.i32,
    dj: T.i32,
    o: T.i32,
    corner: T.i32,
    idx: T.i32,
    g: T.f32,
    val: T.f32,
  })
  const search = [
    // idx = corner + (di·w + dj)·c + ch; if x[idx] == val: dx[idx] += g, stop searching.
    ...forLoop(at.di, I.i32(0), at.k, 1, [
      ...forLoop(at.dj, I.i32(0), at.k, 1, [
        ...add(
          I.get(at.corner),
          add(mul(add(mul(I.get(at.di), I.get(at.w)), I.get(at.dj)), I.get(at.c)), I.get(at.ch)),
        ),
        ...I.set(at.idx),
        ...addr(at.x, at.idx),
        ...I.f32Load(),
        ...I.get(at.val),
        ...I.f32Eq,
        ...I.if,
        ...addr(at.dx, at.idx),
        ...addr(at.dx, at.idx),
        ...I.f32Load(),
        ...I.get(at.g),
        ...I.f32Add,
        ...I.f32Store(),
        // Out of both loops (each forLoop is block { loop {...} }): if, loop, block, loop, block.
        ...I.br(4),
        ...I.end,
      ]),
    ]),
  ]
  const perChannel = [
    ...addr(at.dy, at.o),
    ...I.f32Load(),
    ...I.set(at.g),
    ...addr(at.y, at.o),
    ...I.f32Load(),
    ...I.set(at.val),
    // Skip when g == 0, or when relu and not val > 0.
    ...I.get(at.g),
    ...I.f32(0),
    ...I.f32Eq,
    ...I.get(at.relu),
    ...I.get(at.val),
    ...I.f32(0),
    ...I.f32Gt,
    ...I.i32Eqz,
    ...I.i32And,
    ...I.i32Or,
    ...I.i32Eqz,
    ...I.if,
    ...I.block,
    ...search,
    ...I.end,
    ...I.end,
    ...I.get(at.o),
    ...I.i32(1),
    ...I.i32Add,
    ...I.set(at.o),
  ]
  const body = [
    ...I.i32(0),
    ...I.set(at.o),
    ...forLoop(at.n, I.i32(0), at.b, 1, [
      ...forLoop(at.i, I.i32(0), at.ho, 1, [
        ...forLoop(at.j, I.i32(0), at.wo, 1, [
          ...mul(
            add(
              mul(add(mul(I.get(at.n), I.get(at.h)), mul(I.get(at.i), I.get(at.s))), I.get(at.w)),
              mul(I.get(at.j), I.get(at.s)),
            ),
            I.get(at.c),
          ),
          ...I.set(at.corner),
          ...forLoop(at.ch, I.i32(0), at.c, 1, perChannel),
        ]),
      ]),
    ]),
  ]
  return { name: 'maxPoolGrad', params: names.length, locals, body }
}

/**
 * Max pooling's gradient, 4 channels at a time (dx zeroed by the caller; C a multiple of 4): for
 * each window position in row-major order, the lanes whose maximum is not found yet and whose
 * input equals `y` get `dy` added (with `relu` ≠ 0, only where `y` > 0). Args as maxPoolGrad.
 * `tiled`: for windows that tile the input exactly (k = s, H = Ho·s, W = Wo·s), every element of
 * dx is stored once (`dy` or 0), so the caller need not zero it.
 */
export function maxPoolGrad4(tiled = false): WasmFunction {
  const names = ['x', 'y', 'dy', 'dx', 'b', 'h', 'w', 'c', 'ho', 'wo', 'k', 's', 'relu'] as const
  const { at, locals } = frame(names, {
    n: T.i32,
    i: T.i32,
    j: T.i32,
    q: T.i32,
    cb: T.i32,
    di: T.i32,
    dj: T.i32,
    o: T.i32,
    corner: T.i32,
    p: T.i32,
    g: T.v128,
    yv: T.v128,
    open: T.v128,
    hit: T.v128,
    zero: T.v128,
  })
  const g = I.get
  const position = [
    // p: byte offset of x[corner + (di·w + dj)·c + q]
    ...add(g(at.corner), mul(mul(add(mul(g(at.di), g(at.w)), g(at.dj)), g(at.c)), I.i32(4))),
    ...g(at.q),
    ...I.i32Add,
    ...I.set(at.p),
    ...v(at.x, at.p),
    ...g(at.yv),
    ...I.f32x4Eq,
    ...g(at.open),
    ...I.v128And,
    ...I.set(at.hit),
    ...vStore(at.dx, at.p, [
      ...(tiled ? [] : v(at.dx, at.p)),
      ...g(at.g),
      ...g(at.hit),
      ...I.v128And,
      ...(tiled ? [] : I.f32x4Add),
    ]),
    ...g(at.open),
    ...g(at.hit),
    ...I.v128AndNot,
    ...I.set(at.open),
  ]
  const quad = [
    ...add(g(at.o), g(at.q)),
    ...I.set(at.p),
    ...v(at.dy, at.p),
    ...I.set(at.g),
    ...v(at.y, at.p),
    ...I.set(at.yv),
    ...g(at.relu),
    ...I.if,
    ...g(at.g),
    ...g(at.yv),
    ...g(at.zero),
    ...I.f32x4Gt,
    ...I.v128And,
    ...I.set(at.g),
    ...I.end,
    ...I.i32(-1),
    ...I.i32x4Splat,
    ...I.set(at.open),
    ...forLoop(at.di, I.i32(0), at.k, 1, [...forLoop(at.dj, I.i32(0), at.k, 1, position)]),
  ]
  const body = [
    ...I.f32(0),
    ...I.f32x4Splat,
    ...I.set(at.zero),
    ...mul(g(at.c), I.i32(4)),
    ...I.set(at.cb),
    ...I.i32(0),
    ...I.set(at.o),
    ...forLoop(at.n, I.i32(0), at.b, 1, [
      ...forLoop(at.i, I.i32(0), at.ho, 1, [
        ...forLoop(at.j, I.i32(0), at.wo, 1, [
          // corner: byte offset of x[n, i·s, j·s, 0]
          ...mul(
            mul(
              add(
                mul(add(mul(g(at.n), g(at.h)), mul(g(at.i), g(at.s))), g(at.w)),
                mul(g(at.j), g(at.s)),
              ),
              g(at.c),
            ),
            I.i32(4),
          ),
          ...I.set(at.corner),
          ...forLoop(at.q, I.i32(0), at.cb, 16, quad),
          ...add(g(at.o), g(at.cb)),
          ...I.set(at.o),
        ]),
      ]),
    ]),
  ]
  return { name: tiled ? 'maxPoolGrad4Tiled' : 'maxPoolGrad4', params: names.length, locals, body }
}

/**
 * The im2col of a stride-1 convolution's input as `[k·k·C, B·Ho·Wo]` rows (see graphKernels.ts),
 * zeros where a patch reaches into the padding. Args: x, out, b, h, w, c, k, pad, ho, wo.
 */
export function im2colT(): WasmFunction {
  const names = ['x', 'out', 'b', 'h', 'w', 'c', 'k', 'pad', 'ho', 'wo'] as const
  const { at, locals } = frame(names, {
    ki: T.i32,
    kj: T.i32,
    ch: T.i32,
    n: T.i32,
    i: T.i32,
    xi: T.i32,
    j0: T.i32,
    j1: T.i32,
    dst: T.i32,
    src: T.i32,
    stop: T.i32,
    cb: T.i32,
  })
  const g = I.get
  const max0 = (a: number[]) => [...a, ...I.i32(0), ...a, ...I.i32(0), ...I.i32GtS, ...I.select]
  const min = (a: number[], b: number[]) => [...a, ...b, ...a, ...b, ...I.i32LtS, ...I.select]
  /** Stores `value` at dst and steps dst, `count` times (dst, stop: byte pointers). */
  const fill = (count: number[], value: number[], stepSrc: boolean) => [
    ...add(g(at.dst), mul(count, I.i32(4))),
    ...I.set(at.stop),
    ...I.block,
    ...I.loop,
    ...g(at.dst),
    ...g(at.stop),
    ...I.i32GeS,
    ...I.brIf(1),
    ...g(at.dst),
    ...value,
    ...I.f32Store(),
    ...add(g(at.dst), I.i32(4)),
    ...I.set(at.dst),
    ...(stepSrc ? [...add(g(at.src), g(at.cb)), ...I.set(at.src)] : []),
    ...I.br(0),
    ...I.end,
    ...I.end,
  ]
  const row = [
    ...sub(add(g(at.i), g(at.ki)), g(at.pad)),
    ...I.set(at.xi),
    ...g(at.xi),
    ...g(at.h),
    ...I.i32LtU,
    ...I.if,
    // src: x[n, xi, j0 + kj − pad, ch]
    ...add(
      g(at.x),
      mul(
        add(
          mul(
            add(
              mul(add(mul(g(at.n), g(at.h)), g(at.xi)), g(at.w)),
              sub(add(g(at.j0), g(at.kj)), g(at.pad)),
            ),
            g(at.c),
          ),
          g(at.ch),
        ),
        I.i32(4),
      ),
    ),
    ...I.set(at.src),
    ...fill(g(at.j0), I.f32(0), false),
    ...fill(sub(g(at.j1), g(at.j0)), [...g(at.src), ...I.f32Load()], true),
    ...fill(sub(g(at.wo), g(at.j1)), I.f32(0), false),
    ...I.else,
    ...fill(g(at.wo), I.f32(0), false),
    ...I.end,
  ]
  // One image at a time (its input stays in cache): its Ho·Wo columns of each output row.
  const body = [
    ...mul(g(at.c), I.i32(4)),
    ...I.set(at.cb),
    ...forLoop(at.n, I.i32(0), at.b, 1, [
      ...forLoop(at.ki, I.i32(0), at.k, 1, [
        ...forLoop(at.kj, I.i32(0), at.k, 1, [
          // The output columns whose input column is inside: [j0, j1).
          ...max0(sub(g(at.pad), g(at.kj))),
          ...I.set(at.j0),
          ...min(g(at.wo), sub(add(g(at.w), g(at.pad)), g(at.kj))),
          ...I.set(at.j1),
          ...g(at.j1),
          ...g(at.j0),
          ...g(at.j1),
          ...g(at.j0),
          ...I.i32GtS,
          ...I.select,
          ...I.set(at.j1),
          ...forLoop(at.ch, I.i32(0), at.c, 1, [
            // dst: out[(ki·k + kj)·C + ch, n·Ho·Wo]
            ...add(
              g(at.out),
              mul(
                mul(
                  add(
                    mul(
                      add(mul(add(mul(g(at.ki), g(at.k)), g(at.kj)), g(at.c)), g(at.ch)),
                      g(at.b),
                    ),
                    g(at.n),
                  ),
                  mul(g(at.ho), g(at.wo)),
                ),
                I.i32(4),
              ),
            ),
            ...I.set(at.dst),
            ...forLoop(at.i, I.i32(0), at.ho, 1, row),
          ]),
        ]),
      ]),
    ]),
  ]
  return { name: 'im2colT', params: names.length, locals, body }
}

/**
 * Max pooling whose `k`×`k` windows tile the input (stride k), 4 channels at a time: `y`, and in
 * `idx` (int32) the window position `di·k + dj` of each maximum, the first in row-major order.
 * Args: x, y, idx, b, h, w, c, ho, wo, k.
 */
export function maxPoolArgmax(): WasmFunction {
  const names = ['x', 'y', 'idx', 'b', 'h', 'w', 'c', 'ho', 'wo', 'k'] as const
  const { at, locals } = frame(names, {
    n: T.i32,
    i: T.i32,
    j: T.i32,
    q: T.i32,
    cb: T.i32,
    di: T.i32,
    dj: T.i32,
    o: T.i32,
    corner: T.i32,
    m: T.v128,
    ix: T.v128,
    val: T.v128,
    gt: T.v128,
  })
  const g = I.get
  const position = [
    ...add(g(at.corner), mul(add(mul(g(at.di), g(at.w)), g(at.dj)), g(at.cb))),
    ...g(at.q),
    ...I.i32Add,
    ...I.v128Load(),
    ...I.set(at.val),
    ...g(at.val),
    ...g(at.m),
    ...I.f32x4Gt,
    ...I.set(at.gt),
    ...g(at.val),
    ...g(at.m),
    ...g(at.gt),
    ...I.v128Bitselect,
    ...I.set(at.m),
    ...add(mul(g(at.di), g(at.k)), g(at.dj)),
    ...I.i32x4Splat,
    ...g(at.ix),
    ...g(at.gt),
    ...I.v128Bitselect,
    ...I.set(at.ix),
  ]
  const quad = [
    ...add(g(at.corner), g(at.q)),
    ...I.v128Load(),
    ...I.set(at.m),
    ...I.v128Const0,
    ...I.set(at.ix),
    ...forLoop(at.di, I.i32(0), at.k, 1, [...forLoop(at.dj, I.i32(0), at.k, 1, position)]),
    ...vStore(at.y, at.o, g(at.m)),
    ...vStore(at.idx, at.o, g(at.ix)),
    ...add(g(at.o), I.i32(16)),
    ...I.set(at.o),
  ]
  return { name: 'maxPoolArgmax', params: names.length, locals, body: windows(at, at.x, quad) }
}

/**
 * The gradient of {@link maxPoolArgmax}: every element of dx stored once, `dy` at its window's
 * maximum (`idx`), 0 elsewhere; with `relu` ≠ 0 only where `y` > 0. Args: dy, y, idx, dx, b, h,
 * w, c, ho, wo, k, relu.
 */
export function maxPoolArgmaxGrad(): WasmFunction {
  const names = ['dy', 'y', 'idx', 'dx', 'b', 'h', 'w', 'c', 'ho', 'wo', 'k', 'relu'] as const
  const { at, locals } = frame(names, {
    n: T.i32,
    i: T.i32,
    j: T.i32,
    q: T.i32,
    cb: T.i32,
    di: T.i32,
    dj: T.i32,
    o: T.i32,
    corner: T.i32,
    gv: T.v128,
    ix: T.v128,
  })
  const g = I.get
  const position = [
    ...add(g(at.corner), mul(add(mul(g(at.di), g(at.w)), g(at.dj)), g(at.cb))),
    ...g(at.q),
    ...I.i32Add,
    ...g(at.gv),
    ...g(at.ix),
    ...add(mul(g(at.di), g(at.k)), g(at.dj)),
    ...I.i32x4Splat,
    ...I.i32x4Eq,
    ...I.v128And,
    ...I.v128Store(),
  ]
  const quad = [
    ...v(at.dy, at.o),
    ...I.set(at.gv),
    ...g(at.relu),
    ...I.if,
    ...g(at.gv),
    ...v(at.y, at.o),
    ...I.v128Const0,
    ...I.f32x4Gt,
    ...I.v128And,
    ...I.set(at.gv),
    ...I.end,
    ...v(at.idx, at.o),
    ...I.set(at.ix),
    ...forLoop(at.di, I.i32(0), at.k, 1, [...forLoop(at.dj, I.i32(0), at.k, 1, position)]),
    ...add(g(at.o), I.i32(16)),
    ...I.set(at.o),
  ]
  return {
    name: 'maxPoolArgmaxGrad',
    params: names.length,
    locals,
    body: windows(at, at.dx, quad),
  }
}

/** The locals {@link windows} reads and sets. */
type WindowLocals = Record<
  'b' | 'h' | 'w' | 'c' | 'ho' | 'wo' | 'k' | 'n' | 'i' | 'j' | 'q' | 'cb' | 'corner',
  number
>

/**
 * The loops over the non-overlapping k×k windows of a channels-last `[b, h, w, c]` tensor at
 * `base` (stride k): `cb` = c·4 bytes, then for each window its corner's byte address
 * (`base`[n, i·k, j·k, 0]) in `corner` and `quad` for every 16 bytes `q` of its channels.
 */
function windows(at: WindowLocals, base: number, quad: number[]): number[] {
  const g = I.get
  return [
    ...mul(g(at.c), I.i32(4)),
    ...I.set(at.cb),
    ...forLoop(at.n, I.i32(0), at.b, 1, [
      ...forLoop(at.i, I.i32(0), at.ho, 1, [
        ...forLoop(at.j, I.i32(0), at.wo, 1, [
          ...add(
            g(base),
            mul(
              add(
                mul(add(mul(g(at.n), g(at.h)), mul(g(at.i), g(at.k))), g(at.w)),
                mul(g(at.j), g(at.k)),
              ),
              g(at.cb),
            ),
          ),
          ...I.set(at.corner),
          ...forLoop(at.q, I.i32(0), at.cb, 16, quad),
        ]),
      ]),
    ]),
  ]
}
