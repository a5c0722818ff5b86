import { describe, expect, it } from 'vitest'
import { configureWasmThreads, wasmThreadCount } from './wasmThreads'

describe('wasm threads', () => {
  it('asks for one thread per logical core, at least 2 and at most 4', () => {
    expect([0, 1, 2, 3, 4, 8, 64].map(wasmThreadCount)).toEqual([2, 2, 2, 3, 4, 4, 4])
  })

  it('reports enough cores for tfjs, which allows hardwareConcurrency / 2 threads', () => {
    const twoCores = { hardwareConcurrency: 2 }
    configureWasmThreads(2, twoCores)
    expect(twoCores.hardwareConcurrency).toBe(4)
    const manyCores = { hardwareConcurrency: 16 }
    configureWasmThreads(4, manyCores)
    expect(manyCores.hardwareConcurrency).toBe(16)
  })
})
