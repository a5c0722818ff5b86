// The training set on WebGL, laid out so that the first layer's two matmuls read a batch's rows
// straight from it: the batch matrix is never gathered into a texture of its own, and the
// batch's sample indices travel as uniforms (no upload per step).
//
// Layout: an RGBA32F texture in which sample `s` occupies `T = ⌈K/4⌉` consecutive texels of one
// texture row (K = D + 1 features: the sample's D values, then the constant 1 that multiplies
// the first layer's bias row, then zeros). Texel `t` of a sample holds the features
// (2t, 2t+1, 2t+2T, 2t+2T+1): the two halves of the packed weight gradient's tiles (rows `y` and
// `y + T` of its 2×4 tile, see webglMrt.ts), so both matmuls fetch as few texels as the packed
// matmul does. One more all-zero sample is what a batch's padding row reads.
import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl'
import * as tf from '@tensorflow/tfjs-core'
import {
  drawTiles,
  FRAGMENT_HEADER,
  fillTexels,
  intTexture,
  mrtAvailable,
  type Tile,
  tileGrid,
  uniformVectors,
} from './webglDraw'
import { tileSums } from './webglMrt'
import { fits, plainTexture } from './webglTextures'

/** Where each sample lies in a resident texture made by {@link TexelWriter}. */
interface TexelLayout {
  /** Features per sample, the constant-1 column included (`D + 1`). */
  features: number
  /** Texels per sample: `⌈features / 4⌉`. */
  texels: number
  /** Samples per texture row. */
  perRow: number
  /** The all-zero sample. */
  zero: number
}

const layouts = new WeakMap<tf.DataId, TexelLayout>()

/** Fragment sources of the row matmuls by their parameters. */
const sources = new Map<string, string>()

/** Output texels per fragment of the row matmuls (8 render targets). */
const TILE: Tile = { rows: 2, cols: 4 }

/**
 * Most sample pairs passed as uniforms. The weight gradient's loop over them is unrolled so that
 * each reads its uniform at a constant index (a dynamic index costs a per-fragment gather on
 * SwiftShader: ~20% of the draw).
 */
const MAX_UNIFORM_PAIRS = 128

/**
 * Whether the resident texel layout and the programs of the WebGL fast path can run on the
 * current backend, for layers of these (augmented) shapes: each must get tfjs' plain packed
 * layout, which the programs fetch texels from.
 */
export function texelsAvailable(shapes: Array<[number, number]>): boolean {
  return (
    tf.getBackend() === 'webgl' &&
    mrtAvailable(tf.backend(), TILE) &&
    shapes.every(([rows, cols]) => fits(rows, cols))
  )
}

/**
 * Builds the resident texel texture of `n` samples of `d` features, chunk by chunk, as the
 * dataset's transform produces them; null when it does not fit the largest texture.
 */
export class TexelWriter {
  private readonly layout: TexelLayout
  private readonly width: number
  private readonly height: number
  private readonly values: Float32Array

  private constructor(layout: TexelLayout, width: number, height: number) {
    this.layout = layout
    this.width = width
    this.height = height
    // tfjs uploads a packed `[2·height, 2·width]` tensor texel (x, y) from the logical rows
    // 2y, 2y+1 and columns 2x, 2x+1 (x, y, z, w = (2y, 2x), (2y, 2x+1), (2y+1, 2x), (2y+1, 2x+1)).
    this.values = new Float32Array(4 * width * height)
  }

  static create(n: number, d: number): TexelWriter | null {
    const max = tf.env().getNumber('WEBGL_MAX_TEXTURE_SIZE')
    const features = d + 1
    const texels = Math.ceil(features / 4)
    const perRow = Math.max(1, Math.ceil((n + 1) / max))
    const height = Math.ceil((n + 1) / perRow)
    const width = perRow * texels
    if (width > max || height > max) return null
    return new TexelWriter({ features, texels, perRow, zero: perRow * height - 1 }, width, height)
  }

  /** Stores samples `start, start + 1, …` from `rows` (`[count, d]`, row-major). */
  write(start: number, rows: Float32Array): void {
    const { features, texels, perRow } = this.layout
    const d = features - 1
    const span = 2 * this.width
    const feature = (row: number, f: number) => (f < d ? rows[row * d + f]! : f === d ? 1 : 0)
    for (let row = 0; row * d < rows.length; row++) {
      const s = start + row
      const x0 = (s % perRow) * texels
      const top = 2 * Math.floor(s / perRow) * span
      for (let t = 0; t < texels; t++) {
        const at = top + 2 * (x0 + t)
        this.values[at] = feature(row, 2 * t)
        this.values[at + 1] = feature(row, 2 * t + 1)
        this.values[at + span] = feature(row, 2 * t + 2 * texels)
        this.values[at + span + 1] = feature(row, 2 * t + 2 * texels + 1)
      }
    }
  }

  /** The resident tensor (its logical values are the layout's, not `[N, D]`). */
  finish(): tf.Tensor2D {
    const x = tf.tensor2d(this.values, [2 * this.height, 2 * this.width])
    layouts.set(x.dataId, this.layout)
    return x
  }
}

/** Texel coordinates of each pair of samples `(x0, y0, x1, y1)`; a missing second is the zero. */
function pairCoordinates(layout: TexelLayout, indices: Int32Array): Int32Array {
  const pairs = Math.ceil(indices.length / 2)
  const out = new Int32Array(4 * pairs)
  for (let i = 0; i < 2 * pairs; i++) {
    const s = i < indices.length ? indices[i]! : layout.zero
    out[2 * i] = (s % layout.perRow) * layout.texels
    out[2 * i + 1] = Math.floor(s / layout.perRow)
  }
  return out
}

type Params = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }

/**
 * `TensorloomRowsMatMul`: with the resident texels `x` and the samples `indices` (attribute), the
 * first layer's forward `rows·B` (B `[K, N]`, optionally ReLU'd; a padding row gives zeros) or,
 * with `transposeA`, its weight gradient `rowsᵀ·B` (B `[batch, N]`, result `[K, N]`). The
 * samples' texel coordinates are uniforms, or an integer texture for batches of more than
 * 2·{@link MAX_UNIFORM_PAIRS} (or with `rowsIn: 'texture'`). With `frozenFrom` (a hidden layer's
 * units, when its last two columns are the constant unit and its zero partner), those columns
 * are filled in rather than computed.
 */
export function rowsMatMul({ inputs, backend, attrs }: Params): tf.TensorInfo {
  const x = inputs.x!
  const layout = layouts.get(x.dataId)
  if (!layout) throw new Error('TensorloomRowsMatMul needs a resident tensor from TexelWriter.')
  const a = attrs as unknown as {
    indices: Int32Array
    transposeA: boolean
    relu: boolean
    rowsIn?: 'uniform' | 'texture'
    frozenFrom?: number
  }
  const batch = a.indices.length
  const pairs = Math.ceil(batch / 2)
  const n = inputs.b!.shape[1]!
  const temps: tf.TensorInfo[] = []
  const textures = [plainTexture(backend, x, temps), plainTexture(backend, inputs.b!, temps)]
  const coordinates = pairCoordinates(layout, a.indices)
  const uniform =
    a.rowsIn !== 'texture' && pairs <= Math.min(MAX_UNIFORM_PAIRS, uniformVectors(backend))
  const samplers = ['X', 'B']
  if (!uniform) {
    samplers.push('R')
    textures.push(intTexture(backend, coordinates))
  }
  const shape: [number, number] = a.transposeA ? [layout.features, n] : [batch, n]
  if (!fits(...shape)) {
    throw new Error(
      `Tensorloom's WebGL fast path cannot lay out a [${shape}] batch; use smaller batches.`,
    )
  }
  // A hidden layer's constant unit and its zero partner (the last texel column) are not
  // computed: the forward fills in relu(1) = 1 and 0 (0 and 0 for a padding row), the weight
  // gradient 0 (the optimizer keeps those columns as they are).
  const frozen = a.frozenFrom ?? -1
  const trimmed = frozen >= 2 && frozen % 2 === 0 && frozen + 2 === n
  const computed: [number, number] = trimmed ? [shape[0], frozen] : shape
  const { width: w, height: h } = tileGrid(computed, TILE)
  // The source depends on these only; building it (the gradient's loop is unrolled) and hashing
  // a new string each step would cost the JavaScript thread more than the lookup.
  const key = [a.transposeA, a.relu, uniform, pairs, layout.texels, layout.features, w, h].join()
  let fragment = sources.get(key)
  if (!fragment) {
    const sums = tileSums(TILE, a.relu)
    fragment = `${FRAGMENT_HEADER}
uniform sampler2D X;
uniform sampler2D B;
${uniform ? `uniform ivec4 u_rows[${pairs}];` : 'uniform isampler2D R;'}
ivec4 pairAt(int p) { return ${uniform ? 'u_rows[p]' : 'texelFetch(R, ivec2(p, 0), 0)'}; }
${sums.outputs}
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  ${sums.sums}
  ${a.transposeA ? gradientLoop(pairs, w, uniform) : forwardLoop(layout, pairs, w, h)}
  ${sums.write}
}`
    sources.set(key, fragment)
  }
  const out = drawTiles(
    backend,
    {
      fragment,
      samplers,
      textures,
      uniforms: uniform ? [{ name: 'u_rows', ivec4: coordinates }] : [],
    },
    shape,
    TILE,
    computed,
  )
  if (trimmed) {
    const x0 = frozen / 2
    const rows = Math.ceil(shape[0] / 2)
    if (a.transposeA) fillTexels(backend, out, { x0, y0: 0, width: 1, height: rows }, [0, 0, 0, 0])
    else {
      const full = Math.floor(batch / 2)
      fillTexels(backend, out, { x0, y0: 0, width: 1, height: full }, [1, 0, 1, 0])
      fillTexels(backend, out, { x0, y0: full, width: 1, height: rows - full }, [1, 0, 0, 0])
    }
  }
  for (const t of temps) (backend as MathBackendWebGL).disposeIntermediateTensorInfo(t)
  return out
}

/**
 * `rows·B`: fragment (x, y) computes output texel rows y and y + h (sample pairs), columns
 * x + j·w; per texel t of a sample, the features 2t, 2t+1 meet B's k-pair t and 2t+2T, 2t+2T+1
 * its k-pair t + T.
 */
function forwardLoop(layout: TexelLayout, pairs: number, w: number, h: number): string {
  const T = layout.texels
  const lastPair = Math.ceil(layout.features / 2) - 1
  let body = `int u = min(t + ${T}, ${lastPair});\n`
  for (let i = 0; i < TILE.rows; i++) {
    body += `vec4 a${i} = texelFetch(X, c${i}.xy + ivec2(t, 0), 0);\n`
    body += `vec4 z${i} = texelFetch(X, c${i}.zw + ivec2(t, 0), 0);\n`
  }
  for (let j = 0; j < TILE.cols; j++) {
    body += `vec4 b${j} = texelFetch(B, ivec2(p.x + ${j * w}, t), 0);\n`
    body += `vec4 e${j} = texelFetch(B, ivec2(p.x + ${j * w}, u), 0);\n`
  }
  for (let i = 0; i < TILE.rows; i++) {
    for (let j = 0; j < TILE.cols; j++) {
      body += `s${i * TILE.cols + j} += vec4(a${i}.xx, z${i}.xx) * b${j}.xyxy
        + vec4(a${i}.yy, z${i}.yy) * b${j}.zwzw
        + vec4(a${i}.zz, z${i}.zz) * e${j}.xyxy
        + vec4(a${i}.ww, z${i}.ww) * e${j}.zwzw;\n`
    }
  }
  let pairsOfFragment = ''
  for (let i = 0; i < TILE.rows; i++) {
    pairsOfFragment += `ivec4 c${i} = pairAt(min(p.y + ${i * h}, ${pairs - 1}));\n`
  }
  return `${pairsOfFragment}
  for (int t = 0; t < ${T}; t++) {
    ${body}
  }`
}

/**
 * `rowsᵀ·B`: fragment (x, y) computes the output texel rows y (features 2y, 2y+1) and y + T
 * (2y+2T, 2y+2T+1), one sample texel each, columns x + j·w; per pair of samples, B's row pair.
 * `unrolled`: one block per pair, each with its constant `q`.
 */
function gradientLoop(pairs: number, w: number, unrolled: boolean): string {
  let body = `ivec4 c = pairAt(q);
    vec4 r0 = texelFetch(X, c.xy + ivec2(p.y, 0), 0);
    vec4 r1 = texelFetch(X, c.zw + ivec2(p.y, 0), 0);\n`
  for (let j = 0; j < TILE.cols; j++) {
    body += `vec4 d${j} = texelFetch(B, ivec2(p.x + ${j * w}, q), 0);
    s${j} += r0.xxyy * d${j}.xyxy + r1.xxyy * d${j}.zwzw;
    s${TILE.cols + j} += r0.zzww * d${j}.xyxy + r1.zzww * d${j}.zwzw;\n`
  }
  if (!unrolled) return `for (int q = 0; q < ${pairs}; q++) {\n${body}}`
  return Array.from({ length: pairs }, (_, q) => `{\nconst int q = ${q};\n${body}}`).join('\n')
}
