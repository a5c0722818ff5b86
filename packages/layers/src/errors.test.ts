import { describe, expect, it } from 'vitest'
import { LayersError, layersError, layersMessages } from './errors'

describe('layersError', () => {
  it('builds code, message, hint and values from one entry of layersMessages', () => {
    const error = layersError('INT_ARGUMENT', {
      owner: 'Linear',
      name: 'inFeatures',
      value: 0,
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
    })
    expect(error).toBeInstanceOf(LayersError)
    expect([error.name, error.code, error.message, error.hint, error.values]).toEqual([
      'LayersError',
      'INVALID_ARGUMENT',
      'Linear: inFeatures must be an integer >= 1, got 0',
      'Pass an integer >= 1 as inFeatures.',
      { inFeatures: 0 },
    ])
  })

  it('exposes every value the message was built from unless the entry picks', () => {
    expect(layersError('SEQUENTIAL_INDEX', { index: 5, length: 2 }).values).toEqual({
      index: 5,
      length: 2,
    })
    expect(layersError('SAFETENSORS_INVALID', { reason: 'x' }).values).toEqual({})
  })

  it('keeps the public codes: several messages share one', () => {
    const codes = new Set(Object.values(layersMessages).map((m) => m.code))
    expect([...codes].sort()).toEqual([
      'GRAPH_NOT_BUILDABLE',
      'INVALID_ARGUMENT',
      'INVALID_MODULE_NAME',
      'SAFETENSORS_INVALID',
      'SAFETENSORS_UNSUPPORTED_DTYPE',
      'STATE_DICT_MISMATCH',
    ])
  })
})
