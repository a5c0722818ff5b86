import { describe, expect, it } from 'vitest'
import { readLaunchOptions } from './launchOptions'

describe('readLaunchOptions', () => {
  it('reads a positive whole maxSteps and a known backend', () => {
    expect(readLaunchOptions('?maxSteps=200&backend=webgl')).toEqual({
      maxSteps: 200,
      backend: 'webgl',
    })
  })

  it('ignores values it cannot use', () => {
    expect(readLaunchOptions('?maxSteps=-3&backend=webgpu')).toEqual({
      maxSteps: null,
      backend: null,
    })
    expect(readLaunchOptions('?maxSteps=2.5')).toEqual({ maxSteps: null, backend: null })
    expect(readLaunchOptions('')).toEqual({ maxSteps: null, backend: null })
  })
})
