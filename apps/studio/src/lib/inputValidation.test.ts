import type { NodeType, ParamSpec } from '@tensorloom/graph'
import { nodeSpecs, nodeTypes, validateParam } from '@tensorloom/graph'
import { describe, expect, it } from 'vitest'
import { parseValue } from '../components/ParamField'
import { maxStepsProblem, settingProblem } from '../components/TrainingPanel'

const numeric = (spec: ParamSpec) =>
  spec.kind === 'int' ||
  spec.kind === 'float' ||
  spec.kind === 'intOrNull' ||
  spec.kind === 'floatList'

/** What the inspector does with a typed text: parse it as the parameter's kind, then validate. */
const refusal = (type: NodeType, spec: ParamSpec, text: string) =>
  validateParam(type, spec.name, parseValue(spec, text))

const fields = nodeTypes.flatMap((type) =>
  nodeSpecs[type].params.filter(numeric).map((spec) => ({ type, spec })),
)

describe('every numeric input of the inspector', () => {
  it('covers the numeric parameters of the blocks', () => {
    expect(fields.length).toBeGreaterThan(10)
    expect(fields.map((f) => `${f.type}.${f.spec.name}`)).toContain('Linear.inFeatures')
  })

  it.each(fields.map((f) => [`${f.type}.${f.spec.name}`, f] as const))(
    '%s refuses non-numeric, huge and out-of-range text, and accepts its default',
    (_, { type, spec }) => {
      for (const text of ['abc', '1e309', '-1e309', 'NaN', '0x', '1,2,x']) {
        expect(refusal(type, spec, text), `${type}.${spec.name} = ${text}`).not.toBeNull()
      }
      if (spec.kind !== 'intOrNull') {
        // Empty means None only where None is allowed.
        expect(refusal(type, spec, ''), `${type}.${spec.name} empty`).not.toBeNull()
      }
      if (spec.min !== undefined) {
        expect(refusal(type, spec, String(spec.min - 1))).not.toBeNull()
      }
      if (spec.max !== undefined) {
        expect(refusal(type, spec, String(spec.max * 10 + 1))).not.toBeNull()
      }
      if (spec.kind === 'int' || spec.kind === 'intOrNull') {
        expect(refusal(type, spec, '2.5')).not.toBeNull()
      }
      const defaults = nodeSpecs[type].defaults as Record<string, unknown>
      const text = Array.isArray(defaults[spec.name])
        ? (defaults[spec.name] as number[]).join(', ')
        : String(defaults[spec.name] ?? '')
      expect(refusal(type, spec, text), `${type}.${spec.name} default ${text}`).toBeNull()
    },
  )

  it('refuses huge values for every integer size (no 1e308-unit layers)', () => {
    for (const { type, spec } of fields.filter((f) => f.spec.kind === 'int')) {
      expect(refusal(type, spec, '1e308'), `${type}.${spec.name}`).not.toBeNull()
    }
  })
})

describe('the training panel inputs', () => {
  it.each([
    ['lr', Number.NaN],
    ['lr', 0],
    ['lr', -0.1],
    ['lr', 1e308],
    ['momentum', -0.5],
    ['momentum', 1.5],
    ['epochs', 0],
    ['epochs', 2.5],
    ['epochs', 1e9],
    ['seed', -1],
    ['seed', 1.5],
    ['seed', 2 ** 40],
  ] as const)('refuses %s = %s', (name, value) => {
    expect(settingProblem(name, value)).not.toBeNull()
  })

  it('accepts sensible values', () => {
    expect(settingProblem('lr', 0.001)).toBeNull()
    expect(settingProblem('momentum', 0.9)).toBeNull()
    expect(settingProblem('epochs', 5)).toBeNull()
    expect(settingProblem('seed', 42)).toBeNull()
  })

  it('refuses a bad "stop after batches" inline, and reads empty as "all"', () => {
    expect(maxStepsProblem('')).toBeNull()
    expect(maxStepsProblem('200')).toBeNull()
    for (const text of ['abc', '-5', '0', '2.5', '1e309', '1e12']) {
      expect(maxStepsProblem(text), text).not.toBeNull()
    }
  })
})
