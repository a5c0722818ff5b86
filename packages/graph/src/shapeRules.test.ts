import { describe, expect, it } from 'vitest'
import { ShapeError } from './errors.js'
import fixture from './fixtures/shapeRules.json' with { type: 'json' }
import type { LayerParams, LayerType } from './layerTypes.js'
import { layerTypes } from './layerTypes.js'
import {
  assertLayerShape,
  layerOutputShape,
  layerParamCount,
  MAX_LAYER_PARAMS,
  shapeRules,
} from './shapeRules.js'
import { firstParamIssue, layerDefaults } from './specs.js'

type Case = {
  type: LayerType
  params: LayerParams[LayerType]
  input: number[]
  paramCount: number
  shape?: number[]
  error?: string
}
const cases = fixture.cases as unknown as Case[]

const linear = (inFeatures: number, outFeatures: number, bias = true): LayerParams['Linear'] => ({
  inFeatures,
  outFeatures,
  bias,
})

describe('shape rules agree with PyTorch 1.13', () => {
  it('covers every layer type', () => {
    expect(new Set(cases.map((c) => c.type))).toEqual(new Set(layerTypes))
  })

  it.each(cases.map((c) => [`${c.type}(${JSON.stringify(c.params)}) on [${c.input}]`, c] as const))(
    '%s',
    (_name, c) => {
      const result = layerOutputShape(c.type, c.params, c.input)
      if (c.shape) {
        expect(result).toEqual({ ok: true, shape: c.shape })
      } else {
        expect(result.ok).toBe(false)
        if (!result.ok) expect(result.error.message).toBe(c.error)
      }
      expect(layerParamCount(c.type, c.params)).toBe(c.paramCount)
    },
  )
})

describe('Linear', () => {
  it('asks for a Flatten when fed images (the contract example)', () => {
    const result = layerOutputShape('Linear', linear(784, 128), [64, 1, 28, 28])
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'LINEAR_SHAPE_MISMATCH',
        message: 'mat1 and mat2 shapes cannot be multiplied (1792x28 and 784x128)',
        values: {
          mat1: [1792, 28],
          mat2: [784, 128],
          inputShape: [64, 1, 28, 28],
          inFeatures: 784,
          features: 784,
        },
        fix: {
          kind: 'insertBefore',
          type: 'Flatten',
          params: { startDim: 1, endDim: -1 },
          label: 'Insert Flatten before this node',
        },
      },
    })
  })

  it('offers to set in_features when the flat sizes differ', () => {
    const result = layerOutputShape('Linear', linear(700, 128), [64, 784])
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe('LINEAR_SHAPE_MISMATCH')
    expect(result.error.message).toBe(
      'mat1 and mat2 shapes cannot be multiplied (64x784 and 700x128)',
    )
    expect(result.error.fix).toEqual({
      kind: 'setParam',
      param: 'inFeatures',
      value: 784,
      label: 'Set in_features = 784',
    })
  })

  it('counts the lesson network parameters: 101,770', () => {
    expect(layerParamCount('Linear', linear(784, 128))).toBe(100_480)
    expect(layerParamCount('Linear', linear(128, 10))).toBe(1290)
    expect(layerParamCount('Linear', linear(128, 10, false))).toBe(1280)
  })
})

describe('fixes suggested by the rules', () => {
  const fixOf = <T extends LayerType>(type: T, params: LayerParams[T], input: number[]) => {
    const r = layerOutputShape(type, params, input)
    return r.ok ? undefined : { code: r.error.code, fix: r.error.fix }
  }

  it('sets in_channels to the channels of the input', () => {
    expect(fixOf('Conv2d', { ...layerDefaults.Conv2d, inChannels: 3 }, [64, 1, 28, 28])).toEqual({
      code: 'CONV2D_CHANNEL_MISMATCH',
      fix: { kind: 'setParam', param: 'inChannels', value: 1, label: 'Set in_channels = 1' },
    })
  })

  it('shrinks a kernel that does not fit', () => {
    expect(
      fixOf('Conv2d', { ...layerDefaults.Conv2d, kernelSize: 5, padding: 1 }, [64, 1, 2, 3]),
    ).toEqual({
      code: 'CONV2D_KERNEL_TOO_LARGE',
      fix: { kind: 'setParam', param: 'kernelSize', value: 4, label: 'Set kernel_size = 4' },
    })
    expect(fixOf('MaxPool2d', { kernelSize: 3, stride: null }, [64, 1, 2, 9])).toEqual({
      code: 'MAXPOOL2D_OUTPUT_TOO_SMALL',
      fix: { kind: 'setParam', param: 'kernelSize', value: 2, label: 'Set kernel_size = 2' },
    })
  })

  it('sets num_features and flattens before BatchNorm1d', () => {
    expect(fixOf('BatchNorm1d', layerDefaults.BatchNorm1d, [64, 784])?.fix).toEqual({
      kind: 'setParam',
      param: 'numFeatures',
      value: 784,
      label: 'Set num_features = 784',
    })
    expect(fixOf('BatchNorm1d', layerDefaults.BatchNorm1d, [64, 1, 28, 28])?.fix?.kind).toBe(
      'insertBefore',
    )
    expect(fixOf('BatchNorm1d', layerDefaults.BatchNorm1d, [128])?.fix).toBeUndefined()
  })

  it('points dims back into range', () => {
    expect(fixOf('Softmax', { dim: 2 }, [64, 10])?.fix).toEqual({
      kind: 'setParam',
      param: 'dim',
      value: 1,
      label: 'Set dim = 1',
    })
    expect(fixOf('Flatten', { startDim: 2, endDim: 1 }, [64, 10, 3])).toEqual({
      code: 'FLATTEN_INVALID_DIMS',
      fix: { kind: 'setParam', param: 'endDim', value: -1, label: 'Set end_dim = -1' },
    })
    expect(fixOf('Flatten', { startDim: 1, endDim: -1 }, [10])?.fix).toMatchObject({
      param: 'startDim',
      value: 0,
    })
  })
})

describe('parameter validation', () => {
  it.each([
    ['negative', -1],
    ['zero', 0],
    ['non-integer', 1.5],
    ['NaN', Number.NaN],
    ['absurdly large', 1e9],
    ['a string', '784'],
  ])('rejects in_features that is %s', (_name, value) => {
    const result = layerOutputShape(
      'Linear',
      { ...linear(784, 10), inFeatures: value as number },
      [64, 784],
    )
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe('INVALID_PARAM')
    expect(result.error.message).toBe(
      `Linear: in_features must be an integer from 1 to 100000, but got ${typeof value === 'string' ? '"784"' : value}`,
    )
    expect(result.error.fix).toEqual({
      kind: 'setParam',
      param: 'inFeatures',
      value: 784,
      label: 'Set in_features = 784',
    })
  })

  it("uses PyTorch's wording for a dropout probability", () => {
    const result = layerOutputShape('Dropout', { p: 1.5 }, [64, 10])
    expect(result.ok ? null : result.error.message).toBe(
      'dropout probability has to be between 0 and 1, but got 1.5',
    )
  })

  it('rejects a layer too large to train in a browser', () => {
    const result = layerOutputShape(
      'Conv2d',
      { ...layerDefaults.Conv2d, inChannels: 4096, outChannels: 4096, kernelSize: 256 },
      [1, 4096, 256, 256],
    )
    expect(result.ok ? null : result.error.code).toBe('TOO_MANY_PARAMETERS')
    expect(layerParamCount('Linear', linear(20_000, 20_000))).toBeGreaterThan(MAX_LAYER_PARAMS)
  })

  it('rejects an output too large to hold', () => {
    const result = layerOutputShape('Linear', linear(1, 100_000), [65_536, 1])
    expect(result.ok ? null : result.error.code).toBe('TENSOR_TOO_LARGE')
  })

  it('rejects input shapes that are not shapes', () => {
    for (const input of [[-1, 3], [1.5], [Number.NaN], 'abc', [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
      const result = layerOutputShape('ReLU', {}, input as number[])
      expect(result.ok ? null : result.error.code).toBe('INVALID_INPUT_SHAPE')
    }
  })

  it('rejects unknown layer types without throwing', () => {
    const result = layerOutputShape('Unknown' as LayerType, {} as never, [1])
    expect(result.ok ? null : result.error.code).toBe('UNKNOWN_NODE_TYPE')
  })
})

describe('assertLayerShape', () => {
  it('returns the output shape', () => {
    expect(assertLayerShape('Flatten', layerDefaults.Flatten, [64, 1, 28, 28])).toEqual([64, 784])
  })

  it('throws a ShapeError with the code, values and fix', () => {
    let error: unknown
    try {
      assertLayerShape('Linear', linear(784, 128), [64, 1, 28, 28])
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ShapeError)
    const shapeError = error as ShapeError
    expect(shapeError.code).toBe('LINEAR_SHAPE_MISMATCH')
    expect(shapeError.message).toBe(
      'mat1 and mat2 shapes cannot be multiplied (1792x28 and 784x128): insert Flatten before this node',
    )
    expect(shapeError.fix?.kind).toBe('insertBefore')
    expect(shapeError.values?.mat1).toEqual([1792, 28])
  })
})

describe('shapeRules table', () => {
  it('is the function layerOutputShape dispatches to', () => {
    expect(shapeRules.Flatten([64, 1, 28, 28], layerDefaults.Flatten)).toEqual({
      ok: true,
      shape: [64, 784],
    })
    expect(shapeRules.Linear([64, 784], linear(700, 10))).toEqual(
      layerOutputShape('Linear', linear(700, 10), [64, 784]),
    )
  })
})

describe('layer defaults', () => {
  it('are valid parameters for every layer type', () => {
    for (const type of layerTypes) {
      expect(firstParamIssue(type, layerDefaults[type] as Record<string, unknown>)).toBeNull()
    }
  })
})
