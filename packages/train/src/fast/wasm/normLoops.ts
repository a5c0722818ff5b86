// Batch norm's passes over channels-last `[rows, C]` data as WebAssembly SIMD loops, 4 channels at
// a time (C a multiple of 4): the per-channel sums of the statistics and of the gradient, and the
// two element-wise passes (normKernels.ts calls them). Sums are float32, row by row, as tfjs sums.
import { I, T, type WasmFunction } from './encoder'
import { channelPass, frame, passLocals, v, vStore } from './loops'

/** `acc[c] += x[r, c]` over rows (float32, row by row: tfjs' order). Args: x, bytes, rowBytes, acc. */
export function sumRows(): WasmFunction {
  const { at, locals } = frame(['x', 'bytes', 'rowBytes', 'acc'] as const, passLocals)
  const body = channelPass(at, at.bytes, at.rowBytes, [
    ...vStore(at.acc, at.q, [...v(at.acc, at.q), ...v(at.x, at.p), ...I.f32x4Add]),
  ])
  return { name: 'sumRows', params: 4, locals, body }
}

/** `acc[c] += (x[r, c] − mean[c])²`. Args: x, bytes, rowBytes, mean, acc. */
export function sumSquares(): WasmFunction {
  const { at, locals } = frame(['x', 'bytes', 'rowBytes', 'mean', 'acc'] as const, {
    ...passLocals,
    d: T.v128,
  })
  const body = channelPass(at, at.bytes, at.rowBytes, [
    ...v(at.x, at.p),
    ...v(at.mean, at.q),
    ...I.f32x4Sub,
    ...I.tee(at.d),
    ...I.get(at.d),
    ...I.f32x4Mul,
    ...v(at.acc, at.q),
    ...I.f32x4Add,
    ...I.set(at.d),
    ...vStore(at.acc, at.q, I.get(at.d)),
  ])
  return { name: 'sumSquares', params: 5, locals, body }
}

/** `y = x·a[c] + b[c]`, ReLU'd when `relu` ≠ 0. Args: x, y, bytes, rowBytes, a, b, relu. */
export function affine(): WasmFunction {
  const { at, locals } = frame(['x', 'y', 'bytes', 'rowBytes', 'a', 'b', 'relu'] as const, {
    ...passLocals,
    zero: T.v128,
    t: T.v128,
  })
  const body = [
    ...I.f32(0),
    ...I.f32x4Splat,
    ...I.set(at.zero),
    ...channelPass(at, at.bytes, at.rowBytes, [
      ...v(at.x, at.p),
      ...v(at.a, at.q),
      ...I.f32x4Mul,
      ...v(at.b, at.q),
      ...I.f32x4Add,
      ...I.set(at.t),
      ...I.get(at.relu),
      ...I.if,
      ...I.get(at.t),
      ...I.get(at.zero),
      ...I.f32x4Max,
      ...I.set(at.t),
      ...I.end,
      ...vStore(at.y, at.p, I.get(at.t)),
    ]),
  ]
  return { name: 'affine', params: 7, locals, body }
}

/** The gradient `g` of a batch norm's output: `dy`, where `x·a + b` > 0 when `relu` ≠ 0. */
const maskedGrad = (
  at: Record<'x' | 'dy' | 'a' | 'b' | 'relu' | 'p' | 'q' | 'zero' | 'g', number>,
) => [
  ...v(at.dy, at.p),
  ...I.set(at.g),
  ...I.get(at.relu),
  ...I.if,
  ...I.get(at.g),
  ...v(at.x, at.p),
  ...v(at.a, at.q),
  ...I.f32x4Mul,
  ...v(at.b, at.q),
  ...I.f32x4Add,
  ...I.get(at.zero),
  ...I.f32x4Gt,
  ...I.v128And,
  ...I.set(at.g),
  ...I.end,
]

/**
 * `sumG[c] += g`, `sumGX[c] += g·(x·r[c] + s[c])` (x̂ = x·r + s). Args: x, dy, bytes, rowBytes,
 * a, b, r, s, relu, sumG, sumGX.
 */
export function normGradSums(): WasmFunction {
  const names = [
    'x',
    'dy',
    'bytes',
    'rowBytes',
    'a',
    'b',
    'r',
    's',
    'relu',
    'sumG',
    'sumGX',
  ] as const
  const { at, locals } = frame(names, { ...passLocals, zero: T.v128, g: T.v128 })
  const body = [
    ...I.f32(0),
    ...I.f32x4Splat,
    ...I.set(at.zero),
    ...channelPass(at, at.bytes, at.rowBytes, [
      ...maskedGrad(at),
      ...vStore(at.sumG, at.q, [...v(at.sumG, at.q), ...I.get(at.g), ...I.f32x4Add]),
      ...vStore(at.sumGX, at.q, [
        ...v(at.sumGX, at.q),
        ...I.get(at.g),
        ...v(at.x, at.p),
        ...v(at.r, at.q),
        ...I.f32x4Mul,
        ...v(at.s, at.q),
        ...I.f32x4Add,
        ...I.f32x4Mul,
        ...I.f32x4Add,
      ]),
    ]),
  ]
  return { name: 'normGradSums', params: names.length, locals, body }
}

/** `dx = kg[c]·g + kx[c]·x + k0[c]`. Args: x, dy, dx, bytes, rowBytes, a, b, relu, kg, kx, k0. */
export function normGradApply(): WasmFunction {
  const names = ['x', 'dy', 'dx', 'bytes', 'rowBytes', 'a', 'b', 'relu', 'kg', 'kx', 'k0'] as const
  const { at, locals } = frame(names, { ...passLocals, zero: T.v128, g: T.v128 })
  const body = [
    ...I.f32(0),
    ...I.f32x4Splat,
    ...I.set(at.zero),
    ...channelPass(at, at.bytes, at.rowBytes, [
      ...maskedGrad(at),
      ...vStore(at.dx, at.p, [
        ...v(at.kg, at.q),
        ...I.get(at.g),
        ...I.f32x4Mul,
        ...v(at.kx, at.q),
        ...v(at.x, at.p),
        ...I.f32x4Mul,
        ...I.f32x4Add,
        ...v(at.k0, at.q),
        ...I.f32x4Add,
      ]),
    ]),
  ]
  return { name: 'normGradApply', params: names.length, locals, body }
}
