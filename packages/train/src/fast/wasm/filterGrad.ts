// A convolution's filter gradient computed directly, for few input channels (a network's first
// convolution, e.g. 1 -> 16 on 28×28): WebAssembly generated for the exact shape, its
// accumulators (one SIMD vector per tap, input channel and 4 output channels) held in locals
// across the whole batch. There, im2col + XNNPACK's matmul is slow: the matmul has ~10 rows
// (k·k·Cin + 1) and packs the output gradient (`[B·H·W, Cout]`, the larger operand) every step.
import { encodeModule, forLoop, I, T, type ValType } from './encoder'
import { add, mul, sub } from './loops'

/** The largest number of accumulators (SIMD vectors) the generated code keeps in locals. */
const MAX_ACCUMULATORS = 48

/** Whether a stride-1 `k`×`k` convolution `cin` -> `cout` gets a generated filter gradient. */
export function directFilterGrad(k: number, cin: number, cout: number): boolean {
  return cout % 4 === 0 && k * k * cin * (cout / 4) + cout / 4 <= MAX_ACCUMULATORS
}

/**
 * `(x, dy, out, b, h, w, pad)` -> `out` `[k·k·Cin + 1, Cout]`: the filter's gradient in the
 * channels-last filter layout, then the bias's (the sums of dy), for a stride-1 convolution of
 * `x` `[B, H, W, Cin]` whose output gradient is `dy` `[B, H + 2·pad − k + 1, …, Cout]`.
 */
export type FilterGrad = (...args: number[]) => void

const built = new WeakMap<WebAssembly.Memory, Map<string, FilterGrad | null>>()

/** The generated function for this shape over `memory` (built once), or null if it fails. */
export function filterGrad(
  memory: WebAssembly.Memory,
  k: number,
  cin: number,
  cout: number,
): FilterGrad | null {
  let cache = built.get(memory)
  if (!cache) {
    cache = new Map()
    built.set(memory, cache)
  }
  const key = `${k}:${cin}:${cout}`
  if (!cache.has(key)) {
    try {
      const bytes = encodeModule([generate(k, cin, cout)])
      const module = new WebAssembly.Module(bytes)
      const instance = new WebAssembly.Instance(module, { env: { memory } })
      cache.set(key, instance.exports.filterGrad as FilterGrad)
    } catch {
      cache.set(key, null)
    }
  }
  return cache.get(key)!
}

function generate(k: number, cin: number, cout: number) {
  const quads = cout / 4
  const taps = k * k
  // Parameters, then locals: loop counters and pointers, per-tap input offsets, vectors.
  const [x, dy, out, b, h, w, pad] = [0, 1, 2, 3, 4, 5, 6]
  const names = ['n', 'i', 'j', 'xi', 'xj', 'pix', 'dyp', 'ho', 'wo'] as const
  const at = Object.fromEntries(names.map((name, idx) => [name, 7 + idx])) as Record<
    (typeof names)[number],
    number
  >
  const tapOff = (t: number) => 7 + names.length + t
  const vecBase = 7 + names.length + taps
  const acc = (t: number, c: number, q: number) => vecBase + (t * cin + c) * quads + q
  const accB = (q: number) => vecBase + taps * cin * quads + q
  const dyv = (q: number) => accB(quads) + q
  const xs = dyv(quads)
  const locals: ValType[] = [
    ...names.map(() => T.i32),
    ...Array.from({ length: taps }, () => T.i32),
    ...Array.from({ length: taps * cin * quads + 2 * quads + 1 }, () => T.v128),
  ]
  const g = I.get
  const body: number[] = [
    // ho = h + 2·pad − k + 1 (and wo); tap offsets in bytes relative to the pixel (i, j).
    ...sub(add(g(h), mul(g(pad), I.i32(2))), I.i32(k - 1)),
    ...I.set(at.ho),
    ...sub(add(g(w), mul(g(pad), I.i32(2))), I.i32(k - 1)),
    ...I.set(at.wo),
    ...Array.from({ length: taps }, (_, t) => [
      ...mul(
        add(mul(sub(I.i32(Math.floor(t / k)), g(pad)), g(w)), sub(I.i32(t % k), g(pad))),
        I.i32(cin * 4),
      ),
      ...I.set(tapOff(t)),
    ]).flat(),
    ...g(dy),
    ...I.set(at.dyp),
  ]
  const tap = (t: number) => [
    // xi = i + ki − pad, xj = j + kj − pad; inside the image?
    ...sub(add(g(at.i), I.i32(Math.floor(t / k))), g(pad)),
    ...g(h),
    ...I.i32LtU,
    ...sub(add(g(at.j), I.i32(t % k)), g(pad)),
    ...g(w),
    ...I.i32LtU,
    ...I.i32And,
    ...I.if,
    ...Array.from({ length: cin }, (_, c) => [
      ...add(g(at.pix), g(tapOff(t))),
      ...I.f32Load(c * 4),
      ...I.f32x4Splat,
      ...I.set(xs),
      ...Array.from({ length: quads }, (_, q) => [
        ...g(acc(t, c, q)),
        ...g(xs),
        ...g(dyv(q)),
        ...I.f32x4Mul,
        ...I.f32x4Add,
        ...I.set(acc(t, c, q)),
      ]).flat(),
    ]).flat(),
    ...I.end,
  ]
  const pixel = [
    // pix: byte offset of x[n, i, j, 0]
    ...add(g(x), mul(add(mul(add(mul(g(at.n), g(h)), g(at.i)), g(w)), g(at.j)), I.i32(cin * 4))),
    ...I.set(at.pix),
    ...Array.from({ length: quads }, (_, q) => [
      ...g(at.dyp),
      ...I.v128Load(q * 16),
      ...I.tee(dyv(q)),
      ...g(accB(q)),
      ...I.f32x4Add,
      ...I.set(accB(q)),
    ]).flat(),
    ...Array.from({ length: taps }, (_, t) => tap(t)).flat(),
    ...add(g(at.dyp), I.i32(cout * 4)),
    ...I.set(at.dyp),
  ]
  body.push(
    ...forLoop(at.n, I.i32(0), b, 1, [
      ...forLoop(at.i, I.i32(0), at.ho, 1, [...forLoop(at.j, I.i32(0), at.wo, 1, pixel)]),
    ]),
  )
  // out[(t·Cin + c)·Cout + 4q …] = acc; the bias row last.
  for (let t = 0; t < taps; t++) {
    for (let c = 0; c < cin; c++) {
      for (let q = 0; q < quads; q++) {
        body.push(...g(out), ...g(acc(t, c, q)), ...I.v128Store(((t * cin + c) * cout + q * 4) * 4))
      }
    }
  }
  for (let q = 0; q < quads; q++) {
    body.push(...g(out), ...g(accB(q)), ...I.v128Store((taps * cin * cout + q * 4) * 4))
  }
  return { name: 'filterGrad', params: 7, locals, body }
}
