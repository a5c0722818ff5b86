import { describe, expect, it } from 'vitest'
import { Progress, type RunPoint } from './Progress'

const steps = (...samples: number[]) => samples.map((s) => ({ samples: s }))

/** 2 epochs of 10 steps, no evaluation; override what a case needs. */
const point = (at: Partial<RunPoint>): RunPoint => ({
  epoch: 1,
  step: 0,
  globalStep: (at.epoch ?? 1) * 10 - 10 + (at.step ?? 0),
  epochs: 2,
  stepsPerEpoch: 10,
  stopAt: null,
  evaluates: false,
  evaluationSeconds: 0,
  ...at,
})

describe('Progress', () => {
  it('sums a read-back window: loss per sample, accuracy, smoothed loss, throughput', () => {
    const progress = new Progress()
    // Losses 2 and 1, then correct counts 3 and 4, for batches of 4 samples.
    const update = progress.add(steps(4, 4), Float32Array.of(2, 1, 3, 4), 2, 0.5)
    expect(update).toEqual({
      loss: 1.5,
      smoothedLoss: expect.closeTo((0.98 * 0.02 * 2 + 0.02 * 1) / (1 - 0.98 ** 2), 10),
      accuracy: 7 / 8,
      samplesPerSecond: 16,
      batchLosses: [2, 1],
    })
  })

  it('reports no accuracy once a window comes back without correct counts', () => {
    const progress = new Progress()
    expect(progress.add(steps(2), Float32Array.of(0.5), 1, 1).accuracy).toBeNull()
    expect(progress.endEpoch(1, null)).toEqual({
      epoch: 1,
      trainLoss: 0.5,
      trainAccuracy: null,
      testLoss: null,
      testAccuracy: null,
      seconds: 1,
      samplesPerSecond: 2,
    })
  })

  it('counts only the first `count` steps of a window (training stopped within it)', () => {
    const progress = new Progress()
    const update = progress.add(steps(1, 1, 1), Float32Array.of(1, 3, Number.NaN, 1, 0, 0), 2, 1)
    expect(update).toMatchObject({ loss: 2, accuracy: 0.5, batchLosses: [1, 3] })
  })

  it('estimates the time left from the seconds per step and the evaluations still to run', () => {
    const progress = new Progress()
    expect(progress.eta(point({}))).toBeNull()
    progress.add(steps(1, 1, 1, 1), Float32Array.of(1, 1, 1, 1), 4, 2) // 0.5 s per step
    expect(progress.eta(point({ step: 4 }))).toBe(16 * 0.5)
    expect(progress.eta(point({ step: 4, evaluates: true, evaluationSeconds: 3 }))).toBe(8 + 2 * 3)
    expect(progress.eta(point({ epoch: 2, step: 10 }))).toBe(0)
  })

  it('counts down to maxSteps when it stops the run first, with the evaluations before it', () => {
    const progress = new Progress()
    progress.add(steps(1, 1, 1, 1), Float32Array.of(1, 1, 1, 1), 4, 2) // 0.5 s per step
    const evaluating = { evaluates: true, evaluationSeconds: 3 }
    // 3 steps left; epoch 1 ends after 6: no evaluation before the stop.
    expect(progress.eta(point({ step: 4, stopAt: 7, ...evaluating }))).toBe(1.5)
    // Epoch 1 ends on the way to step 13 and is evaluated; epoch 2's end is not reached.
    expect(progress.eta(point({ step: 4, stopAt: 13, ...evaluating }))).toBe(4.5 + 3)
    // A stop exactly at an epoch's end comes after its evaluation.
    expect(progress.eta(point({ step: 4, stopAt: 10, ...evaluating }))).toBe(3 + 3)
    expect(progress.eta(point({ epoch: 2, step: 3, stopAt: 13, ...evaluating }))).toBe(0)
    // A limit beyond the last epoch changes nothing.
    expect(progress.eta(point({ step: 4, stopAt: 1000, ...evaluating }))).toBe(8 + 2 * 3)
    // Without a test loader no evaluation runs, whatever the last one cost.
    expect(progress.eta(point({ step: 4, evaluationSeconds: 3 }))).toBe(8)
  })

  it('closes an epoch and carries its partial sums through a checkpoint', () => {
    const progress = new Progress()
    progress.add(steps(2, 2), Float32Array.of(1, 2, 1, 2), 2, 1)
    const saved = progress.save()
    expect(saved).toEqual({
      lossSum: 6,
      correct: 3,
      samples: 4,
      seconds: 1,
      smoothedLoss: expect.closeTo(0.98 * 0.02 + 0.04, 10),
      smoothingSteps: 2,
    })
    const resumed = new Progress()
    resumed.load(saved)
    expect(resumed.smoothedLoss).toBe(progress.smoothedLoss)
    expect(resumed.accuracy).toBe(0.75)
    const record = resumed.endEpoch(3, null)
    expect(record).toMatchObject({ epoch: 3, trainLoss: 1.5, trainAccuracy: 0.75 })
    expect(resumed.save()).toMatchObject({ lossSum: 0, correct: 0, samples: 0, seconds: 0 })
    expect(resumed.accuracy).toBeNull()
  })
})
