import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-backend-wasm'
import { afterAll, describe, expect, it } from 'vitest'
import { TrainError } from './errors'
import { selectBackend } from './selectBackend'
import { bundledWasmPaths, wasmPathsFor } from './wasmPaths'

afterAll(async () => {
  for (const name of ['broken', 'rejects', 'slow'])
    if (tf.findBackendFactory(name)) tf.removeBackend(name)
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

  it('runs calls made at once one after another (React StrictMode calls it twice)', async () => {
    // Two overlapping tf.setBackend('webgl') calls used to fail with
    // "webglBackend.shouldExecuteOnCPU is not a function": no two initialisations may overlap.
    let active = 0
    let overlapped = false
    tf.registerBackend('slow', async () => {
      active++
      if (active > 1) overlapped = true
      await new Promise((resolve) => setTimeout(resolve, 20))
      active--
      throw new Error('slow backend gave up')
    })
    const results = await Promise.all([
      selectBackend(['slow'], ['cpu']),
      selectBackend(['slow'], ['cpu']),
      selectBackend('wasm', ['cpu']),
    ])
    expect(overlapped).toBe(false)
    expect(results.map((r) => r.backend)).toEqual(['cpu', 'cpu', 'wasm'])
    expect(tf.getBackend()).toBe('wasm')
  })

  it('a call after one that threw still runs', async () => {
    await expect(selectBackend(undefined, ['nope'])).rejects.toBeInstanceOf(TrainError)
    expect((await selectBackend('cpu')).backend).toBe('cpu')
  })
})

describe('wasm paths', () => {
  it("in Node, 'auto' leaves the wasm backend to read its own files", () => {
    expect(wasmPathsFor('auto')).toBeNull()
    expect(wasmPathsFor(false)).toBeNull()
  })

  it('passes a prefix or a file map through to setWasmPaths', () => {
    expect(wasmPathsFor('/static/tfjs/')).toBe('/static/tfjs/')
    const map = { 'tfjs-backend-wasm.wasm': '/a.wasm' }
    expect(wasmPathsFor(map)).toEqual(map)
    expect(wasmPathsFor(map)).not.toBe(map)
  })

  it("names the three .wasm files of the installed backend, as bundlers' new URL(…) assets", () => {
    const paths = bundledWasmPaths()
    expect(Object.keys(paths).sort()).toEqual([
      'tfjs-backend-wasm-simd.wasm',
      'tfjs-backend-wasm-threaded-simd.wasm',
      'tfjs-backend-wasm.wasm',
    ])
    for (const [name, url] of Object.entries(paths)) {
      expect(url.endsWith(`/@tensorflow/tfjs-backend-wasm/dist/${name}`)).toBe(true)
    }
  })

  it("under Vite's dev server (pre-bundled into node_modules/.vite/deps/), serves them from node_modules", () => {
    const paths = bundledWasmPaths(
      'http://localhost:5173/app/node_modules/.vite/deps/@tensorloom_train.js?v=1a2b3c',
    )
    expect(paths['tfjs-backend-wasm-simd.wasm']).toBe(
      'http://localhost:5173/app/node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
    )
    expect(Object.keys(paths)).toHaveLength(3)
  })
})
