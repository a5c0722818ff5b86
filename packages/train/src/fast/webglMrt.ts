// The packed matmul of the large products (the first layer's, when its batch is materialised) as a
// tiled raw draw: tfjs' packed matmul writes one texel (2×2 values) per fragment and fetches 2
// texels per 8 multiply-adds; a 2×4 tile of output texels per fragment (8 render targets)
// fetches 6 per 64. On a software renderer (SwiftShader) texture fetches are most of what a
// matmul costs.
import type * as tf from '@tensorflow/tfjs-core'
import { drawTiles, FRAGMENT_HEADER, type Tile, tileGrid } from './webglDraw'
import { fits, texture } from './webglTextures'

/**
 * GLSL of a tiled matmul's accumulation: the targets `o{t}` (global declarations), the sums
 * `s{t}` (declared in `main`), and the statements writing each sum (ReLU'd or not) to its target.
 */
export function tileSums(
  tile: Tile,
  relu: boolean,
): { outputs: string; sums: string; write: string } {
  let outputs = ''
  let sums = ''
  let write = ''
  for (let t = 0; t < tile.rows * tile.cols; t++) {
    outputs += `layout(location = ${t}) out vec4 o${t};\n`
    sums += `vec4 s${t} = vec4(0.0);\n`
    write += relu ? `o${t} = max(s${t}, vec4(0.0));\n` : `o${t} = s${t};\n`
  }
  return { outputs, sums, write }
}

/**
 * `op(A)·op(B)` (optionally ReLU'd) of packed 2D tensors already on the GPU, as a new packed
 * tensor, `tile` output texels per fragment; null when an input is not a plain packed texture
 * (the caller then runs a one-target program). Texture padding (odd sides) must hold zeros.
 */
export function mrtMatMul(
  backend: unknown,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  relu: boolean,
  tile: Tile,
): tf.TensorInfo | null {
  const texA = texture(backend, a)
  const texB = texture(backend, b)
  if (!texA || !texB) return null
  const [m, k] = (transposeA ? [a.shape[1], a.shape[0]] : a.shape) as [number, number]
  const n = (transposeB ? b.shape[0] : b.shape[1])!
  if (!fits(m, n)) return null
  const { width: w, height: h } = tileGrid([m, n], tile)
  const fa = (i: number) =>
    transposeA
      ? `texelFetch(A, ivec2(p.y + ${i * h}, i), 0)`
      : `texelFetch(A, ivec2(i, p.y + ${i * h}), 0)`
  const fb = (j: number) =>
    transposeB
      ? `texelFetch(B, ivec2(i, p.x + ${j * w}), 0)`
      : `texelFetch(B, ivec2(p.x + ${j * w}, i), 0)`
  const [a0, a1] = transposeA ? ['xxyy', 'zzww'] : ['xxzz', 'yyww']
  const [b0, b1] = transposeB ? ['xzxz', 'ywyw'] : ['xyxy', 'zwzw']
  const sums = tileSums(tile, relu)
  let body = ''
  for (let i = 0; i < tile.rows; i++) body += `vec4 a${i} = ${fa(i)};\n`
  for (let j = 0; j < tile.cols; j++) body += `vec4 b${j} = ${fb(j)};\n`
  for (let i = 0; i < tile.rows; i++) {
    for (let j = 0; j < tile.cols; j++) {
      body += `s${i * tile.cols + j} += a${i}.${a0} * b${j}.${b0} + a${i}.${a1} * b${j}.${b1};\n`
    }
  }
  const fragment = `${FRAGMENT_HEADER}
uniform sampler2D A;
uniform sampler2D B;
${sums.outputs}
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  ${sums.sums}
  for (int i = 0; i < ${Math.ceil(k / 2)}; i++) {
    ${body}
  }
  ${sums.write}
}`
  return drawTiles(
    backend,
    { fragment, samplers: ['A', 'B'], textures: [texA, texB] },
    [m, n],
    tile,
  )
}
