// The optimizer on WebGL: each parameter's update rule (optim/adam.ts, optim/sgd.ts) lowered to
// GLSL (optim/glsl.ts), in one raw draw per parameter that writes the new parameter and its new
// state buffers as render targets (a texture cannot be updated in place).
import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl'
import * as tf from '@tensorflow/tfjs-core'
import { glslStep } from '../optim/glsl'
import { withRule } from '../optim/rules'
import { stateCount, type UpdateRule } from './kernels'
import { drawTargets, FRAGMENT_HEADER, mrtAvailable } from './webglDraw'
import { fits, plainTexture } from './webglTextures'

/**
 * Whether the optimizer can update parameters of these shapes (each parameter and its state
 * buffers as separate textures, written as render targets of one draw): then the engine keeps
 * each state buffer as its own tensor.
 */
export function webglSeparateState(shapes: Array<[number, number]>): boolean {
  return (
    tf.getBackend() === 'webgl' &&
    mrtAvailable(tf.backend(), { rows: 1, cols: 4 }) &&
    shapes.every(([rows, cols]) => fits(rows, cols))
  )
}

/**
 * The fragment shader updating a `[rows, cols]` parameter: reads `P`, `G`, `S0`, … at its texel,
 * runs the rule, writes `oP`, `oS0`, …; columns from `frozenFrom` on (an augmented layer's
 * constant units; -1: none) keep their values, and the padding of a last, half-filled texel row
 * stays 0.
 */
function updateShader(rule: UpdateRule, rows: number, frozenFrom: number, states: number) {
  const step = withRule(rule, { visit: glslStep })
  const uniforms = step.uniforms.map((u) => ({ name: u.name, float: u.value }))
  const samplers = ['P', 'G', ...Array.from({ length: states }, (_, j) => `S${j}`)]
  // The source depends on the step's statements, not on the constants' values (uniforms).
  const key = [step.body, rows, frozenFrom].join('|')
  let fragment = sources.get(key)
  if (!fragment) {
    const locals = ['p', 'g', ...Array.from({ length: states }, (_, j) => `s${j}`)]
    const outputs = ['oP', ...Array.from({ length: states }, (_, j) => `oS${j}`)]
    const keep = outputs.map((o, j) => `${o} = ${locals[j === 0 ? 0 : j + 1]};`)
    fragment = `${FRAGMENT_HEADER}
${samplers.map((name) => `uniform sampler2D ${name};`).join('\n')}
${step.uniforms.map((u) => `uniform float ${u.name};`).join('\n')}
${outputs.map((o, t) => `layout(location = ${t}) out vec4 ${o};`).join('\n')}
void main() {
  ivec2 q = ivec2(gl_FragCoord.xy);
  ${samplers.map((name, j) => `vec4 ${locals[j]} = texelFetch(${name}, q, 0);`).join('\n  ')}
  ${step.body.split('\n').join('\n  ')}
  ${outputs.map((o, j) => `${o} = ${step.outputs[j]};`).join('\n  ')}
  ${frozenFrom >= 0 ? `if (2 * q.x >= ${frozenFrom}) {\n    ${keep.join('\n    ')}\n  }` : ''}
  ${rows % 2 === 1 ? `if (2 * q.y + 1 >= ${rows}) {\n    ${outputs.map((o) => `${o}.zw = vec2(0.0);`).join('\n    ')}\n  }` : ''}
}`
    sources.set(key, fragment)
  }
  return { fragment, samplers, uniforms }
}

/** Fragment sources by the rule's statements and the parameter's layout. */
const sources = new Map<string, string>()

type Params = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }

/**
 * `TensorloomOptimizerStep` on WebGL: inputs `p{i}`, `g{i}` and the state buffers `s{i}_{j}`
 * (each the parameter's shape), attributes `rules` and `frozenFrom`. Returns the new parameters,
 * then each parameter's new state buffers, in input order.
 */
export function optimizerStep({ inputs, backend, attrs }: Params): tf.TensorInfo[] {
  const { rules, frozenFrom } = attrs as unknown as { rules: UpdateRule[]; frozenFrom: number[] }
  const params: tf.TensorInfo[] = []
  const states: tf.TensorInfo[] = []
  const temps: tf.TensorInfo[] = []
  rules.forEach((rule, i) => {
    const p = inputs[`p${i}`]!
    const own = Array.from({ length: stateCount(rule) }, (_, j) => inputs[`s${i}_${j}`]!)
    const [rows, cols] = p.shape as [number, number]
    const textures = [p, inputs[`g${i}`]!, ...own].map((t) => plainTexture(backend, t, temps))
    const shader = updateShader(rule, rows, frozenFrom[i]!, own.length)
    const [param, ...state] = drawTargets(
      backend,
      { ...shader, textures },
      [rows, cols],
      own.length + 1,
    )
    params.push(param!)
    states.push(...state)
  })
  for (const t of temps) (backend as MathBackendWebGL).disposeIntermediateTensorInfo(t)
  return [...params, ...states]
}
