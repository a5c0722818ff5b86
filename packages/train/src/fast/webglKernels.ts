// The fused kernels of the fast path for the `webgl` backend, as WebGL programs run through
// tfjs-backend-webgl's `runWebGLProgram`, and — where one draw should write several textures —
// raw WebGL2 draws with several render targets (webglDraw.ts: the first layer's matmuls in
// webglRows.ts, the large matmul in webglMrt.ts, the optimizer in webglOptimizer.ts). On WebGL
// each op is a draw call with a fixed cost (~0.15–0.3 ms on SwiftShader), and on a software
// renderer each texture fetch costs more than the arithmetic it feeds: the programs read texels
// with `texelFetch` at integer coordinates, and the large matmuls compute several output texels
// per fragment.
//
// Matmuls read and write *packed* textures (2×2 blocks: (r, c), (r, c+1), (r+1, c), (r+1, c+1)
// in x, y, z, w), and tfjs converts every input whose packing differs from what a program expects
// with an extra draw, per input and per use. So these programs read and write packed textures too.
import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl'
import * as tf from '@tensorflow/tfjs-core'
import { KERNELS } from './kernels'
import { mrtAvailable, type Tile, uniformVectors } from './webglDraw'
import { mrtMatMul } from './webglMrt'
import { optimizerStep } from './webglOptimizer'
import { rowsMatMul } from './webglRows'
import { fits } from './webglTextures'

export { webglSeparateState } from './webglOptimizer'

type Params = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }

const attr = <T>(attrs: tf.NamedAttrMap | undefined, name: string): T =>
  (attrs as Record<string, unknown>)[name] as T

const run = (
  backend: unknown,
  program: GPGPUProgram,
  inputs: tf.TensorInfo[],
  uniforms?: number[][],
) => (backend as MathBackendWebGL).runWebGLProgram(program, inputs, 'float32', uniforms)

/** GLSL reading one element of the packed 2D input `name`. */
function elementReader(name: string): string {
  return `
    float elem${name}(int r, int c) {
      vec4 t = get${name}(r, c);
      int k = (r - 2 * (r / 2)) * 2 + (c - 2 * (c / 2));
      return k == 0 ? t.x : k == 1 ? t.y : k == 2 ? t.z : t.w;
    }`
}

/** Row `r`: max `m`, `s` = Σ exp(logit − m), `arg` = first arg-max, label `y` (packed L). */
function rowStats(classes: number): string {
  return `
    float m = elemL(r, 0);
    int arg = 0;
    for (int k = 1; k < ${classes}; k++) {
      float v = elemL(r, k);
      if (v > m) { m = v; arg = k; }
    }
    float s = 0.0;
    for (int k = 0; k < ${classes}; k++) s += exp(elemL(r, k) - m);
    int y = label(r);`
}

/**
 * `TensorloomSoftmaxCrossEntropy` on WebGL: from packed logits `L` (`[B, C]`) and the integer
 * `labels` (attribute), the gradient `scale · (softmax − onehot)` (packed `[B, C]`) and the stats
 * `[scale · Σ loss, correct]`: two draws. The labels are uniforms (four to a vector), or a texture
 * when there are more than uniforms hold.
 */
function softmaxCrossEntropy({ inputs, backend, attrs }: Params): tf.TensorInfo[] {
  const logits = inputs.logits!
  const labels = attr<Int32Array>(attrs, 'labels')
  const [rows, classes] = logits.shape as [number, number]
  const vectors = Math.ceil(rows / 4)
  const inUniforms = vectors <= uniformVectors(backend)
  const customUniforms: GPGPUProgram['customUniforms'] = [{ name: 'u_scale', type: 'float' }]
  const values = [[attr<number>(attrs, 'scale')]]
  const ins = [logits]
  if (inUniforms) {
    customUniforms.push({ name: 'u_labels', type: 'ivec4', arrayIndex: vectors })
    const padded = new Array<number>(4 * vectors).fill(0)
    labels.forEach((label, i) => {
      padded[i] = label
    })
    values.push(padded)
  } else {
    ins.push(
      (backend as MathBackendWebGL).makeTensorInfo([rows, 1], 'float32', Float32Array.from(labels)),
    )
  }
  const readers = `${elementReader('L')}${inUniforms ? '' : elementReader('Y')}
    int label(int r) {
      return ${inUniforms ? 'u_labels[r / 4][r % 4]' : 'int(elemY(r, 0) + 0.5)'};
    }`
  const variableNames = inUniforms ? ['L'] : ['L', 'Y']
  // Row i of the texel: its statistics once, then its two cells.
  const row = (i: number) => `
        {
          int r = rc.x + ${i};
          if (r < ${rows}) {
            ${rowStats(classes)}
            for (int j = 0; j < 2; j++) {
              int c = rc.y + j;
              if (c < ${classes}) {
                result[${2 * i} + j] = u_scale * (exp(elemL(r, c) - m) / s - (c == y ? 1.0 : 0.0));
              }
            }
          }
        }`
  const grad: GPGPUProgram = {
    variableNames,
    outputShape: [rows, classes],
    packedInputs: true,
    packedOutput: true,
    customUniforms,
    userCode: `
      ${readers}
      void main() {
        ivec2 rc = getOutputCoords();
        vec4 result = vec4(0.0);
        ${row(0)}
        ${row(1)}
        setOutput(result);
      }`,
  }
  const stats: GPGPUProgram = {
    variableNames,
    outputShape: [2],
    packedInputs: true,
    packedOutput: false,
    customUniforms,
    userCode: `
      ${readers}
      void main() {
        int which = getOutputCoords();
        float loss = 0.0;
        float correct = 0.0;
        for (int r = 0; r < ${rows}; r++) {
          ${rowStats(classes)}
          loss += m + log(s) - elemL(r, y);
          if (arg == y) correct += 1.0;
        }
        setOutput(which == 0 ? loss * u_scale : correct);
      }`,
  }
  const out = [run(backend, grad, ins, values), run(backend, stats, ins, values)]
  if (!inUniforms) (backend as MathBackendWebGL).disposeIntermediateTensorInfo(ins[1]!)
  return out
}

const even = (n: number) => n + (n % 2)

/** Output texels per fragment of the multi-target matmul (8 render targets). */
const TILE: Tile = { rows: 2, cols: 4 }

/**
 * Whether `t` is (or will be, once packed) a packed texture laid out as tfjs lays out a 2D tensor
 * whose sides fit: `[⌈rows/2⌉, ⌈cols/2⌉]` texels, texel (x, y) holding rows 2y, 2y+1 and columns
 * 2x, 2x+1. Then a program can `texelFetch` it; otherwise it uses tfjs' accessors.
 */
function plainPacked(backend: unknown, t: tf.TensorInfo): boolean {
  const [rows, cols] = t.shape as [number, number]
  if (!fits(rows, cols)) return false
  const data = (backend as MathBackendWebGL).texData.get(t.dataId)
  if (!data?.isPacked || !data.texShape) return true
  return data.texShape[0] === even(rows) && data.texShape[1] === even(cols)
}

/**
 * `TensorloomMatMul` on WebGL: `op(A)·op(B)` (optionally ReLU'd, or with an input `mask`: zeroed
 * where the mask is not positive, a ReLU's gradient) of packed 2D tensors, one output
 * texel (2×2 values) per fragment like tfjs' own packed matmul, but reading the inputs with
 * `texelFetch` at integer texel coordinates (tfjs computes normalised texture coordinates for
 * every read) and unrolled by 4. On SwiftShader the two large matmuls of a step take ~40% less
 * time. Texture padding (odd sides) must hold zeros, as every packed program of the fast path
 * writes it.
 */
function matMul({ inputs, backend, attrs }: Params): tf.TensorInfo {
  const a = inputs.a!
  const b = inputs.b!
  const transposeA = attr<boolean>(attrs, 'transposeA')
  const transposeB = attr<boolean>(attrs, 'transposeB')
  const relu = attr<boolean>(attrs, 'relu')
  const [m, k] = (transposeA ? [a.shape[1], a.shape[0]] : a.shape) as [number, number]
  const n = (transposeB ? b.shape[0] : b.shape[1])!
  const kp = Math.ceil(k / 2)
  const mask = inputs.mask
  // Large matmuls (the first layer's forward and weight gradient): several texels per fragment.
  const large = kp >= 16 && Math.ceil(m / 2) * Math.ceil(n / 2) >= 1024
  if (large && !mask && mrtAvailable(backend, TILE)) {
    const out = mrtMatMul(backend, a, b, transposeA, transposeB, relu, TILE)
    if (out) return out
  }
  const direct = plainPacked(backend, a) && plainPacked(backend, b)
  // Texel (x, y) of a packed input: directly, or through tfjs' accessor (any layout).
  const fetch = (name: string, x: string, y: string) =>
    direct ? `texelFetch(${name}, ivec2(${x}, ${y}), 0)` : `get${name}(2 * (${y}), 2 * (${x}))`
  // Output row pair r, column pair c; k pair `i`.
  const fa = (i: string) => (transposeA ? fetch('A', 'r', i) : fetch('A', i, 'r'))
  const fb = (i: string) => (transposeB ? fetch('B', i, 'c') : fetch('B', 'c', i))
  const [a0, a1] = transposeA ? ['xxyy', 'zzww'] : ['xxzz', 'yyww']
  const [b0, b1] = transposeB ? ['xzxz', 'ywyw'] : ['xyxy', 'zwzw']
  const unroll = 4
  const main = Math.floor(kp / unroll) * unroll
  const step = (i: string) => `
          a = ${fa(i)};
          b = ${fb(i)};
          result += a.${a0} * b.${b0} + a.${a1} * b.${b1};`
  let body = ''
  for (let u = 0; u < unroll; u++) body += step(u === 0 ? 'i' : `i + ${u}`)
  const coords =
    direct && fits(m, n)
      ? 'ivec2 p = ivec2(gl_FragCoord.xy); int r = p.y; int c = p.x;'
      : 'ivec2 rc = getOutputCoords(); int r = rc.x / 2; int c = rc.y / 2;'
  const program: GPGPUProgram = {
    variableNames: mask ? ['A', 'B', 'M'] : ['A', 'B'],
    outputShape: [m, n],
    packedInputs: true,
    packedOutput: true,
    userCode: `
      void main() {
        ${coords}
        vec4 result = vec4(0.0);
        vec4 a;
        vec4 b;
        for (int i = 0; i < ${main}; i += ${unroll}) {${body}
        }
        for (int i = ${main}; i < ${kp}; i++) {${step('i')}
        }
        ${relu ? 'result = max(result, vec4(0.0));' : ''}
        ${mask ? 'result *= vec4(greaterThan(getMAtOutCoords(), vec4(0.0)));' : ''}
        setOutput(result);
      }`,
  }
  return run(backend, program, mask ? [a, b, mask] : [a, b])
}

/** Registers the WebGL versions of the fused kernels (once). */
export function registerWebGLKernels(): void {
  const configs: Array<[string, (params: Params) => tf.TensorInfo | tf.TensorInfo[]]> = [
    [KERNELS.rowsMatMul, rowsMatMul],
    [KERNELS.softmaxCrossEntropy, softmaxCrossEntropy],
    [KERNELS.optimizerStep, optimizerStep],
    [KERNELS.matMul, matMul],
  ]
  for (const [kernelName, kernelFunc] of configs) {
    if (tf.getKernel(kernelName, 'webgl')) continue
    tf.registerKernel({
      kernelName,
      backendName: 'webgl',
      kernelFunc: kernelFunc as unknown as tf.KernelFunc,
    })
  }
}
