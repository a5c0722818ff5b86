import { readFileSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import { beforeAll, describe, expect, it } from 'vitest'
import { type AdamHyper, adamRule } from './adam'
import { glslStep } from './glsl'
import { UPDATE_LOOPS } from './loops.generated'
import { updateLoopsModule } from './loopsModule'
import type { UpdateRuleSpec } from './rule'
import { type SgdHyper, sgdRule } from './sgd'
import { tensorStep } from './tensors'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

const N = 257

/** Values a parameter, its gradient and its state take in training, and a few extremes. */
function values(seed: number, positive = false): Float32Array {
  let s = seed
  return Float32Array.from({ length: N }, (_, i) => {
    s = (s * 1103515245 + 12345) >>> 0
    const v = (s / 2 ** 32 - 0.5) * 2 * 10 ** ((i % 7) - 4)
    return positive ? v * v : v
  })
}

/**
 * Hyper-parameters for each flag combination of each rule, with values that make every
 * constant count (weight decay, dampening, later steps).
 */
const adamCases: AdamHyper[] = adamRule.allFlags().map((f) => ({
  lr: 2e-3,
  beta1: 0.85,
  beta2: 0.995,
  eps: 1e-7,
  weightDecay: f.weightDecay === 'none' ? 0 : 0.03,
  decoupled: f.weightDecay === 'decoupled',
  amsgrad: f.amsgrad,
  maximize: f.maximize,
  step: 4,
}))
const sgdCases: SgdHyper[] = sgdRule.allFlags().map((f) => ({
  lr: 0.05,
  momentum: f.momentum === 'none' ? 0 : 0.9,
  dampening: f.nesterov ? 0 : 0.2,
  weightDecay: f.weightDecay ? 1e-3 : 0,
  nesterov: f.nesterov,
  maximize: f.maximize,
  hasBuffer: f.momentum === 'later',
}))

/** Every lowering's result for one case: the new parameter, then the state buffers. */
function lowerings<H, F, K extends string, S extends string>(
  rule: UpdateRuleSpec<H, F, K, S>,
  hyper: H,
) {
  const flags = rule.flags(hyper)
  const names = rule.state(flags)
  const param = values(1)
  const grad = values(2)
  // Second-moment buffers are non-negative, as training keeps them.
  const state = names.map((name, j) =>
    values(3 + j, name !== 'expAvg' && name !== 'momentumBuffer'),
  )

  const out = new Float32Array(N)
  const js = state.map((s) => s.slice())
  UPDATE_LOOPS[rule.key(flags)]!(N, rule.constants(hyper), param, grad, out, js)

  const tensors = tf.tidy(() => {
    const given: Partial<Record<S, tf.Tensor>> = {}
    names.forEach((name, j) => {
      given[name] = tf.tensor1d(state[j]!)
    })
    const result = tensorStep(rule, hyper, {
      param: tf.tensor1d(param),
      grad: tf.tensor1d(grad),
      state: given,
    })
    return [result.param, ...names.map((name) => result.state[name])].map(
      (t) => t.dataSync() as Float32Array,
    )
  })

  const glsl = glslStep(rule, hyper)
  const evaluated = Array.from({ length: N }, (_, i) => {
    const env = new Map<string, number>([
      ['p', param[i]!],
      ['g', grad[i]!],
      ...state.map((s, j): [string, number] => [`s${j}`, s[i]!]),
      ...glsl.uniforms.map((u): [string, number] => [u.name, Math.fround(u.value)]),
    ])
    return evaluateGlsl(glsl.body, env, glsl.outputs)
  })
  const fromGlsl = glsl.outputs.map((_, o) => Float32Array.from(evaluated, (e) => e[o]!))
  return { js: [out, ...js], tensors, glsl: fromGlsl }
}

/**
 * Runs the GLSL lines `vec4 tN = …;` that glslStep emits on scalars in float32 (each component of
 * a `vec4` is computed alike).
 */
function evaluateGlsl(body: string, env: Map<string, number>, outputs: string[]): number[] {
  const value = (name: string) => {
    const v = env.get(name.trim())
    if (v === undefined) throw new Error(`unknown GLSL value ${name}`)
    return v
  }
  for (const line of body.split('\n')) {
    const [, name, expr] = /^vec4 (t\d+) = (.*);$/.exec(line)!
    const call = /^(sqrt|max)\((.*)\)$/.exec(expr!)
    const binary = /^(\S+) ([-+*/]) (\S+)$/.exec(expr!)
    let v: number
    if (call) {
      const args = call[2]!.split(',').map(value)
      v = call[1] === 'sqrt' ? Math.sqrt(args[0]!) : Math.max(args[0]!, args[1]!)
    } else if (binary) {
      const [a, b] = [value(binary[1]!), value(binary[3]!)]
      const op = binary[2]
      v = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b
    } else {
      v = -value(expr!.slice(1))
    }
    env.set(name!, Math.fround(v))
  }
  return outputs.map(value)
}

/** Largest difference relative to the largest magnitude (updates cancel: p − Δp ≈ 0 happens). */
function expectClose(actual: Float32Array, expected: Float32Array) {
  let worst = 0
  let scale = 0
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!))
    scale = Math.max(scale, Math.abs(expected[i]!))
  }
  // float64 arithmetic rounded on store against float32 per operation: a few ulps.
  expect(worst / scale).toBeLessThan(1e-6)
}

describe('update rules, each lowered three ways', () => {
  it('loops.generated.ts is what the rules generate (run `pnpm generate` after changing one)', () => {
    const file = readFileSync(new URL('./loops.generated.ts', import.meta.url), 'utf8')
    const squash = (s: string) => s.replace(/[\s,;()']+/g, '')
    expect(squash(file)).toBe(squash(updateLoopsModule()))
  })

  it('generates one loop per flag combination of each rule', () => {
    const keys = [...adamRule.allFlags().map(adamRule.key), ...sgdRule.allFlags().map(sgdRule.key)]
    expect(new Set(keys).size).toBe(keys.length)
    expect(Object.keys(UPDATE_LOOPS).sort()).toEqual(keys.sort())
  })

  it.each(adamCases.map((h) => [adamRule.key(adamRule.flags(h)), h] as const))(
    '%s: the JavaScript loop, tfjs ops and GLSL compute the same update',
    (_, hyper) => {
      const { js, tensors, glsl } = lowerings(adamRule, hyper)
      expect(js).toHaveLength(hyper.amsgrad ? 4 : 3)
      js.forEach((values, o) => {
        expectClose(values, tensors[o]!)
        expectClose(glsl[o]!, tensors[o]!)
      })
    },
  )

  it.each(sgdCases.map((h) => [sgdRule.key(sgdRule.flags(h)), h] as const))(
    '%s: the JavaScript loop, tfjs ops and GLSL compute the same update',
    (_, hyper) => {
      const { js, tensors, glsl } = lowerings(sgdRule, hyper)
      expect(js).toHaveLength(hyper.momentum === 0 ? 1 : 2)
      js.forEach((values, o) => {
        expectClose(values, tensors[o]!)
        expectClose(glsl[o]!, tensors[o]!)
      })
    },
  )

  it('keeps PyTorch order: Adam divides by √(1 − β₂ᵗ) before adding ε, then scales m', () => {
    const glsl = glslStep(adamRule, adamCases[0]!)
    expect(glsl.body).toMatchInlineSnapshot(`
      "vec4 t0 = s0 * u_beta1;
      vec4 t1 = g * u_c1;
      vec4 t2 = t0 + t1;
      vec4 t3 = s1 * u_beta2;
      vec4 t4 = g * u_c2;
      vec4 t5 = t4 * g;
      vec4 t6 = t3 + t5;
      vec4 t7 = sqrt(t6);
      vec4 t8 = t7 / u_bc2Sqrt;
      vec4 t9 = t8 + u_eps;
      vec4 t10 = t2 * u_stepSize;
      vec4 t11 = t10 / t9;
      vec4 t12 = p - t11;"
    `)
  })
})
