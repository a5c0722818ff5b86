import type { NodeType, ParamSpec } from '@tensorloom/graph'
import { nodeSpecs, nodeTypes, validateParam, validateTrainingSetting } from '@tensorloom/graph'
import { describe, expect, it } from 'vitest'
import { parseValue } from '../components/ParamField'
import { maxStepsProblem, readSetting } from '../components/TrainingPanel'

const numeric = (spec: ParamSpec) =>
  spec.kind === 'int' ||
  spec.kind === 'float' ||
  spec.kind === 'intOrNull' ||
  spec.kind === 'floatList' ||
  spec.kind === 'intList'

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
      if (spec.kind === 'int' || spec.kind === 'intOrNull' || spec.kind === 'intList') {
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
    ['lr', ''],
    ['lr', 'abc'],
    ['lr', 'NaN'],
    ['lr', '0'],
    ['lr', '-0.1'],
    ['lr', '1e308'],
    ['lr', '1e400'],
    ['momentum', '-0.5'],
    ['momentum', '1.5'],
    ['epochs', '0'],
    ['epochs', '2.5'],
    ['epochs', '1e9'],
    ['seed', '-1'],
    ['seed', '1.5'],
    ['seed', String(2 ** 40)],
  ] as const)('refuses %s = "%s" with the graph package message', (name, text) => {
    const { value, problem } = readSetting(name, text)
    expect(problem).not.toBeNull()
    expect(problem).toBe(validateTrainingSetting(name, value))
  })

  it('accepts sensible values', () => {
    expect(readSetting('lr', '0.001')).toEqual({ value: 0.001, problem: null })
    expect(readSetting('momentum', '0.9')).toEqual({ value: 0.9, problem: null })
    expect(readSetting('epochs', '5')).toEqual({ value: 5, problem: null })
    expect(readSetting('seed', '42')).toEqual({ value: 42, problem: null })
  })

  it('has the limits of the document validation: epochs up to 1000, seeds up to 2^32 - 1', () => {
    expect(readSetting('epochs', '1000')).toEqual({ value: 1000, problem: null })
    expect(readSetting('seed', String(2 ** 32 - 1))).toEqual({ value: 2 ** 32 - 1, problem: null })
    expect(readSetting('epochs', '1001').problem).toBe(
      'epochs must be an integer from 1 to 1000, but got 1001',
    )
    expect(readSetting('seed', String(2 ** 32)).problem).toBe(
      'seed must be an integer from 0 to 4294967295, but got 4294967296',
    )
    expect(readSetting('lr', '').problem).toBe(
      'lr must be a number greater than 0 and at most 10, but got ""',
    )
  })

  it('refuses a bad "stop after batches" inline, and reads empty as "all"', () => {
    expect(maxStepsProblem('')).toBeNull()
    expect(maxStepsProblem('200')).toBeNull()
    for (const text of ['abc', '-5', '0', '2.5', '1e309', '1e12']) {
      expect(maxStepsProblem(text), text).not.toBeNull()
    }
  })
})
