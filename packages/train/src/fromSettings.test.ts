import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { useCpu } from '../test/helpers'
import { Adam, AdamW } from './Adam'
import { CrossEntropyLoss } from './CrossEntropyLoss'
import { createCriterion, createOptimizer } from './fromSettings'
import { MSELoss } from './MSELoss'
import { NLLLoss } from './NLLLoss'
import { SGD } from './SGD'

beforeAll(useCpu)

describe('createCriterion / createOptimizer from graph settings', () => {
  it('builds each loss with its parameters', () => {
    const ce = createCriterion({ type: 'CrossEntropyLoss', labelSmoothing: 0.1, reduction: 'sum' })
    expect(ce).toBeInstanceOf(CrossEntropyLoss)
    expect([(ce as CrossEntropyLoss).labelSmoothing, ce.reduction]).toEqual([0.1, 'sum'])
    expect(createCriterion({ type: 'NLLLoss', reduction: 'none' })).toBeInstanceOf(NLLLoss)
    expect(createCriterion({ type: 'MSELoss' })).toBeInstanceOf(MSELoss)
    expect(() => createCriterion({ type: 'HingeLoss' as 'MSELoss' })).toThrow(
      /Unknown loss type HingeLoss/,
    )
  })

  it('builds each optimizer with lr (and momentum for SGD)', () => {
    const w = tf.tidy(() => tf.variable(tf.zeros([2])))
    const sgd = createOptimizer({ optimizer: 'SGD', lr: 0.01, momentum: 0.9 }, [w])
    expect(sgd).toBeInstanceOf(SGD)
    expect(sgd.paramGroups[0]).toMatchObject({ lr: 0.01, momentum: 0.9 })
    const adam = createOptimizer({ optimizer: 'Adam', lr: 0.002, momentum: 0.9 }, [w])
    expect(adam).toBeInstanceOf(Adam)
    expect(adam.paramGroups[0]).toMatchObject({ lr: 0.002, weightDecay: 0 })
    const adamw = createOptimizer({ optimizer: 'AdamW', lr: 0.001, momentum: 0 }, [w])
    expect(adamw).toBeInstanceOf(AdamW)
    expect(adamw.paramGroups[0]).toMatchObject({ weightDecay: 0.01 })
    expect(() =>
      createOptimizer({ optimizer: 'RMSprop' as 'SGD', lr: 1, momentum: 0 }, [w]),
    ).toThrow(/Unknown optimizer RMSprop/)
    for (const o of [sgd, adam, adamw]) o.dispose()
    w.dispose()
  })
})
