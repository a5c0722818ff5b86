import { describe, expect, it } from 'vitest'
import { blockSummary } from './blockSummary.js'
import { blocks } from './blocks/index.js'
import { templates } from './templates.js'

describe('blockSummary', () => {
  it('says what each block of the templates does, as the canvas shows it', () => {
    const lines = [
      ...templates.lesson.nodes,
      ...templates.deepMlp.nodes,
      ...templates.smallCnn.nodes,
    ].map((n) => `${n.type}: ${blockSummary(n)}`)
    expect([...new Set(lines)]).toMatchInlineSnapshot(`
      [
        "MNIST: train split · 60,000 images",
        "ToTensor: uint8 0–255 → float 0–1",
        "Normalize: mean 0.1307 · std 0.3081",
        "DataLoader: batch 64 · shuffled",
        "Flatten: start_dim 1 · end_dim -1",
        "Linear: 784 → 128",
        "ReLU: max(0, x)",
        "Linear: 128 → 10",
        "CrossEntropyLoss: reduction mean",
        "Linear: 784 → 256",
        "BatchNorm1d: 256 features",
        "Dropout: p = 0.2",
        "Linear: 256 → 128",
        "BatchNorm1d: 128 features",
        "Conv2d: 1 → 16 · 3×3 · pad 1",
        "MaxPool2d: 2×2",
        "Conv2d: 16 → 32 · 3×3 · pad 1",
        "Linear: 1568 → 10",
      ]
    `)
  })

  it('shows the parameters that differ from the defaults', () => {
    expect(
      blockSummary({ type: 'Linear', params: { inFeatures: 64, outFeatures: 10, bias: false } }),
    ).toBe('64 → 10 · no bias')
    expect(
      blockSummary({
        type: 'Conv2d',
        params: { inChannels: 3, outChannels: 8, kernelSize: 5, stride: 2, padding: 1 },
      }),
    ).toBe('3 → 8 · 5×5 · stride 2 · pad 1')
    expect(blockSummary({ type: 'MaxPool2d', params: { kernelSize: 3, stride: 1 } })).toBe(
      '3×3 · stride 1',
    )
    expect(blockSummary({ type: 'MNIST', params: { train: false } })).toBe(
      'test split · 10,000 images',
    )
    expect(
      blockSummary({ type: 'CrossEntropyLoss', params: { labelSmoothing: 0.1, reduction: 'sum' } }),
    ).toBe('reduction sum · smoothing 0.1')
    expect(blockSummary({ type: 'DataLoader', params: { batchSize: 1000, shuffle: false } })).toBe(
      'batch 1000',
    )
  })

  it('reads missing parameters as their defaults and unknown types as nothing', () => {
    expect(blockSummary({ type: 'Linear', params: {} })).toBe('784 → 128')
    expect(blockSummary({ type: 'Conv3d' as 'Linear', params: {} })).toBe('')
  })
})

describe('blocks', () => {
  it('is keyed by each block’s own type, and every parameter has a default', () => {
    for (const [type, block] of Object.entries(blocks)) {
      expect(block.type).toBe(type)
      expect(Object.keys(block.defaults).sort()).toEqual(Object.keys(block.params).sort())
    }
  })
})
