// The fused kernels of the fast path for the `webgl` backend, as WebGL programs run through
// tfjs-backend-webgl's `runWebGLProgram`, and — where one draw should write several textures —
// raw WebGL2 draws with several render targets (webglMrt.ts). On WebGL each op is a draw call
// with a fixed cost (~0.15–0.3 ms on SwiftShader), and on a software renderer each texture fetch
// costs more than the arithmetic it feeds: the programs read texels with `texelFetch` at integer
// coordinates, and the large matmuls compute several output texels per fragment.
//
// Matmuls read and write *packed* textures (2×2 blocks: (r, c), (r, c+1), (r+1, c), (r+1, c+1)
// in x, y, z, w), and tfjs converts every input whose packing differs from what a program expects
// with an extra draw, per input and per use. So these programs read and write packed textures too.
import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl'
import * as tf from '@tensorflow/tfjs-core'
import { KERNELS, stateCount, type UpdateRule } from './kernels'
import {
  drawTargets,
  FRAGMENT_HEADER,
  mrtAvailable,
  mrtMatMul,
  plainTexture,
  type Tile,
  uniformVectors,
} from './webglMrt'
import { rowsMatMul } from './webglRows'

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
  const cell = (i: number, j: number, out: string) => `
        {
          int r = rc.x + ${i};
          int c = rc.y + ${j};
          if (r < ${rows} && c < ${classes}) {
            ${rowStats(classes)}
            ${out} = u_scale * (exp(elemL(r, c) - m) / s - (c == y ? 1.0 : 0.0));
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
        ${cell(0, 0, 'result.x')}
        ${cell(0, 1, 'result.y')}
        ${cell(1, 0, 'result.z')}
        ${cell(1, 1, 'result.w')}
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

/** Whether a packed `[rows, cols]` texture gets tfjs' plain layout (no squarifying). */
function fits(rows: number, cols: number): boolean {
  const max = 2 * tf.env().getNumber('WEBGL_MAX_TEXTURE_SIZE')
  return even(rows) <= max && even(cols) <= max
}

/**
 * `TensorloomMatMul` on WebGL: `op(A)·op(B)` (optionally ReLU'd) of packed 2D tensors, one output
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
  // Large matmuls (the first layer's forward and weight gradient): several texels per fragment.
  if (kp >= 16 && Math.ceil(m / 2) * Math.ceil(n / 2) >= 1024 && mrtAvailable(backend, TILE)) {
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
    variableNames: ['A', 'B'],
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
        setOutput(result);
      }`,
  }
  return run(backend, program, [a, b])
}

/** `TensorloomReluGrad` on WebGL (packed): `dy` where `y > 0`. */
function reluGrad({ inputs, backend }: Params): tf.TensorInfo {
  const program: GPGPUProgram = {
    variableNames: ['DY', 'Y'],
    outputShape: inputs.dy!.shape,
    packedInputs: true,
    packedOutput: true,
    userCode: `
      void main() {
        setOutput(getDYAtOutCoords() * vec4(greaterThan(getYAtOutCoords(), vec4(0.0))));
      }`,
  }
  return run(backend, program, [inputs.dy!, inputs.y!])
}

// Uniform names carry a prefix: `sign` and others are GLSL built-ins.
const UNIFORMS = [
  'u_sign',
  'u_l2',
  'u_beta1',
  'u_beta2',
  'u_c1',
  'u_c2',
  'u_stepSize',
  'u_invBc2Sqrt',
  'u_eps',
  'u_shrink',
  'u_lr',
  'u_momentum',
  'u_keep',
  'u_hasBuffer',
  'u_nesterov',
]

function uniformValues(rule: UpdateRule): number[][] {
  const adam = rule.kind === 'adam'
  const decoupled = adam && rule.decoupled
  return [
    rule.maximize ? -1 : 1,
    decoupled ? 0 : rule.weightDecay,
    rule.beta1,
    rule.beta2,
    1 - rule.beta1,
    1 - rule.beta2,
    adam ? rule.lr / (1 - rule.beta1 ** rule.step) : 0,
    adam ? 1 / Math.sqrt(1 - rule.beta2 ** rule.step) : 0,
    rule.eps,
    decoupled ? 1 - rule.lr * rule.weightDecay : 1,
    rule.lr,
    rule.momentum,
    1 - rule.dampening,
    rule.hasBuffer ? 1 : 0,
    rule.nesterov ? 1 : 0,
  ].map((v) => [v])
}

/**
 * The optimizer's programs for one parameter `P` (`[R, C]`, packed, C even) with gradient `G` and
 * state `S`: the state buffers side by side, `[R, k·C]` (Adam: m | v (| max v); SGD: momentum).
 * Two draws per parameter: the new state, and the new parameter; both read only old values.
 * Columns from `frozenFrom` on (an augmented layer's constant units; -1: none) keep their values.
 * Coordinates are in texels (x: column pair, y: row pair); with `direct`, inputs are read with
 * `texelFetch`, else through tfjs' accessors. Without L2 weight decay, `P` is not read for the
 * gradient.
 */
function optimizerPrograms(
  rule: UpdateRule,
  shape: [number, number],
  frozenFrom: number,
  k: number,
  direct: boolean,
): { state: GPGPUProgram | null; param: GPGPUProgram } {
  const [rows, cols] = shape
  const half = cols / 2
  const names = k > 0 ? ['P', 'G', 'S'] : ['P', 'G']
  const l2 = rule.weightDecay !== 0 && !(rule.kind === 'adam' && rule.decoupled)
  const fetchers = names
    .map((n) =>
      direct
        ? `vec4 t${n}(int x, int y) { return texelFetch(${n}, ivec2(x, y), 0); }`
        : `vec4 t${n}(int x, int y) { return get${n}(2 * y, 2 * x); }`,
    )
    .join('\n      ')
  const prelude = `
      ${fetchers}
      vec4 gradient(int x, int y) {
        return u_sign * tG(x, y)${l2 ? ' + u_l2 * tP(x, y)' : ''};
      }`
  const coords = direct
    ? 'ivec2 q = ivec2(gl_FragCoord.xy);'
    : 'ivec2 rc = getOutputCoords(); ivec2 q = ivec2(rc.y / 2, rc.x / 2);'
  // Padding of a last, half-filled texel row stays 0; frozen columns keep their values.
  const pad = rows % 2 === 1 ? `if (2 * q.y + 1 >= ${rows}) { o.z = 0.0; o.w = 0.0; }` : ''
  const freeze = (old: string, x: string) =>
    frozenFrom >= 0 ? `if (2 * ${x} >= ${frozenFrom}) o = ${old};` : ''
  const base = {
    variableNames: names,
    packedInputs: true,
    packedOutput: true,
    customUniforms: UNIFORMS.map((name) => ({ name, type: 'float' as const })),
  }
  if (rule.kind === 'adam') {
    const vmax = rule.amsgrad ? `v = max(tS(q.x + ${2 * half}, q.y), v);` : ''
    return {
      state: {
        ...base,
        outputShape: [rows, k * cols],
        userCode: `${prelude}
          void main() {
            ${coords}
            int part = q.x / ${half};
            int c = q.x - part * ${half};
            vec4 g = gradient(c, q.y);
            vec4 o = tS(c, q.y) * u_beta1 + g * u_c1;
            if (part > 0) {
              vec4 v = tS(c + ${half}, q.y) * u_beta2 + g * g * u_c2;
              o = v;
              if (part > 1) o = max(tS(c + ${2 * half}, q.y), v);
            }
            ${freeze('tS(q.x, q.y)', 'c')}
            ${pad}
            setOutput(o);
          }`,
      },
      param: {
        ...base,
        outputShape: [rows, cols],
        userCode: `${prelude}
          void main() {
            ${coords}
            vec4 g = gradient(q.x, q.y);
            vec4 m = tS(q.x, q.y) * u_beta1 + g * u_c1;
            vec4 v = tS(q.x + ${half}, q.y) * u_beta2 + g * g * u_c2;
            ${vmax}
            vec4 o = tP(q.x, q.y) * u_shrink
              - (m * u_stepSize) / (sqrt(v) * u_invBc2Sqrt + u_eps);
            ${freeze('tP(q.x, q.y)', 'q.x')}
            ${pad}
            setOutput(o);
          }`,
      },
    }
  }
  const momentum = k > 0
  const body = (output: 'b' | 'p') => `${prelude}
          void main() {
            ${coords}
            vec4 d = gradient(q.x, q.y);
            ${
              momentum
                ? `vec4 b = u_hasBuffer > 0.5 ? tS(q.x, q.y) * u_momentum + u_keep * d : d;
                   d = u_nesterov > 0.5 ? d + u_momentum * b : b;`
                : 'vec4 b = d;'
            }
            vec4 o = ${output === 'b' ? 'b' : 'tP(q.x, q.y) - u_lr * d'};
            ${freeze(output === 'b' ? 'tS(q.x, q.y)' : 'tP(q.x, q.y)', 'q.x')}
            ${pad}
            setOutput(o);
          }`
  return {
    state: momentum ? { ...base, outputShape: [rows, cols], userCode: body('b') } : null,
    param: { ...base, outputShape: [rows, cols], userCode: body('p') },
  }
}

/**
 * Whether the optimizer can update every parameter of these shapes in one draw each (parameter
 * and state buffers as separate textures, written as render targets at once): then the engine
 * keeps each state buffer as its own tensor and passes `separateState`.
 */
export function webglSeparateState(shapes: Array<[number, number]>): boolean {
  return (
    tf.getBackend() === 'webgl' &&
    mrtAvailable(tf.backend(), { rows: 1, cols: 4 }) &&
    shapes.every(([rows, cols]) => fits(rows, cols))
  )
}

/**
 * One parameter's update in one draw: new parameter and new state buffers (each `[R, C]`) as
 * render targets of one program, reading `P`, `G` and the old state once per texel.
 */
function updateInOneDraw(
  backend: unknown,
  rule: UpdateRule,
  p: tf.TensorInfo,
  g: tf.TensorInfo,
  states: tf.TensorInfo[],
  frozenFrom: number,
): tf.TensorInfo[] {
  const [rows, cols] = p.shape as [number, number]
  const temps: tf.TensorInfo[] = []
  const inputs = [p, g, ...states].map((t) => plainTexture(backend, t, temps))
  const names = ['P', 'G', ...states.map((_, j) => `S${j}`)]
  const l2 = rule.weightDecay !== 0 && !(rule.kind === 'adam' && rule.decoupled)
  const read = (name: string) => `texelFetch(${name}, q, 0)`
  const outputs = ['oP', ...states.map((_, j) => `oS${j}`)]
  let body: string
  let values: string[]
  if (rule.kind === 'adam') {
    body = `
    vec4 m = ${read('S0')} * u_beta1 + g * u_c1;
    vec4 v = ${read('S1')} * u_beta2 + g * g * u_c2;
    vec4 vm = ${rule.amsgrad ? `max(${read('S2')}, v)` : 'v'};
    vec4 np = p * u_shrink - (m * u_stepSize) / (sqrt(vm) * u_invBc2Sqrt + u_eps);`
    values = ['np', 'm', 'v', 'vm'].slice(0, states.length + 1)
  } else if (states.length > 0) {
    body = `
    vec4 b = u_hasBuffer > 0.5 ? ${read('S0')} * u_momentum + u_keep * g : g;
    vec4 d = u_nesterov > 0.5 ? g + u_momentum * b : b;
    vec4 np = p - u_lr * d;`
    values = ['np', 'b']
  } else {
    body = `
    vec4 np = p - u_lr * g;`
    values = ['np']
  }
  const frozen =
    frozenFrom >= 0
      ? `if (2 * q.x >= ${frozenFrom}) {
    ${outputs.map((o, j) => `${o} = ${j === 0 ? 'p' : read(`S${j - 1}`)};`).join('\n    ')}
  }`
      : ''
  const pad =
    rows % 2 === 1
      ? `if (2 * q.y + 1 >= ${rows}) {
    ${outputs.map((o) => `${o}.zw = vec2(0.0);`).join('\n    ')}
  }`
      : ''
  const fragment = `${FRAGMENT_HEADER}
${names.map((n) => `uniform sampler2D ${n};`).join('\n')}
${UNIFORMS.map((u) => `uniform float ${u};`).join('\n')}
${outputs.map((o, t) => `layout(location = ${t}) out vec4 ${o};`).join('\n')}
void main() {
  ivec2 q = ivec2(gl_FragCoord.xy);
  vec4 p = ${read('P')};
  vec4 g = u_sign * ${read('G')}${l2 ? ' + u_l2 * p' : ''};
  ${body}
  ${outputs.map((o, j) => `${o} = ${values[j]};`).join('\n  ')}
  ${frozen}
  ${pad}
}`
  const uniforms = uniformValues(rule).map((v, i) => ({ name: UNIFORMS[i]!, float: v[0]! }))
  const out = drawTargets(
    backend,
    { fragment, samplers: names, textures: inputs, uniforms },
    [rows, cols],
    outputs.length,
  )
  for (const t of temps) (backend as MathBackendWebGL).disposeIntermediateTensorInfo(t)
  return out
}

/**
 * `TensorloomOptimizerStep` on WebGL: the new parameters, then each parameter's new state
 * (`[R, k·C]`, see {@link optimizerPrograms}); textures are not updated in place.
 */
function optimizerStep({ inputs, backend, attrs }: Params): tf.TensorInfo[] {
  const rules = attr<UpdateRule[]>(attrs, 'rules')
  const frozenFrom = attr<number[]>(attrs, 'frozenFrom')
  const params: tf.TensorInfo[] = []
  const states: tf.TensorInfo[] = []
  if (attr<boolean | undefined>(attrs, 'separateState')) {
    rules.forEach((rule, i) => {
      const count = stateCount(rule)
      const own = Array.from({ length: count }, (_, j) => inputs[`s${i}_${j}`]!)
      const [p, ...s] = updateInOneDraw(
        backend,
        rule,
        inputs[`p${i}`]!,
        inputs[`g${i}`]!,
        own,
        frozenFrom[i]!,
      )
      params.push(p!)
      states.push(...s)
    })
    return [...params, ...states]
  }
  rules.forEach((rule, i) => {
    const p = inputs[`p${i}`]!
    const g = inputs[`g${i}`]!
    const s = inputs[`s${i}_0`]
    const k = s ? s.shape[1]! / p.shape[1]! : 0
    const [rows, cols] = p.shape as [number, number]
    const direct =
      [p, g, ...(s ? [s] : [])].every((t) => plainPacked(backend, t)) &&
      fits(rows, Math.max(1, k) * cols)
    const programs = optimizerPrograms(rule, [rows, cols], frozenFrom[i]!, k, direct)
    const ins = s ? [p, g, s] : [p, g]
    const values = uniformValues(rule)
    params.push(run(backend, programs.param, ins, values))
    if (programs.state) states.push(run(backend, programs.state, ins, values))
  })
  return [...params, ...states]
}

/** Registers the WebGL versions of the fused kernels (once). */
export function registerWebGLKernels(): void {
  const configs: Array<[string, (params: Params) => tf.TensorInfo | tf.TensorInfo[]]> = [
    [KERNELS.rowsMatMul, rowsMatMul],
    [KERNELS.softmaxCrossEntropy, softmaxCrossEntropy],
    [KERNELS.reluGrad, reluGrad],
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
