// The blocks added after the first release, through the public paths every block shares: shape
// rules and their fixes, editor checks, summaries and both exports. Their agreement with PyTorch
// (output shapes, messages, parameter counts) is in shapeRules.test.ts.
import { describe, expect, it } from 'vitest'
import { chainDoc, lessonWith, newBlocks, pipeline } from '../../test/graphs.js'
import { applyFix } from '../applyFix.js'
import { blockSummary } from '../blockSummary.js'
import { toPyTorch } from '../codegen/toPyTorch.js'
import { toTypeScript } from '../codegen/toTypeScript.js'
import { inferShapes } from '../inferShapes.js'
import { layerTypes } from '../layerTypes.js'
import { pythonFloat } from '../python.js'
import { layerOutputShape } from '../shapeRules.js'
import { nodeSpecs, validateParam } from '../specs.js'
import type { GraphDocument, NodeIssue } from '../types.js'

const added = [
  'BatchNorm2d',
  'LayerNorm',
  'AvgPool2d',
  'AdaptiveAvgPool2d',
  'Dropout2d',
  'Identity',
  'LeakyReLU',
  'ELU',
  'GELU',
  'SiLU',
] as const

const only = (doc: GraphDocument, code: string): NodeIssue => {
  const found = inferShapes(doc).issues.filter((i) => i.code === code)
  expect(found).toHaveLength(1)
  return found[0]!
}
const fixed = (doc: GraphDocument, issue: NodeIssue) => applyFix(doc, issue.nodeId, issue.fix!)
const errorOf = (result: ReturnType<typeof layerOutputShape>) => (result.ok ? null : result.error)

describe('the added blocks', () => {
  it('are layer types in palette order, with PyTorch labels and defaults', () => {
    expect(layerTypes).toEqual([
      'Flatten',
      'Linear',
      'Conv2d',
      'MaxPool2d',
      'Dropout',
      'BatchNorm1d',
      ...added.slice(0, 6),
      'ReLU',
      'LeakyReLU',
      'ELU',
      'GELU',
      'SiLU',
      'Sigmoid',
      'Tanh',
      'Softmax',
      'LogSoftmax',
    ])
    expect(added.map((t) => [t, nodeSpecs[t].category, nodeSpecs[t].defaults])).toEqual([
      ['BatchNorm2d', 'layers', { numFeatures: 32, eps: 1e-5, momentum: 0.1 }],
      ['LayerNorm', 'layers', { normalizedShape: [128], eps: 1e-5 }],
      ['AvgPool2d', 'layers', { kernelSize: 2, stride: null, padding: 0 }],
      ['AdaptiveAvgPool2d', 'layers', { outputSize: 1 }],
      ['Dropout2d', 'layers', { p: 0.5 }],
      ['Identity', 'layers', {}],
      ['LeakyReLU', 'activations', { negativeSlope: 0.01 }],
      ['ELU', 'activations', { alpha: 1 }],
      ['GELU', 'activations', { approximate: 'none' }],
      ['SiLU', 'activations', {}],
    ])
    expect(nodeSpecs.LayerNorm.params.map((p) => p.label)).toEqual(['normalized_shape', 'eps'])
    expect(nodeSpecs.LeakyReLU.params.map((p) => p.label)).toEqual(['negative_slope'])
  })

  it('has a summary for the canvas', () => {
    const lines = chainDoc(newBlocks).nodes.map((n) => `${n.type}: ${blockSummary(n)}`)
    expect(lines).toMatchInlineSnapshot(`
      [
        "Conv2d: 1 → 8 · 3×3 · pad 1",
        "BatchNorm2d: 8 channels",
        "LeakyReLU: max(0.2·x, x)",
        "AvgPool2d: 3×3 · stride 2 · pad 1",
        "Dropout2d: p = 0.25 · whole channels",
        "Conv2d: 8 → 16 · 3×3",
        "AdaptiveAvgPool2d: → 5×5",
        "LayerNorm: over (16, 5, 5)",
        "Flatten: start_dim 1 · end_dim -1",
        "Linear: 400 → 64",
        "GELU: x·Φ(x) · tanh approx.",
        "Linear: 64 → 32",
        "SiLU: x·σ(x)",
        "ELU: α = 0.5",
        "Identity: y = x",
        "Linear: 32 → 10",
      ]
    `)
    expect(added.map((type) => blockSummary({ type, params: {} }))).toEqual([
      '32 channels',
      'over (128,)',
      '2×2',
      '→ 1×1',
      'p = 0.5 · whole channels',
      'y = x',
      'max(0.01·x, x)',
      'α = 1',
      'x·Φ(x)',
      'x·σ(x)',
    ])
  })

  it('infer the shapes of a CNN that uses all of them, and count its parameters', () => {
    const result = inferShapes(lessonWith(newBlocks))
    expect(result.issues).toEqual([])
    // conv 80 + bn 16 + conv 1168 + layer norm 800 + linears 25,664 + 2,080 + 330
    expect(result.totalParams).toBe(30_138)
    expect(Object.values(result.edges).map((e) => e.label)).toEqual([
      '(1, 28, 28)',
      '(1, 28, 28)',
      '(1, 28, 28)',
      '(64, 1, 28, 28)',
      '(64, 8, 28, 28)',
      '(64, 8, 28, 28)',
      '(64, 8, 28, 28)',
      '(64, 8, 14, 14)',
      '(64, 8, 14, 14)',
      '(64, 16, 12, 12)',
      '(64, 16, 5, 5)',
      '(64, 16, 5, 5)',
      '(64, 400)',
      '(64, 64)',
      '(64, 64)',
      '(64, 32)',
      '(64, 32)',
      '(64, 32)',
      '(64, 32)',
      '(64, 10)',
    ])
  })

  it('export to PyTorch and TypeScript with their non-default arguments', () => {
    const doc = lessonWith(newBlocks)
    const script = toPyTorch(doc)
    expect(
      script.slice(
        script.indexOf('self.layers = nn.Sequential('),
        script.indexOf('    def forward'),
      ),
    ).toBe(`self.layers = nn.Sequential(
            nn.Conv2d(1, 8, kernel_size=3, padding=1),
            nn.BatchNorm2d(8, eps=0.001, momentum=0.2),
            nn.LeakyReLU(negative_slope=0.2),
            nn.AvgPool2d(3, stride=2, padding=1),
            nn.Dropout2d(0.25),
            nn.Conv2d(8, 16, kernel_size=3),
            nn.AdaptiveAvgPool2d(5),
            nn.LayerNorm((16, 5, 5), eps=0.0001),
            nn.Flatten(),
            nn.Linear(400, 64),
            nn.GELU(approximate='tanh'),
            nn.Linear(64, 32),
            nn.SiLU(),
            nn.ELU(alpha=0.5),
            nn.Identity(),
            nn.Linear(32, 10),
        )

`)
    const program = toTypeScript(doc)
    expect(program).toContain(`  layers = new Sequential(
    new Conv2d(1, 8, 3, { padding: 1 }),
    new BatchNorm2d(8, { eps: 0.001, momentum: 0.2 }),
    new LeakyReLU(0.2),
    new AvgPool2d(3, { stride: 2, padding: 1 }),
    new Dropout2d(0.25),
    new Conv2d(8, 16, 3),
    new AdaptiveAvgPool2d(5),
    new LayerNorm([16, 5, 5], { eps: 0.0001 }),
    new Flatten(),
    new Linear(400, 64),
    new GELU('tanh'),
    new Linear(64, 32),
    new SiLU(),
    new ELU(0.5),
    new Identity(),
    new Linear(32, 10),
  )`)
    expect(program).toContain(`import {
  AdaptiveAvgPool2d,
  AvgPool2d,
  BatchNorm2d,
  Conv2d,
  Dropout2d,
  ELU,
  Flatten,
  GELU,
  Identity,
  LayerNorm,
  LeakyReLU,
  Linear,
  Module,
  manualSeed,
  Sequential,
  SiLU,
} from '@tensorloom/layers'`)
  })

  it('export their defaults the short way', () => {
    const doc = lessonWith([
      ['Conv2d'],
      ['BatchNorm2d'],
      ['LeakyReLU'],
      ['ELU'],
      ['GELU'],
      ['AvgPool2d'],
      ['Dropout2d'],
      ['AdaptiveAvgPool2d'],
      ['Flatten'],
      ['LayerNorm', { normalizedShape: [32] }],
      ['Linear', { inFeatures: 32, outFeatures: 10 }],
    ])
    expect(inferShapes(doc).issues).toEqual([])
    const script = toPyTorch(doc)
    for (const call of [
      'nn.BatchNorm2d(32),',
      'nn.LeakyReLU(),',
      'nn.ELU(),',
      'nn.GELU(),',
      'nn.AvgPool2d(2),',
      'nn.Dropout2d(0.5),',
      'nn.AdaptiveAvgPool2d(1),',
      'nn.LayerNorm(32),',
    ]) {
      expect(script).toContain(call)
    }
    const program = toTypeScript(doc)
    for (const call of [
      'new BatchNorm2d(32),',
      'new LeakyReLU(),',
      'new ELU(),',
      'new GELU(),',
      'new AvgPool2d(2),',
      'new Dropout2d(0.5),',
      'new AdaptiveAvgPool2d(1),',
      'new LayerNorm(32),',
    ]) {
      expect(program).toContain(call)
    }
  })
})

describe('exported float arguments', () => {
  it('are Python floats, so print(model) matches the runtime (ELU(alpha=2.0), not alpha=2)', () => {
    expect(pythonFloat(2)).toBe('2.0')
    expect(pythonFloat(-1)).toBe('-1.0')
    expect(pythonFloat(0.25)).toBe('0.25')
    expect(pythonFloat(1e-5)).toBe('1e-05')
    expect(pythonFloat(1e16)).toBe('1e+16')
    const doc = lessonWith([
      ['Conv2d'],
      ['BatchNorm2d', { momentum: 1 }],
      ['LeakyReLU', { negativeSlope: 1 }],
      ['ELU', { alpha: 2 }],
      ['Dropout2d', { p: 1 }],
      ['Flatten'],
      ['LayerNorm', { normalizedShape: [21632], eps: 1 }],
      ['Linear', { inFeatures: 21632, outFeatures: 10 }],
    ])
    const script = toPyTorch(doc)
    for (const call of [
      'nn.BatchNorm2d(32, momentum=1.0),',
      'nn.LeakyReLU(negative_slope=1.0),',
      'nn.ELU(alpha=2.0),',
      'nn.Dropout2d(1.0),',
      'nn.LayerNorm(21632, eps=1.0),',
    ]) {
      expect(script).toContain(call)
    }
  })
})

describe('BatchNorm2d', () => {
  it('sets num_features from the channels, and replaces itself with BatchNorm1d on features', () => {
    const bn = { numFeatures: 32, eps: 1e-5, momentum: 0.1 }
    expect(errorOf(layerOutputShape('BatchNorm2d', bn, [64, 16, 13, 13]))?.fix).toEqual({
      kind: 'setParam',
      param: 'numFeatures',
      value: 16,
      label: 'Set num_features = 16',
    })
    expect(errorOf(layerOutputShape('BatchNorm2d', bn, [64, 128]))).toEqual({
      code: 'BATCHNORM2D_INPUT_RANK',
      message: 'expected 4D input (got 2D input)',
      values: { rank: 2 },
      fix: {
        kind: 'replaceNode',
        type: 'BatchNorm1d',
        params: { numFeatures: 128, eps: 1e-5, momentum: 0.1 },
        label: 'Replace with BatchNorm1d',
      },
    })
    expect(errorOf(layerOutputShape('BatchNorm2d', bn, [2, 32, 3, 3, 3]))?.fix).toBeUndefined()
  })

  it('fixes a wrong num_features in the editor, and its replacement by BatchNorm1d', () => {
    const doc = lessonWith([['Flatten'], ['BatchNorm2d'], ['Linear']])
    const issue = only(doc, 'BATCHNORM2D_INPUT_RANK')
    expect(inferShapes(fixed(doc, issue)).issues).toEqual([])
    const wrong = lessonWith([['Conv2d'], ['BatchNorm2d', { numFeatures: 0 }]])
    const invalid = only(wrong, 'INVALID_PARAM')
    expect(invalid.fix).toMatchObject({ param: 'numFeatures', value: 32 })
  })

  it('rejects batches of one 1×1 image while training', () => {
    const doc = chainDoc([
      ...pipeline.slice(0, 3),
      ['DataLoader', { batchSize: 1 }],
      ['Conv2d', { kernelSize: 28 }],
      ['BatchNorm2d'],
      ['Flatten'],
      ['Linear', { inFeatures: 32, outFeatures: 10 }],
      ['CrossEntropyLoss'],
    ])
    const issue = only(doc, 'BATCHNORM_BATCH_OF_ONE')
    expect(issue.message).toBe(
      'Expected more than 1 value per channel when training, got input size torch.Size([1, 32, 1, 1])',
    )
    expect(inferShapes(fixed(doc, issue)).issues).toEqual([])
  })
})

describe('LayerNorm', () => {
  it('takes normalized_shape as a list of 1 to 4 integers', () => {
    expect(validateParam('LayerNorm', 'normalizedShape', [16, 7, 7])).toBeNull()
    for (const bad of [[], [0], [1.5], [1, 2, 3, 4, 5], 128, ['128']]) {
      expect(validateParam('LayerNorm', 'normalizedShape', bad)).toMatch(
        /^LayerNorm: normalized_shape must be a list of 1 to 4 integers, each from 1 to 100000, but got /,
      )
    }
  })

  it("sets normalized_shape to the input's trailing dimensions", () => {
    const rule = (shape: number[], input: number[]) =>
      errorOf(layerOutputShape('LayerNorm', { normalizedShape: shape, eps: 1e-5 }, input))?.fix
    expect(rule([128], [64, 784])).toEqual({
      kind: 'setParam',
      param: 'normalizedShape',
      value: [784],
      label: 'Set normalized_shape = (784,)',
    })
    expect(rule([7, 7], [64, 7, 16])).toMatchObject({ value: [7, 16] })
    // Never the batch dimension, unless the input has no other.
    expect(rule([16, 7, 7], [64, 49])).toMatchObject({ value: [49] })
    expect(rule([3, 4], [4])).toMatchObject({ value: [4] })
    expect(rule([4], [])).toBeUndefined()
  })

  it('fixes an invalid normalized_shape from the input in the editor', () => {
    const doc = lessonWith([['Flatten'], ['LayerNorm', { normalizedShape: [] }], ['Linear']])
    const issue = only(doc, 'INVALID_PARAM')
    expect(issue.fix).toEqual({
      kind: 'setParam',
      param: 'normalizedShape',
      value: [784],
      label: 'Set normalized_shape = (784,)',
    })
    expect(inferShapes(fixed(doc, issue)).issues).toEqual([])
  })
})

describe('AvgPool2d', () => {
  const avg = (kernelSize: number, stride: number | null, padding: number) => ({
    kernelSize,
    stride,
    padding,
  })

  it('halves the padding, or shrinks the kernel to the input', () => {
    expect(errorOf(layerOutputShape('AvgPool2d', avg(3, null, 2), [64, 1, 8, 8]))).toMatchObject({
      code: 'AVGPOOL2D_PADDING',
      fix: { param: 'padding', value: 1, label: 'Set padding = 1' },
    })
    expect(errorOf(layerOutputShape('AvgPool2d', avg(5, 2, 1), [64, 1, 2, 3]))).toMatchObject({
      code: 'AVGPOOL2D_OUTPUT_TOO_SMALL',
      fix: { param: 'kernelSize', value: 4 },
    })
    expect(layerOutputShape('AvgPool2d', avg(4, 2, 1), [64, 1, 2, 3])).toEqual({
      ok: true,
      shape: [64, 1, 1, 1],
    })
  })

  it('offers to remove a Flatten before it', () => {
    const doc = lessonWith([
      ['Flatten'],
      ['AvgPool2d'],
      ['Flatten'],
      ['Linear', { inFeatures: 196 }],
    ])
    const issue = only(doc, 'DIM_OUT_OF_RANGE')
    expect(issue.message).toBe(
      'Dimension out of range (expected to be in range of [-2, 1], but got -3)',
    )
    expect(issue.fix).toEqual({
      kind: 'removeNode',
      nodeId: 'n5',
      label: 'Remove the Flatten before this node',
    })
    expect(inferShapes(fixed(doc, issue)).issues).toEqual([])
  })
})

describe('AdaptiveAvgPool2d', () => {
  it('pools any image size to output_size × output_size', () => {
    for (const input of [
      [64, 32, 7, 5],
      [64, 32, 1, 1],
      [64, 32, 100, 3],
    ]) {
      expect(layerOutputShape('AdaptiveAvgPool2d', { outputSize: 3 }, input)).toEqual({
        ok: true,
        shape: [64, 32, 3, 3],
      })
    }
  })

  it('offers to remove a Flatten before it', () => {
    const doc = lessonWith([['Flatten'], ['AdaptiveAvgPool2d', { outputSize: 2 }], ['Linear']])
    const issue = only(doc, 'ADAPTIVEAVGPOOL2D_INPUT_RANK')
    expect(issue.message).toBe('adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [64, 784]')
    expect(issue.fix?.kind).toBe('removeNode')
  })
})

describe('Dropout2d', () => {
  it("uses PyTorch's wording for its probability", () => {
    expect(validateParam('Dropout2d', 'p', 1.5)).toBe(
      'dropout probability has to be between 0 and 1, but got 1.5',
    )
  })

  it('warns as PyTorch does when the input is not (N, C, H, W), and offers Dropout', () => {
    const doc = lessonWith([
      ['Flatten'],
      ['Linear'],
      ['Dropout2d', { p: 0.3 }],
      ['Linear', { inFeatures: 128, outFeatures: 10 }],
    ])
    const issue = only(doc, 'DROPOUT2D_DEPRECATED_RANK')
    expect(issue.severity).toBe('warning')
    expect(issue.message).toMatch(
      /^dropout2d: Received a 2-D input to dropout2d, which is deprecated and will result in an error in a future release\./,
    )
    const fixedDoc = fixed(doc, issue)
    expect(fixedDoc.nodes.find((n) => n.id === 'n7')).toMatchObject({
      type: 'Dropout',
      params: { p: 0.3 },
    })
    expect(inferShapes(fixedDoc).issues).toEqual([])
    const threeD = inferShapes(
      lessonWith([['Flatten', { startDim: 2 }], ['Dropout2d'], ['Flatten'], ['Linear']]),
    )
    expect(threeD.issues.map((i) => i.code)).toEqual(['DROPOUT2D_3D_INPUT'])
  })
})
