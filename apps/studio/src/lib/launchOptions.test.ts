import { describe, expect, it } from 'vitest'
import { readLaunchOptions } from './launchOptions'

describe('readLaunchOptions', () => {
  it('reads a positive whole maxSteps and a known backend', () => {
    expect(readLaunchOptions('?maxSteps=200&backend=webgl')).toEqual({
      maxSteps: 200,
      backend: 'webgl',
      loseWebGLContextAt: null,
    })
  })

  it('reads the context-loss test hook as a positive whole batch count', () => {
    expect(readLaunchOptions('?loseWebGLContextAt=300').loseWebGLContextAt).toBe(300)
    for (const bad of ['0', '-5', '2.5', 'soon', '']) {
      expect(readLaunchOptions(`?loseWebGLContextAt=${bad}`).loseWebGLContextAt).toBeNull()
    }
  })

  it('ignores values it cannot use', () => {
    const none = { maxSteps: null, backend: null, loseWebGLContextAt: null }
    expect(readLaunchOptions('?maxSteps=-3&backend=webgpu')).toEqual(none)
    expect(readLaunchOptions('?maxSteps=2.5')).toEqual(none)
    expect(readLaunchOptions('')).toEqual(none)
  })
})
