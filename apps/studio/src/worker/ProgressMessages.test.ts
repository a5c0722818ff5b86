import type { EpochRecord, TrainerState } from '@tensorloom/train'
import { describe, expect, it } from 'vitest'
import { ProgressMessages } from './ProgressMessages'

const memory = () => ({ numTensors: 12, numBytes: 3456 })

function epoch(n: number): EpochRecord {
  return {
    epoch: n,
    trainLoss: 0.5,
    trainAccuracy: 0.8,
    testLoss: 0.4,
    testAccuracy: 0.9,
    seconds: 2,
    samplesPerSecond: 100,
  }
}

function state(update: Partial<TrainerState>): TrainerState {
  return {
    status: 'training',
    epoch: 1,
    epochs: 2,
    step: 0,
    stepsPerEpoch: 10,
    globalStep: 0,
    loss: null,
    smoothedLoss: null,
    accuracy: null,
    samplesPerSecond: null,
    etaSeconds: null,
    lossCurve: [],
    batchLosses: [],
    history: [],
    lastEvaluation: null,
    error: null,
    ...update,
  }
}

describe('ProgressMessages', () => {
  it('sends each new stretch of the loss curve once, one point per batch', () => {
    const messages = new ProgressMessages({ totalSteps: 20 }, memory)
    const first = state({
      step: 2,
      globalStep: 2,
      loss: 2.25,
      samplesPerSecond: 64,
      etaSeconds: 9,
      lossCurve: [[2, 2.25]],
      batchLosses: [2.3, 2.2],
    })
    expect(messages.of(first)).toEqual([
      {
        type: 'progress',
        epoch: 1,
        step: 2,
        globalStep: 2,
        totalSteps: 20,
        curve: [
          [1, 2.3],
          [2, 2.2],
        ],
        loss: 2.25,
        samplesPerSec: 64,
        etaSeconds: 9,
      },
    ])
    expect(messages.of({ ...first, status: 'paused' })).toEqual([])
  })

  it("passes the trainer's eta on: none before the throughput is known; NaN before the first loss", () => {
    const messages = new ProgressMessages({ totalSteps: 20 }, memory)
    const [progress] = messages.of(state({ lossCurve: [[0, Number.NaN]] }))
    expect(progress).toMatchObject({ loss: Number.NaN, samplesPerSec: 0, etaSeconds: null })
  })

  it('reports every finished epoch once, with the tensors alive', () => {
    const messages = new ProgressMessages({ totalSteps: 20 }, memory)
    expect(messages.of(state({ epoch: 2, globalStep: 10, history: [epoch(1)] }))).toEqual([
      {
        type: 'evaluated',
        epoch: 1,
        testAccuracy: 0.9,
        testLoss: 0.4,
        trainAccuracy: 0.8,
        memory: { numTensors: 12, numBytes: 3456 },
      },
    ])
    expect(messages.of(state({ epoch: 2, globalStep: 11, history: [epoch(1)] }))).toEqual([])
  })

  it("after a restart, sends the new trainer's curve and only the epochs not sent before", () => {
    const messages = new ProgressMessages({ totalSteps: 20 }, memory)
    messages.of(state({ lossCurve: [[4, 2]], globalStep: 4, history: [epoch(1), epoch(2)] }))
    messages.restart(1)
    const sent = messages.of(
      state({ globalStep: 12, lossCurve: [[12, 1]], history: [epoch(1), epoch(2)] }),
    )
    expect(sent.map((m) => [m.type, m.epoch])).toEqual([
      ['progress', 1],
      ['evaluated', 2],
    ])
  })
})
