// A minimal WebAssembly encoder: just enough of the binary format to build, at run time, a module
// of small loops that import tfjs-backend-wasm's memory and work on its tensors in place (see
// simdKernels.ts). No toolchain, no binary in the repository: the kernels are written below as
// instruction lists and validated by WebAssembly.Module when built.

/** Value types. */
export const T = { i32: 0x7f, f32: 0x7d, v128: 0x7b } as const
export type ValType = (typeof T)[keyof typeof T]

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = []
  do {
    let byte = n & 0x7f
    n >>>= 7
    if (n !== 0) byte |= 0x80
    out.push(byte)
  } while (n !== 0)
  return out
}

/** Signed LEB128 (32-bit). */
function sleb(n: number): number[] {
  const out: number[] = []
  while (true) {
    const byte = n & 0x7f
    n >>= 7
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte)
      return out
    }
    out.push(byte | 0x80)
  }
}

const str = (s: string) => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))]
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()]
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body]
const simd = (op: number) => [0xfd, ...uleb(op)]
/** Alignment (log2) and offset of a memory access. */
const memarg = (align: number, offset = 0) => [align, ...uleb(offset)]

/** Instructions, as byte lists to concatenate. */
export const I = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (n: number) => [0x41, ...sleb(n)],
  f32: (x: number) => [0x43, ...new Uint8Array(new Float32Array([x]).buffer)],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  /** `if` whose arms leave an f32. */
  ifF32: [0x04, T.f32],
  /** `if` whose arms leave a v128. */
  ifV128: [0x04, T.v128],
  else: [0x05],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  select: [0x1b],
  i32Load: (offset = 0) => [0x28, ...memarg(2, offset)],
  f32Load: (offset = 0) => [0x2a, ...memarg(2, offset)],
  i32Store: (offset = 0) => [0x36, ...memarg(2, offset)],
  f32Store: (offset = 0) => [0x38, ...memarg(2, offset)],
  i32Eqz: [0x45],
  i32Eq: [0x46],
  i32LtS: [0x48],
  /** Unsigned: also false for a negative left side (a bounds check in one instruction). */
  i32LtU: [0x49],
  i32GtS: [0x4a],
  i32GeS: [0x4e],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  i32DivU: [0x6e],
  i32RemU: [0x70],
  i32And: [0x71],
  i32Or: [0x72],
  f32Eq: [0x5b],
  f32Gt: [0x5e],
  f32Add: [0x92],
  f32Mul: [0x94],
  f32Div: [0x95],
  v128Load: (offset = 0) => [...simd(0x00), ...memarg(4, offset)],
  v128Store: (offset = 0) => [...simd(0x0b), ...memarg(4, offset)],
  /** One f32 loaded into all 4 lanes. */
  v128Load32Splat: (offset = 0) => [...simd(0x09), ...memarg(2, offset)],
  i32x4Splat: simd(0x11),
  i32x4Eq: simd(0x37),
  /** `(a & c) | (b & ~c)` for operands a, b, c. */
  v128Bitselect: simd(0x52),
  f32x4Splat: simd(0x13),
  f32x4Eq: simd(0x41),
  f32x4Gt: simd(0x44),
  v128And: simd(0x4e),
  /** `a & ~b`. */
  v128AndNot: simd(0x4f),
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Mul: simd(0xe6),
  f32x4Max: simd(0xe9),
  v128Const0: [...simd(0x0c), ...new Array(16).fill(0)],
}

/** `for (i = start; i < end; i += step) body`, with `i` and `end` locals (i32). */
export function forLoop(i: number, start: number[], end: number, step: number, body: number[]) {
  return [
    ...start,
    ...I.set(i),
    ...I.block,
    ...I.loop,
    ...I.get(i),
    ...I.get(end),
    ...I.i32GeS,
    ...I.brIf(1),
    ...body,
    ...I.get(i),
    ...I.i32(step),
    ...I.i32Add,
    ...I.set(i),
    ...I.br(0),
    ...I.end,
    ...I.end,
  ]
}

/** One exported function: i32 parameters (pointers and sizes), extra locals, a body. */
export interface WasmFunction {
  name: string
  params: number
  locals: ValType[]
  body: number[]
}

/** A module importing `env.memory` (not shared) and exporting `functions`. */
export function encodeModule(functions: WasmFunction[]): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => [
    0x60,
    ...vec(Array.from({ length: f.params }, () => [T.i32])),
    0,
  ])
  const memoryImport = [...str('env'), ...str('memory'), 0x02, 0x00, ...uleb(1)]
  const codes = functions.map((f) => {
    const locals = vec(f.locals.map((t) => [1, t]))
    const body = [...locals, ...f.body, ...I.end]
    return [...uleb(body.length), ...body]
  })
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, vec([memoryImport])),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(functions.map((f, i) => [...str(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(codes)),
  ])
}
