// The short CI variant of the long-run leak check (the 20-epoch run is
// `node scripts/reliability/long-run.mjs`): three epochs of the lesson's network on wasm, on a
// slice of real MNIST, with tf.memory().numTensors exactly flat from epoch to epoch and back to
// its starting value once everything is disposed.
import { describe, expect, it } from 'vitest'
import { record } from '../../../scripts/reliability/meta.js'
import { formatSample, leaks, longRun } from './longRun'

describe('reliability: long runs', () => {
  it('3 epochs of the lesson network on wasm (10,000 MNIST images): numTensors exactly flat', async ({
    task,
  }) => {
    const epochs = 3
    const lines: string[] = []
    const result = await longRun({
      epochs,
      backend: 'wasm',
      trainLimit: 10_000,
      testLimit: 2_000,
      onEpoch: (s) => lines.push(formatSample(s, epochs)),
    })
    expect(result.backend).toBe('wasm')
    expect(result.samples).toHaveLength(epochs)
    // RSS is printed, not asserted, here: three short epochs say nothing about a trend.
    const tensorLeaks = leaks(result, Number.POSITIVE_INFINITY)
    expect(tensorLeaks, lines.join('\n')).toEqual([])
    // The network learned, so the run was real.
    expect(result.samples.at(-1)!.trainLoss).toBeLessThan(result.samples[0]!.trainLoss)
    expect(result.samples.at(-1)!.testAccuracy).toBeGreaterThan(0.9)
    const counts = result.samples.map((s) => s.numTensors).join(', ')
    record(
      task,
      epochs,
      `numTensors after each epoch ${counts}; ${result.before} before and ${result.after} after disposing`,
    )
  }, 300_000)
})
