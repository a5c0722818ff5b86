import * as tf from '@tensorflow/tfjs-core'
import { Linear } from '@tensorloom/layers'
import { beforeAll, describe, expect, it } from 'vitest'
import { useCpu } from '../test/helpers'
import type { TrainError } from './errors'
import { NonFiniteGuard } from './NonFiniteGuard'
import { SGD } from './SGD'

beforeAll(useCpu)

function setup(enabled = true) {
  const model = new Linear(2, 1, { bias: false })
  const optimizer = new SGD(model.parameters(), { lr: 0.5 })
  const guard = new NonFiniteGuard(model, optimizer, enabled)
  const setWeight = (v: number) => tf.tidy(() => model.weight.assign(tf.fill([1, 2], v)))
  const weight = () => model.weight.dataSync()[0]
  const failAt = (firstOfWindow: boolean) => {
    let restored = 0
    try {
      guard.fail({ epoch: 1, step: 3, globalStep: 3 }, Number.NaN, firstOfWindow, () => restored++)
    } catch (error) {
      return { error: error as TrainError, restored }
    }
    throw new Error('fail() returned')
  }
  const dispose = () => {
    guard.drop()
    optimizer.dispose()
    model.dispose()
  }
  return { guard, setWeight, weight, failAt, dispose }
}

describe('NonFiniteGuard', () => {
  it('restores the weights before the window, or before the one before when its first loss is bad', () => {
    const { guard, setWeight, weight, failAt, dispose } = setup()
    setWeight(1)
    guard.arm() // before window 1: 1
    setWeight(2)
    guard.passed() // window 1 finite: 1 verified; before window 2: 2
    setWeight(3)
    const inside = failAt(false)
    expect(inside.error).toMatchObject({ code: 'NON_FINITE_LOSS', values: { step: 3, lr: 0.5 } })
    expect(inside.restored).toBe(1)
    expect(weight()).toBe(2)
    setWeight(3)
    failAt(true)
    expect(weight()).toBe(1)
    dispose()
  })

  it('finds the first non-finite loss of a window; off, it checks and copies nothing', () => {
    const on = setup()
    expect(on.guard.firstBad(Float32Array.of(1, 2, Number.POSITIVE_INFINITY, Number.NaN), 4)).toBe(
      2,
    )
    expect(on.guard.firstBad(Float32Array.of(1, 2, Number.NaN), 2)).toBe(-1)
    on.dispose()
    const off = setup(false)
    const before = tf.memory().numTensors
    off.guard.arm()
    off.guard.passed()
    expect(tf.memory().numTensors).toBe(before)
    expect(off.guard.firstBad(Float32Array.of(Number.NaN), 1)).toBe(-1)
    expect(off.failAt(false).restored).toBe(0)
    off.dispose()
  })

  it('frees its copies when dropped', () => {
    const { guard, setWeight, dispose } = setup()
    const before = tf.memory().numTensors
    guard.arm()
    setWeight(2)
    guard.passed()
    expect(tf.memory().numTensors).toBeGreaterThan(before)
    guard.drop()
    expect(tf.memory().numTensors).toBe(before)
    dispose()
  })
})
