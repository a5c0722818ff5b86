import type { Arith, UpdateRuleSpec } from './rule'

/** A rule's step as GLSL statements over `vec4` values (four elements of a texel at once). */
export interface GlslStep {
  /** Declarations `vec4 tN = …;` computing the outputs from `p`, `g`, `s0`, `s1`, … */
  body: string
  /** The expressions of the new parameter, then of the new state buffers in the rule's order. */
  outputs: string[]
  /** The float uniforms the body reads: GLSL name and value, one per constant of the rule. */
  uniforms: Array<{ name: string; value: number }>
}

/**
 * `rule`'s step with `hyper` as GLSL: the parameter, gradient and state buffers are the `vec4`
 * variables `p`, `g` and `s0`, `s1`, … (in the rule's state order); each constant is a float
 * uniform `u_<name>` (its value changes with the step, the program does not). Programs differ
 * only by the rule's flags.
 */
export function glslStep<H, F, K extends string, S extends string>(
  rule: UpdateRuleSpec<H, F, K, S>,
  hyper: H,
): GlslStep {
  const lines: string[] = []
  const emit = (expr: string) => {
    const name = `t${lines.length}`
    lines.push(`vec4 ${name} = ${expr};`)
    return name
  }
  const arith: Arith<string> = {
    add: (a, b) => emit(`${a} + ${b}`),
    sub: (a, b) => emit(`${a} - ${b}`),
    mul: (a, b) => emit(`${a} * ${b}`),
    div: (a, b) => emit(`${a} / ${b}`),
    sqrt: (a) => emit(`sqrt(${a})`),
    max: (a, b) => emit(`max(${a}, ${b})`),
    neg: (a) => emit(`-${a}`),
  }
  const values = rule.constants(hyper)
  const names = Object.keys(values) as K[]
  const k = {} as Record<K, string>
  for (const name of names) k[name] = `u_${name}`
  const flags = rule.flags(hyper)
  const stateNames = rule.state(flags)
  const state: Partial<Record<S, string>> = {}
  stateNames.forEach((name, j) => {
    state[name] = `s${j}`
  })
  const out = rule.step(arith, { param: 'p', grad: 'g', state }, k, flags)
  return {
    body: lines.join('\n'),
    outputs: [out.param, ...stateNames.map((name) => out.state[name]!)],
    uniforms: names.map((name) => ({ name: `u_${name}`, value: values[name] })),
  }
}
