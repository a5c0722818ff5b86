// The fused kernels of the fast path for the `webgl` backend, as WebGL programs run through
// tfjs-backend-webgl's `runWebGLProgram`. On WebGL each op is a draw call with a fixed cost
// (large on software renderers such as SwiftShader), so one program per fused step pays.
//
// Matmuls read and write *packed* textures (2×2 blocks: (r, c), (r, c+1), (r+1, c), (r+1, c+1)
// in x, y, z, w), and tfjs converts every input whose packing differs from what a program expects
// with an extra draw, per input and per use. So these programs read and write packed textures too.
import * as tf from '@tensorflow/tfjs-core'
import { KERNELS, type UpdateRule } from './kernels'

/** The parts of tfjs-backend-webgl's `GPGPUProgram` used here. */
interface Program {
  variableNames: string[]
  outputShape: number[]
  userCode: string
  packedInputs?: boolean
  packedOutput?: boolean
  customUniforms?: Array<{ name: string; type: 'float' }>
}

/** The parts of tfjs-backend-webgl's `MathBackendWebGL` used here (duck-typed). */
interface WebGLBackendLike {
  runWebGLProgram(
    program: Program,
    inputs: tf.TensorInfo[],
    outputDtype: tf.DataType,
    customUniformValues?: number[][],
  ): tf.TensorInfo
}

type Params = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }

const attr = <T>(attrs: tf.NamedAttrMap | undefined, name: string): T =>
  (attrs as Record<string, unknown>)[name] as T

const run = (backend: unknown, program: Program, inputs: tf.TensorInfo[], uniforms?: number[][]) =>
  (backend as WebGLBackendLike).runWebGLProgram(program, inputs, 'float32', uniforms)

/** GLSL reading one element of the packed 2D input `name`. */
function elementReader(name: string): string {
  return `
    float elem${name}(int r, int c) {
      vec4 t = get${name}(r, c);
      int k = (r - 2 * (r / 2)) * 2 + (c - 2 * (c / 2));
      return k == 0 ? t.x : k == 1 ? t.y : k == 2 ? t.z : t.w;
    }`
}

/** Row `r`: max `m`, `s` = Σ exp(logit − m), `arg` = first arg-max, label `y` (packed L, Y). */
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
    int y = int(elemY(r, 0) + 0.5);`
}

/**
 * `TensorloomGatherRows` on WebGL: rows `indices` (float `[B]`) of the resident `[N, D]` matrix
 * (unpacked, as uploaded), written as a packed `[B, D]` texture ready for the matmul; with
 * `augment`, `[B, D + 1]` whose last column is 1 (it multiplies the first layer's bias row).
 */
function gatherRows({ inputs, backend, attrs }: Params): tf.TensorInfo {
  const x = inputs.x!
  const indices = inputs.indices!
  const rows = indices.shape[0]!
  const cols = x.shape[1]!
  const width = attr<boolean>(attrs, 'augment') ? cols + 1 : cols
  const program: Program = {
    variableNames: ['X', 'I'],
    outputShape: [rows, width],
    packedInputs: false,
    packedOutput: true,
    userCode: `
      float value(int i, int c) {
        return c < ${cols} ? getX(i, c) : c < ${width} ? 1.0 : 0.0;
      }
      void main() {
        ivec2 rc = getOutputCoords();
        bool r1 = rc.x + 1 < ${rows};
        int i0 = int(getI(rc.x) + 0.5);
        int i1 = r1 ? int(getI(rc.x + 1) + 0.5) : i0;
        setOutput(vec4(
          value(i0, rc.y),
          value(i0, rc.y + 1),
          r1 ? value(i1, rc.y) : 0.0,
          r1 ? value(i1, rc.y + 1) : 0.0));
      }`,
  }
  return run(backend, program, [x, indices])
}

/**
 * `TensorloomSoftmaxCrossEntropy` on WebGL: from packed logits `L` (`[B, C]`) and labels `Y`
 * (float `[B, 1]`), the gradient `scale · (softmax − onehot)` (packed `[B, C]`) and the stats
 * `[scale · Σ loss, correct]`: two draws.
 */
function softmaxCrossEntropy({ inputs, backend, attrs }: Params): tf.TensorInfo[] {
  const logits = inputs.logits!
  const labels = inputs.labels!
  const [rows, classes] = logits.shape as [number, number]
  const scale = [[attr<number>(attrs, 'scale')]]
  const customUniforms = [{ name: 'u_scale', type: 'float' as const }]
  const readers = `${elementReader('L')}${elementReader('Y')}`
  const cell = (i: number, j: number, out: string) => `
        {
          int r = rc.x + ${i};
          int c = rc.y + ${j};
          if (r < ${rows} && c < ${classes}) {
            ${rowStats(classes)}
            ${out} = u_scale * (exp(elemL(r, c) - m) / s - (c == y ? 1.0 : 0.0));
          }
        }`
  const grad: Program = {
    variableNames: ['L', 'Y'],
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
  const stats: Program = {
    variableNames: ['L', 'Y'],
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
  return [run(backend, grad, [logits, labels], scale), run(backend, stats, [logits, labels], scale)]
}

/** `TensorloomReluGrad` on WebGL (packed): `dy` where `y > 0`. */
function reluGrad({ inputs, backend }: Params): tf.TensorInfo {
  const program: Program = {
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
 */
function optimizerPrograms(
  rule: UpdateRule,
  shape: [number, number],
  frozenFrom: number,
  k: number,
): { state: Program | null; param: Program } {
  const [rows, cols] = shape
  const prelude = `
      vec4 gradient(int r, int c) {
        return u_sign * getG(r, c) + u_l2 * getP(r, c);
      }`
  // Padding of a last, half-filled texel row stays 0; frozen columns keep their values.
  const pad = rows % 2 === 1 ? `if (rc.x + 1 >= ${rows}) { o.z = 0.0; o.w = 0.0; }` : ''
  const freeze = (old: string, col: string) =>
    frozenFrom >= 0 ? `if (${col} >= ${frozenFrom}) o = ${old};` : ''
  const base = {
    variableNames: k > 0 ? ['P', 'G', 'S'] : ['P', 'G'],
    packedInputs: true,
    packedOutput: true,
    customUniforms: UNIFORMS.map((name) => ({ name, type: 'float' as const })),
  }
  if (rule.kind === 'adam') {
    const vmax = (c: string) => (rule.amsgrad ? `v = max(getS(rc.x, ${c} + ${2 * cols}), v);` : '')
    return {
      state: {
        ...base,
        outputShape: [rows, k * cols],
        userCode: `${prelude}
          void main() {
            ivec2 rc = getOutputCoords();
            int part = rc.y / ${cols};
            int c = rc.y - part * ${cols};
            vec4 g = gradient(rc.x, c);
            vec4 o = getS(rc.x, c) * u_beta1 + g * u_c1;
            if (part > 0) {
              vec4 v = getS(rc.x, c + ${cols}) * u_beta2 + g * g * u_c2;
              o = v;
              if (part > 1) o = max(getS(rc.x, c + ${2 * cols}), v);
            }
            ${freeze('getS(rc.x, rc.y)', 'c')}
            ${pad}
            setOutput(o);
          }`,
      },
      param: {
        ...base,
        outputShape: [rows, cols],
        userCode: `${prelude}
          void main() {
            ivec2 rc = getOutputCoords();
            vec4 g = gradient(rc.x, rc.y);
            vec4 m = getS(rc.x, rc.y) * u_beta1 + g * u_c1;
            vec4 v = getS(rc.x, rc.y + ${cols}) * u_beta2 + g * g * u_c2;
            ${vmax('rc.y')}
            vec4 o = getP(rc.x, rc.y) * u_shrink
              - (m * u_stepSize) / (sqrt(v) * u_invBc2Sqrt + u_eps);
            ${freeze('getP(rc.x, rc.y)', 'rc.y')}
            ${pad}
            setOutput(o);
          }`,
      },
    }
  }
  const momentum = k > 0
  const body = (output: 'b' | 'p') => `${prelude}
          void main() {
            ivec2 rc = getOutputCoords();
            vec4 d = gradient(rc.x, rc.y);
            ${
              momentum
                ? `vec4 b = u_hasBuffer > 0.5 ? getS(rc.x, rc.y) * u_momentum + u_keep * d : d;
                   d = u_nesterov > 0.5 ? d + u_momentum * b : b;`
                : 'vec4 b = d;'
            }
            vec4 o = ${output === 'b' ? 'b' : 'getP(rc.x, rc.y) - u_lr * d'};
            ${freeze(output === 'b' ? 'getS(rc.x, rc.y)' : 'getP(rc.x, rc.y)', 'rc.y')}
            ${pad}
            setOutput(o);
          }`
  return {
    state: momentum ? { ...base, outputShape: [rows, cols], userCode: body('b') } : null,
    param: { ...base, outputShape: [rows, cols], userCode: body('p') },
  }
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
  rules.forEach((rule, i) => {
    const p = inputs[`p${i}`]!
    const g = inputs[`g${i}`]!
    const s = inputs[`s${i}_0`]
    const k = s ? s.shape[1]! / p.shape[1]! : 0
    const programs = optimizerPrograms(rule, p.shape as [number, number], frozenFrom[i]!, k)
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
    [KERNELS.gatherRows, gatherRows],
    [KERNELS.softmaxCrossEntropy, softmaxCrossEntropy],
    [KERNELS.reluGrad, reluGrad],
    [KERNELS.optimizerStep, optimizerStep],
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
