import { describe, expect, it } from 'vitest'
import { renderMarkdown, WEBGL_PROFILE_NOTE } from './report'
import type { SuiteResults } from './suite'

function results(profiles: SuiteResults['profiles']): SuiteResults {
  return {
    date: '2026-12-06',
    quick: true,
    machine: {
      cpus: 2,
      cpuModel: 'AMD EPYC',
      memoryGB: 24,
      loadAverage: { start: [0], end: [0] },
      node: 'v20',
      platform: 'linux x64',
    },
    versions: {},
    measurements: [],
    comparisons: [],
    targets: [],
    parity: [],
    accuracy: null,
    profiles,
    inferShapes: null,
    notes: [],
    seconds: 1,
  }
}

const profile = (kernel: string) => ({ kernels: 1, rows: [{ kernel, count: 1, ms: 1 }] })

describe('the report', () => {
  it("warns how far the fast path's WebGL profile can be read", () => {
    const md = renderMarkdown(
      results({ 'chromium webgl tensorloom': profile('TensorloomRowsMatMul') }),
    )
    expect(md).toContain('- chromium webgl tensorloom: 1 kernels; TensorloomRowsMatMul ×1 1.00 ms')
    expect(md).toContain(WEBGL_PROFILE_NOTE)
  })

  it('has no such note without a WebGL profile of the fast path', () => {
    const md = renderMarkdown(results({ 'node wasm tensorloom': profile('_FusedMatMul') }))
    expect(md).not.toContain(WEBGL_PROFILE_NOTE)
  })
})
