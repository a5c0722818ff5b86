import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectClose, loadFixture, type TensorJson, useCpu, useWasm } from '../test/helpers'
import { Adam, type AdamOptions, AdamW } from './Adam'
import { TrainError } from './errors'
import { disposeStateDict, type Optimizer } from './Optimizer'
import { SGD, type SGDOptions } from './SGD'

interface OptimizerCase {
  optimizer: 'SGD' | 'Adam' | 'AdamW'
  options: Record<string, unknown>
  losses: number[]
  params: Array<[number[], number[]]>
  state: Record<string, Record<string, number | TensorJson>>
}

const fixture = loadFixture<{
  torch: string
  x: TensorJson
  t: TensorJson
  w: TensorJson
  b: TensorJson
  steps: number
  cases: OptimizerCase[]
}>('optimizers.json')

// biome-ignore lint/suspicious/noExplicitAny: test factory over the three option types
function make(kind: string, params: tf.Variable[], options: any): Optimizer<object> {
  if (kind === 'SGD') return new SGD(params, options as SGDOptions)
  if (kind === 'Adam') return new Adam(params, options as AdamOptions)
  return new AdamW(params, options as AdamOptions)
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

beforeAll(useCpu)

function problem() {
  const x = tf.tensor(fixture.x.data, fixture.x.shape)
  const t = tf.tensor(fixture.t.data, fixture.t.shape)
  const w = tf.tidy(() => tf.variable(tf.tensor(fixture.w.data, fixture.w.shape)))
  const b = tf.tidy(() => tf.variable(tf.tensor(fixture.b.data, fixture.b.shape)))
  const loss = () => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, w), b), t))) as tf.Scalar
  return { x, t, w, b, loss, dispose: () => tf.dispose([x, t, w, b]) }
}

describe.each([
  ['cpu', useCpu],
  ['wasm', useWasm],
])('optimizers match PyTorch 1.13 step by step on the %s backend', (_name, use) => {
  beforeAll(use)
  afterAll(useCpu)

  for (const c of fixture.cases) {
    it(`${c.optimizer} ${JSON.stringify(c.options)}`, () => {
      const before = tf.memory().numTensors
      const { w, b, loss, dispose } = problem()
      const optimizer = make(c.optimizer, [w, b], c.options)
      for (let step = 0; step < fixture.steps; step++) {
        optimizer.zeroGrad()
        const value = optimizer.step(loss)
        expectClose([value.dataSync()[0]!], [c.losses[step]!], 1e-5)
        value.dispose()
        expectClose(w.dataSync(), c.params[step]![0], 1e-4, 1e-6)
        expectClose(b.dataSync(), c.params[step]![1], 1e-4, 1e-6)
      }
      const sd = optimizer.stateDict()
      for (const [index, torchState] of Object.entries(c.state)) {
        const ours = sd.state[Number(index)] ?? {}
        expect(Object.keys(ours).sort()).toEqual(Object.keys(torchState).map(camel).sort())
        for (const [key, value] of Object.entries(torchState)) {
          const mine = ours[camel(key)]
          if (typeof value === 'number') expect(mine).toBe(value)
          else expectClose((mine as tf.Tensor).dataSync(), value.data, 1e-4, 1e-7)
        }
      }
      disposeStateDict(sd)
      optimizer.dispose()
      dispose()
      expect(tf.memory().numTensors).toBe(before)
    })
  }
})

describe('optimizer API', () => {
  it('has PyTorch defaults and prints like PyTorch', () => {
    const { w, dispose } = problem()
    const adam = new Adam([w])
    expect(adam.defaults).toEqual({
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
    })
    expect(new AdamW([w]).defaults.weightDecay).toBe(0.01)
    const sgd = new SGD([w], { lr: 0.01, momentum: 0.9 })
    expect(sgd.defaults).toEqual({
      lr: 0.01,
      momentum: 0.9,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
      maximize: false,
    })
    expect(String(adam)).toBe(
      [
        'Adam (',
        'Parameter Group 0',
        '    amsgrad: False',
        '    betas: (0.9, 0.999)',
        '    eps: 1e-8',
        '    lr: 0.001',
        '    maximize: False',
        '    weight_decay: 0',
        ')',
      ].join('\n'),
    )
    dispose()
  })

  it('validates options with PyTorch wording', () => {
    const { w, dispose } = problem()
    const cases: Array<[() => unknown, string]> = [
      [() => new SGD([w], { lr: -1 }), 'Invalid learning rate: -1'],
      [() => new SGD([w], {} as SGDOptions), 'required option lr'],
      [() => new SGD([w], { lr: 0.1, momentum: -0.5 }), 'Invalid momentum value: -0.5'],
      [
        () => new SGD([w], { lr: 0.1, nesterov: true }),
        'Nesterov momentum requires a momentum and zero dampening',
      ],
      [() => new Adam([w], { betas: [1, 0.999] }), 'Invalid beta parameter at index 0: 1'],
      [() => new Adam([w], { eps: -1 }), 'Invalid epsilon value: -1'],
      [() => new AdamW([w], { weightDecay: -0.1 }), 'Invalid weight_decay value: -0.1'],
      [() => new Adam([]), 'empty parameter list'],
      [() => new Adam([w, w]), 'more than one parameter group'],
    ]
    for (const [fn, message] of cases) {
      let error: unknown
      try {
        fn()
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(TrainError)
      expect((error as TrainError).code).toBe('INVALID_OPTION')
      expect((error as TrainError).message).toContain(message)
    }
    dispose()
  })

  it('supports parameter groups with their own options', () => {
    const { w, b, loss, dispose } = problem()
    const optimizer = new SGD([{ params: [w] }, { params: [b], lr: 0 }], { lr: 0.1 })
    const b0 = b.dataSync().slice()
    const w0 = w.dataSync().slice()
    optimizer.step(loss).dispose()
    expect(Array.from(b.dataSync())).toEqual(Array.from(b0))
    expect(Array.from(w.dataSync())).not.toEqual(Array.from(w0))
    expect(optimizer.paramGroups.map((g) => g.lr)).toEqual([0.1, 0])
    optimizer.dispose()
    dispose()
  })

  it('skips parameters the loss does not depend on, like PyTorch', () => {
    const { w, b, dispose } = problem()
    const optimizer = new Adam([w, b], { lr: 0.1 })
    const b0 = b.dataSync().slice()
    optimizer.step(() => tf.sum(tf.square(w)) as tf.Scalar).dispose()
    expect(Array.from(b.dataSync())).toEqual(Array.from(b0))
    expect(Object.keys(optimizer.stateDict().state)).toEqual(['0'])
    optimizer.dispose()
    dispose()
  })

  it('explains a non-scalar loss and a loss unrelated to the parameters', () => {
    const { w, dispose } = problem()
    const optimizer = new SGD([w], { lr: 0.1 })
    expect(() => optimizer.step(() => tf.square(w))).toThrow(
      /must return a scalar loss tensor, got \[3, 4\]/,
    )
    let error: unknown
    try {
      optimizer.step(() => tf.scalar(1))
    } catch (e) {
      error = e
    }
    expect((error as TrainError).code).toBe('NO_GRADIENTS')
    optimizer.dispose()
    expect(() => optimizer.step(() => tf.sum(w) as tf.Scalar)).toThrow(/has been disposed/)
    dispose()
  })

  it('applyGradients takes a Map or tfjs named gradients', () => {
    const { w, dispose } = problem()
    const optimizer = new SGD([w], { lr: 0.5 })
    const w0 = w.dataSync().slice()
    const g = tf.onesLike(w)
    optimizer.applyGradients(new Map([[w, g]]))
    optimizer.applyGradients({ [w.name]: g })
    expectClose(
      w.dataSync(),
      Array.from(w0, (v) => v - 1),
      1e-6,
    )
    g.dispose()
    optimizer.dispose()
    dispose()
  })

  it('stateDict/loadStateDict resume to exactly the same trajectory', () => {
    for (const kind of ['SGD', 'Adam', 'AdamW'] as const) {
      const options =
        kind === 'SGD' ? { lr: 0.05, momentum: 0.9, nesterov: true } : { lr: 0.01, amsgrad: true }
      const a = problem()
      const optA = make(kind, [a.w, a.b], options)
      for (let i = 0; i < 6; i++) optA.step(a.loss).dispose()

      const b = problem()
      const optB = make(kind, [b.w, b.b], options)
      for (let i = 0; i < 3; i++) optB.step(b.loss).dispose()
      const saved = optB.stateDict()
      const weights = [b.w.dataSync().slice(), b.b.dataSync().slice()]
      optB.dispose()
      b.dispose()

      const c = problem()
      tf.tidy(() => {
        c.w.assign(tf.tensor(weights[0]!, c.w.shape))
        c.b.assign(tf.tensor(weights[1]!, c.b.shape))
      })
      const optC = make(kind, [c.w, c.b], { lr: 123 })
      optC.loadStateDict(saved)
      disposeStateDict(saved)
      expect(optC.paramGroups[0]).toMatchObject(options)
      for (let i = 0; i < 3; i++) optC.step(c.loss).dispose()
      expect(Array.from(c.w.dataSync())).toEqual(Array.from(a.w.dataSync()))
      expect(Array.from(c.b.dataSync())).toEqual(Array.from(a.b.dataSync()))
      optA.dispose()
      optC.dispose()
      a.dispose()
      c.dispose()
    }
  })

  it('loadStateDict rejects state of another model', () => {
    const { w, b, loss, dispose } = problem()
    const optimizer = new Adam([w, b])
    optimizer.step(loss).dispose()
    const saved = optimizer.stateDict()
    const other = new Adam([b])
    expect(() => other.loadStateDict(saved)).toThrow(/doesn't match the size of optimizer's group/)
    const swapped = new Adam([b, w])
    expect(() => swapped.loadStateDict(saved)).toThrow(
      /state of parameter 0 has shape \[3, 4\], but the parameter has shape \[4\]/,
    )
    expect(() => other.loadStateDict({ ...saved, paramGroups: [] })).toThrow(
      /different number of parameter groups/,
    )
    disposeStateDict(saved)
    for (const o of [optimizer, other, swapped]) o.dispose()
    dispose()
  })

  it('cleans up when the closure throws, and keeps working', () => {
    const { w, loss, dispose } = problem()
    const optimizer = new Adam([w])
    optimizer.step(loss).dispose()
    const before = tf.memory().numTensors
    const w0 = w.dataSync().slice()
    expect(() =>
      optimizer.step(() => {
        tf.square(w)
        throw new Error('data went missing')
      }),
    ).toThrow('data went missing')
    expect(tf.memory().numTensors).toBe(before)
    expect(Array.from(w.dataSync())).toEqual(Array.from(w0))
    optimizer.step(loss).dispose()
    expect(Array.from(w.dataSync())).not.toEqual(Array.from(w0))
    optimizer.dispose()
    dispose()
  })

  it('does not leak tensors across steps', () => {
    const { w, b, loss, dispose } = problem()
    for (const optimizer of [
      new SGD([w, b], { lr: 0.01, momentum: 0.9, weightDecay: 0.1, dampening: 0.1 }),
      new Adam([w, b], { amsgrad: true, weightDecay: 0.1 }),
      new AdamW([w, b], { amsgrad: true }),
    ]) {
      // The first steps create the state and the cached scalar constants.
      optimizer.step(loss).dispose()
      optimizer.step(loss).dispose()
      const after1 = tf.memory().numTensors
      for (let i = 0; i < 5; i++) optimizer.step(loss).dispose()
      expect(tf.memory().numTensors).toBe(after1)
      optimizer.dispose()
    }
    dispose()
  })
})
