import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-backend-wasm'
import { afterAll, describe, expect, it } from 'vitest'
import { TrainError } from './errors'
import { selectBackend } from './selectBackend'

afterAll(async () => {
  for (const name of ['broken', 'rejects']) if (tf.findBackendFactory(name)) tf.removeBackend(name)
  await tf.setBackend('cpu')
})

describe('selectBackend', () => {
  it('falls back from an unregistered webgl to wasm and says why', async () => {
    const result = await selectBackend()
    expect(result.backend).toBe('wasm')
    expect(tf.getBackend()).toBe('wasm')
    expect(result.tried).toEqual([
      {
        name: 'webgl',
        ok: false,
        error: "not registered (import '@tensorflow/tfjs-backend-webgl' first)",
      },
      { name: 'wasm', ok: true, error: null },
    ])
    expect(result.reason).toBe(
      "fell back to 'wasm': webgl not registered (import '@tensorflow/tfjs-backend-webgl' first)",
    )
  })

  it('tries the preferred backend first', async () => {
    const result = await selectBackend('cpu')
    expect(result).toEqual({
      backend: 'cpu',
      reason: "using 'cpu', as preferred",
      tried: [{ name: 'cpu', ok: true, error: null }],
    })
  })

  it('reports backends whose factory throws or rejects, and moves on', async () => {
    tf.registerBackend('broken', () => {
      throw new Error('no GPU here')
    })
    tf.registerBackend('rejects', () => Promise.reject(new Error('wasm fetch failed')))
    const result = await selectBackend(['broken', 'rejects'], ['cpu'])
    expect(result.backend).toBe('cpu')
    expect(result.tried.map((t) => [t.name, t.ok])).toEqual([
      ['broken', false],
      ['rejects', false],
      ['cpu', true],
    ])
    expect(result.tried[0]!.error).toBe('failed to initialise: Error: no GPU here')
    expect(result.tried[1]!.error).toBe('failed to initialise: Error: wasm fetch failed')
    expect(result.reason).toBe(
      "fell back to 'cpu': broken failed to initialise: Error: no GPU here; rejects failed to initialise: Error: wasm fetch failed",
    )
  })

  it('throws BACKEND_UNAVAILABLE with every attempt when nothing works', async () => {
    let error: unknown
    try {
      await selectBackend(undefined, ['webgpu', 'nope'])
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(TrainError)
    expect((error as TrainError).code).toBe('BACKEND_UNAVAILABLE')
    expect((error as TrainError).message).toContain(
      "webgpu not registered (import '@tensorflow/tfjs-backend-webgpu' first); nope not registered",
    )
  })
})
