// Forward outputs, input gradients, parameter gradients and running statistics of every layer type
// against PyTorch 1.13 (fixtures from scripts/parity/layers_fixtures.py).
import * as tf from '@tensorflow/tfjs-core'
import { type LayerParams, type LayerType, layerTypes } from '@tensorloom/graph'
import { describe, expect, it } from 'vitest'
import { expectClose, type FixtureTensor, fromFixture, liveTensors } from '../test/helpers'
import { BatchNorm1d } from './BatchNorm1d'
import { BatchNorm2d } from './BatchNorm2d'
import { createLayer } from './createLayer'
import forward from './fixtures/forward.json'
import type { Layer } from './Layer'
import { LayerNorm } from './LayerNorm'

interface Step {
  input: FixtureTensor
  upstream: FixtureTensor
  output: FixtureTensor
  inputGrad: FixtureTensor
  paramGrads: Record<string, FixtureTensor>
  stateAfter: Record<string, FixtureTensor>
}

interface Case {
  name: string
  spec: { type: string; params?: Record<string, unknown> }
  train: boolean
  repr: string
  state: Record<string, FixtureTensor>
  steps: Step[]
}

function build(spec: Case['spec']): Layer {
  const params = spec.params ?? {}
  const batchNorm = { BatchNorm1d, BatchNorm2d }[spec.type as 'BatchNorm1d' | 'BatchNorm2d']
  if (batchNorm) {
    // Options the graph does not have: momentum None, no affine, no running stats.
    return new batchNorm(params.numFeatures as number, {
      eps: params.eps as number,
      momentum: params.momentum as number | null,
      ...('affine' in params ? { affine: params.affine as boolean } : {}),
      ...('trackRunningStats' in params
        ? { trackRunningStats: params.trackRunningStats as boolean }
        : {}),
    })
  }
  if (spec.type === 'LayerNorm' && 'elementwiseAffine' in params) {
    return new LayerNorm(params.normalizedShape as number[], {
      eps: params.eps as number,
      elementwiseAffine: params.elementwiseAffine as boolean,
    })
  }
  return createLayer(spec.type as LayerType, params as LayerParams[LayerType])
}

const cases = (forward as { cases: Case[] }).cases

describe('every layer type against PyTorch 1.13', () => {
  it('covers every graph layer type', () => {
    expect(new Set(cases.map((c) => c.spec.type))).toEqual(new Set(layerTypes))
  })

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, fx) => {
    const layer = build(fx.spec)
    expect(layer.toString()).toBe(fx.repr)
    const state: Record<string, tf.Tensor> = {}
    for (const [k, v] of Object.entries(fx.state)) state[k] = fromFixture(v)
    layer.loadStateDict(state)
    tf.dispose(Object.values(state))
    layer.train(fx.train)

    const before = liveTensors()
    for (const [i, step] of fx.steps.entries()) {
      const input = fromFixture(step.input)
      const x = tf.variable(input)
      input.dispose()
      const g = fromFixture(step.upstream)
      const params = layer.parameters()
      let output: tf.Tensor | undefined
      const { grads, value } = tf.variableGrads(() => {
        output = tf.keep(layer.call(x))
        return tf.sum(tf.mul(output, g)) as tf.Scalar
      }, [x, ...params])
      expectClose(output!, step.output, `step ${i} output`)
      expect(layer.outputShape(step.input.shape)).toEqual(step.output.shape)
      expectClose(grads[x.name]!, step.inputGrad, `step ${i} input grad`)
      for (const [name, p] of layer.namedParameters()) {
        expectClose(grads[p.name]!, step.paramGrads[name]!, `step ${i} grad of ${name}`)
      }
      for (const [k, v] of Object.entries(layer.stateDict())) {
        expectClose(v, step.stateAfter[k]!, `step ${i} ${k}`)
      }
      tf.dispose([x, g, value, output!, ...Object.values(grads)])
    }
    expect(liveTensors()).toBe(before)
    layer.dispose()
  })
})
