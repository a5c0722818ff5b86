import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import { beforeAll, describe, expect, it } from 'vitest'
import { mrtAvailable } from './webglDraw'
import { webglSeparateState } from './webglKernels'
import { texelsAvailable } from './webglRows'

// The WebGL programs themselves run in headless Chromium (bench/src/browser/webgl.test.ts); here,
// that nothing WebGL-specific is used where there is no WebGL.
describe('multi-target WebGL programs outside WebGL', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu')
  })

  it('are unavailable on a backend without a WebGL2 context', () => {
    expect(mrtAvailable(tf.backend(), { rows: 2, cols: 4 })).toBe(false)
    expect(mrtAvailable({ gpgpu: { gl: {} } }, { rows: 1, cols: 1 })).toBe(false)
  })

  it('leave the optimizer state stacked (the engine decides per backend)', () => {
    expect(webglSeparateState([[786, 130]])).toBe(false)
  })

  it('keep the training set in its usual layout (the texel layout is for WebGL only)', () => {
    expect(texelsAvailable([[786, 130]])).toBe(false)
  })
})
