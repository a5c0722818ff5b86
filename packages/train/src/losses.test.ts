import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectClose, loadFixture, type TensorJson, useCpu, useWasm } from '../test/helpers'
import { CrossEntropyLoss } from './CrossEntropyLoss'
import { TrainError } from './errors'
import type { Loss } from './Loss'
import { MSELoss } from './MSELoss'
import { NLLLoss } from './NLLLoss'

interface LossCase {
  name: string
  loss: 'CrossEntropyLoss' | 'NLLLoss' | 'MSELoss'
  options: Record<string, unknown>
  input: TensorJson
  target: TensorJson & { dtype: 'int32' | 'float32' }
  output: TensorJson
  grad: TensorJson
}

const fixture = loadFixture<{ torch: string; cases: LossCase[] }>('losses.json')

function make(c: LossCase): Loss {
  if (c.loss === 'CrossEntropyLoss') return new CrossEntropyLoss(c.options)
  if (c.loss === 'NLLLoss') return new NLLLoss(c.options)
  return new MSELoss(c.options)
}

beforeAll(useCpu)

describe.each([
  ['cpu', useCpu],
  ['wasm', useWasm],
])(
  'losses match PyTorch 1.13 on the %s backend (scripts/parity/train_fixtures.py)',
  (_name, use) => {
    beforeAll(use)
    afterAll(useCpu)

    it('has the fixture cases', () => {
      expect(fixture.torch).toMatch(/^1\.13/)
      expect(fixture.cases.length).toBeGreaterThan(30)
    })

    for (const c of fixture.cases) {
      it(`${c.name}: value and input gradient`, () => {
        const criterion = make(c)
        const input = tf.tensor(c.input.data, c.input.shape)
        const target = tf.tensor(c.target.data, c.target.shape, c.target.dtype)
        const before = tf.memory().numTensors
        const out = criterion.call(input, target)
        expect(out.shape).toEqual(c.output.shape)
        expectClose(out.dataSync(), c.output.data, 1e-5, 1e-6)
        out.dispose()
        const grad = tf.grad((x: tf.Tensor) => tf.sum(criterion.call(x, target)))(input)
        expect(grad.shape).toEqual(c.grad.shape)
        expectClose(grad.dataSync(), c.grad.data, 1e-4, 1e-6)
        grad.dispose()
        expect(tf.memory().numTensors).toBe(before)
        tf.dispose([input, target])
      })
    }
  },
)

describe('CrossEntropyLoss', () => {
  it('prints like PyTorch and has its defaults', () => {
    const ce = new CrossEntropyLoss()
    expect(String(ce)).toBe('CrossEntropyLoss()')
    expect(ce.reduction).toBe('mean')
    expect(ce.ignoreIndex).toBe(-100)
    expect(ce.labelSmoothing).toBe(0)
    expect(ce.weight).toBeNull()
    expect(String(new NLLLoss())).toBe('NLLLoss()')
    expect(String(new MSELoss({ reduction: 'sum' }))).toBe('MSELoss()')
  })

  it('equals NLLLoss of logSoftmax', () => {
    const logits = tf.tensor2d([
      [1, 2, 3],
      [3, -1, 0.5],
    ])
    const labels = tf.tensor1d([2, 0], 'int32')
    const ce = new CrossEntropyLoss().call(logits, labels)
    const nll = new NLLLoss().call(tf.logSoftmax(logits), labels)
    expectClose(ce.dataSync(), nll.dataSync(), 1e-6)
  })

  it('rejects labels out of range with PyTorch wording and a fix', () => {
    const logits = tf.zeros([2, 10])
    const labels = tf.tensor1d([3, 10], 'int32')
    const error = catchError(() => new CrossEntropyLoss().call(logits, labels))
    expect(error.code).toBe('LOSS_TARGET_OUT_OF_BOUNDS')
    expect(error.message).toContain('Target 10 is out of bounds.')
    expect(error.values).toEqual({ target: 10, numClasses: 10 })
    expect(error.hint).toContain('[0, 9]')
    const negative = catchError(() =>
      new CrossEntropyLoss().call(logits, tf.tensor1d([-1, 0], 'int32')),
    )
    expect(negative.message).toContain('Target -1 is out of bounds.')
  })

  it('skips the range check when validateTargets is false', () => {
    const out = new CrossEntropyLoss({ validateTargets: false, reduction: 'none' }).call(
      tf.zeros([1, 3]),
      tf.tensor1d([7], 'int32'),
    )
    expect(Math.abs(out.dataSync()[0]!)).toBe(0)
  })

  it('rejects float labels that are not probabilities', () => {
    const error = catchError(() =>
      new CrossEntropyLoss().call(tf.zeros([4, 10]), tf.tensor1d([1, 2, 3, 4])),
    )
    expect(error.code).toBe('LOSS_TARGET_DTYPE')
    expect(error.message).toContain('got a float32 tensor shaped [4]')
    expect(error.hint).toContain("'int32'")
  })

  it('rejects a batch size mismatch with PyTorch wording', () => {
    const error = catchError(() =>
      new CrossEntropyLoss().call(tf.zeros([64, 10]), tf.zeros([32], 'int32')),
    )
    expect(error.code).toBe('LOSS_SHAPE_MISMATCH')
    expect(error.message).toContain(
      'Expected input batch_size (64) to match target batch_size (32).',
    )
    const kd = catchError(() =>
      new CrossEntropyLoss().call(tf.zeros([2, 4, 3]), tf.zeros([2, 2], 'int32')),
    )
    expect(kd.message).toContain('Expected target size [2, 3], got [2, 2].')
    const scalar = catchError(() =>
      new CrossEntropyLoss().call(tf.scalar(1), tf.scalar(0, 'int32')),
    )
    expect(scalar.code).toBe('LOSS_SHAPE_MISMATCH')
  })

  it('rejects invalid options with the value involved', () => {
    expect(catchError(() => new CrossEntropyLoss({ labelSmoothing: 1.5 })).message).toContain(
      'label_smoothing must be between 0.0 and 1.0. Got: 1.5',
    )
    const reduction = catchError(
      () => new CrossEntropyLoss({ reduction: 'avg' as unknown as 'mean' }),
    )
    expect(reduction.code).toBe('INVALID_OPTION')
    expect(reduction.message).toContain('avg is not a valid value for reduction')
    expect(catchError(() => new NLLLoss({ ignoreIndex: 0.5 })).values).toEqual({
      option: 'ignoreIndex',
      value: 0.5,
    })
    expect(catchError(() => new NLLLoss({ weight: [1, Number.NaN] })).code).toBe('INVALID_OPTION')
    const weightLength = catchError(() =>
      new CrossEntropyLoss({ weight: [1, 2] }).call(tf.zeros([1, 3]), tf.tensor1d([0], 'int32')),
    )
    expect(weightLength.message).toContain('weight has 2 entries but the input has 3 classes')
  })

  it('is finite for extreme logits (stable log-softmax)', () => {
    const out = new CrossEntropyLoss().call(
      tf.tensor2d([[1e4, -1e4, 0]]),
      tf.tensor1d([1], 'int32'),
    )
    expectClose(out.dataSync(), [2e4])
  })
})

describe('MSELoss', () => {
  it('rejects different shapes instead of broadcasting', () => {
    const error = catchError(() => new MSELoss().call(tf.zeros([4, 1]), tf.zeros([4])))
    expect(error.code).toBe('LOSS_SHAPE_MISMATCH')
    expect(error.message).toContain(
      'Using a target size ([4]) that is different to the input size ([4, 1])',
    )
  })
})

function catchError(fn: () => unknown): TrainError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(TrainError)
    return error as TrainError
  }
  throw new Error('expected a TrainError, nothing was thrown')
}
