import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { useCpuBackend } from '../../test/helpers.js'
import type { RawImage } from '../Dataset.js'
import { Compose } from './Compose.js'
import { Lambda } from './Lambda.js'
import { Normalize } from './Normalize.js'
import { ToTensor } from './ToTensor.js'

beforeAll(useCpuBackend)

const image: RawImage = { data: Uint8Array.from([0, 51, 102, 255]), shape: [2, 2] }

describe('Compose', () => {
  it('applies transforms in order and frees the tensors in between', () => {
    const transform = new Compose([new ToTensor(), new Normalize([0.2], [0.4])])
    const before = tf.memory().numTensors
    const out = transform.apply(image)
    expect(tf.memory().numTensors).toBe(before + 1)
    expect(out.shape).toEqual([1, 2, 2])
    const expected = [0, 51, 102, 255].map((v) => (Math.fround(v / 255) - 0.2) / 0.4)
    for (const [i, v] of out.dataSync().entries()) expect(v).toBeCloseTo(expected[i]!, 6)
    out.dispose()
  })

  it('has a batched form when every transform has one, equal to the per-sample form', () => {
    const transform = new Compose([new ToTensor(), new Normalize([0.2], [0.4])])
    expect(transform.applyBatch).toBeDefined()
    const batch = tf.tensor(image.data, [1, 2, 2], 'int32')
    const before = tf.memory().numTensors
    const out = transform.applyBatch!(batch)
    expect(tf.memory().numTensors).toBe(before + 1)
    const one = transform.apply(image)
    expect(out.shape).toEqual([1, 1, 2, 2])
    expect(Array.from(out.dataSync())).toEqual(Array.from(one.dataSync()))
    tf.dispose([batch, out, one])
  })

  it('has no batched form when one transform lacks it', () => {
    const transform = new Compose([new ToTensor(), new Lambda((t: tf.Tensor) => tf.neg(t))])
    expect(transform.applyBatch).toBeUndefined()
    const out = transform.apply(image) as tf.Tensor
    expect(out.dataSync()[1]).toBeCloseTo(-0.2, 6)
    out.dispose()
  })

  it('wraps plain functions, chains non-tensor values and leaves the input alone', () => {
    const transform = new Compose<number, string>([
      (y: number) => y + 1,
      (y: number) => `class ${y}`,
    ])
    expect(transform.apply(4)).toBe('class 5')
    const t = tf.scalar(3)
    const identity = new Compose([(x: tf.Tensor) => x])
    expect(identity.apply(t)).toBe(t)
    expect(t.isDisposed).toBe(false)
    t.dispose()
  })

  it('frees the intermediate tensor when a later transform throws', () => {
    const transform = new Compose([
      new ToTensor(),
      () => {
        throw new Error('boom')
      },
    ])
    const before = tf.memory().numTensors
    expect(() => transform.apply(image)).toThrow('boom')
    expect(tf.memory().numTensors).toBe(before)
  })

  it('prints like torchvision', () => {
    expect(String(new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])]))).toBe(
      'Compose(\n    ToTensor()\n    Normalize(mean=[0.1307], std=[0.3081])\n)',
    )
  })
})
