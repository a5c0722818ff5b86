// The fast path's WebGL programs (SwiftShader in headless Chromium) against tfjs and against the
// reference path. Node has no WebGL, so this is where they run in the unit tests.
import { existsSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChromiumBench, chromiumPath } from './chromium'

describe.skipIf(!existsSync(chromiumPath))('fast path on webgl (headless Chromium)', () => {
  let browser: ChromiumBench
  let page: Awaited<ReturnType<ChromiumBench['open']>>['page']

  beforeAll(async () => {
    browser = await ChromiumBench.launch()
    ;({ page } = await browser.open({
      name: 'webgl',
      backend: 'webgl',
      isolated: false,
      threads: null,
    }))
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
  })

  it('trains as the reference path does: per-step losses, weights and Adam state', async () => {
    const { reference, fast, weights, state } = (await page.evaluate('bench.smallParity(4)')) as {
      reference: number[]
      fast: number[]
      weights: number
      state: number
    }
    expect(fast).toHaveLength(4)
    fast.forEach((loss, i) => {
      expect(Math.abs(loss - reference[i]!) / Math.abs(reference[i]!)).toBeLessThan(1e-4)
    })
    // Largest difference relative to the largest magnitude, after pull().
    expect(weights).toBeLessThan(1e-4)
    expect(state).toBeLessThan(1e-3)
  }, 120_000)

  it("computes the matmuls as tfjs' matMul does, for every transpose and odd sizes", async () => {
    const rows = (await page.evaluate('bench.matMulCheck()')) as Array<{
      name: string
      relative: number
    }>
    expect(rows.map((r) => r.name)).toContain('64x785x130 relu')
    for (const row of rows) expect(row.relative, row.name).toBeLessThan(1e-5)
  }, 60_000)
})
