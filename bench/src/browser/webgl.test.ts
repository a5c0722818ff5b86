// The fast path's WebGL programs (SwiftShader in headless Chromium) against tfjs and against the
// reference path. Node has no WebGL, so this is where they run in the unit tests.
import { existsSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChromiumBench, chromiumPath } from './chromium'
import type { SmallParity, SmallParityOptions } from './webglChecks'

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

  const parity = (steps: number, options: SmallParityOptions = {}) =>
    page.evaluate(
      ([s, o]) =>
        (
          globalThis as unknown as {
            bench: { smallParity(s: number, o: SmallParityOptions): Promise<SmallParity> }
          }
        ).bench.smallParity(s, o),
      [steps, options] as const,
    )

  const expectParity = (result: SmallParity, steps: number) => {
    expect(result.kernels).toBe('webgl')
    expect(result.fast).toHaveLength(steps)
    result.fast.forEach((loss, i) => {
      const reference = result.reference[i]!
      expect(Math.abs(loss - reference) / Math.abs(reference)).toBeLessThan(1e-4)
    })
    // Largest difference relative to the largest magnitude, after pull().
    expect(result.weights).toBeLessThan(1e-4)
    expect(result.state).toBeLessThan(1e-3)
  }

  it('trains as the reference path does: per-step losses, weights and Adam state', async () => {
    expectParity(await parity(4), 4)
  }, 120_000)

  it('reads odd batches and their labels from textures when uniforms cannot hold them', async () => {
    // 63 rows: a padding row reads the zero sample; 4 uniform vectors: coordinates and labels
    // travel in textures.
    expectParity(await parity(3, { batchSize: 63, uniformVectors: 4 }), 3)
  }, 120_000)

  it('loops over the sample pairs of batches too large to unroll', async () => {
    // SGD: Adam's normalised step would magnify the summation-order differences of gradients
    // near zero, which grow with the batch, past the weights' tolerance.
    expectParity(await parity(2, { batchSize: 300, optimizer: 'sgd-momentum-dampening' }), 2)
  }, 120_000)

  it('trains deeper networks of other widths as the reference path does', async () => {
    // 34 units: 17 texel columns in tiles of 4 and a filled-in constant column; three layers.
    expectParity(await parity(3, { hidden: [34, 20] }), 3)
  }, 120_000)

  it.each([
    'adam-l2-maximize',
    'adamw-amsgrad',
    'sgd',
    'sgd-momentum-dampening',
    'sgd-nesterov-l2',
  ])(
    'updates as the reference path does with %s',
    async (optimizer) => {
      expectParity(await parity(3, { optimizer }), 3)
    },
    120_000,
  )

  it("computes the matmuls as tfjs' matMul does, for every transpose and odd sizes", async () => {
    const rows = (await page.evaluate('bench.matMulCheck()')) as Array<{
      name: string
      relative: number
    }>
    expect(rows.map((r) => r.name)).toEqual(
      expect.arrayContaining(['64x785x130 relu', '64x10x130 Bᵀ mask']),
    )
    for (const row of rows) expect(row.relative, row.name).toBeLessThan(1e-5)
  }, 60_000)
})
