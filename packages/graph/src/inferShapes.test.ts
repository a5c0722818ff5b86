import { describe, expect, it } from 'vitest'
import { chainDoc, lessonWith, pipeline, type Step } from '../test/graphs.js'
import { applyFix } from './applyFix.js'
import { inferShapes } from './inferShapes.js'
import { templates } from './templates.js'
import type { GraphDocument, NodeIssue } from './types.js'

const codes = (doc: GraphDocument) => inferShapes(doc).issues.map((i) => `${i.nodeId}:${i.code}`)
const errors = (doc: GraphDocument) => inferShapes(doc).issues.filter((i) => i.severity === 'error')
const only = (doc: GraphDocument, code: string): NodeIssue => {
  const found = inferShapes(doc).issues.filter((i) => i.code === code)
  expect(found).toHaveLength(1)
  return found[0]!
}
const fixed = (doc: GraphDocument, issue: NodeIssue) => applyFix(doc, issue.nodeId, issue.fix!)

const mlp: Step[] = [
  ['Flatten'],
  ['Linear', { inFeatures: 784, outFeatures: 128 }],
  ['ReLU'],
  ['Linear', { inFeatures: 128, outFeatures: 10 }],
]

describe('inferShapes on the templates', () => {
  it("labels every edge of the lesson's network and counts 101,770 parameters", () => {
    const result = inferShapes(templates.lesson)
    expect(result.issues).toEqual([])
    expect(result.batchSize).toBe(64)
    expect(result.totalParams).toBe(101_770)
    expect(
      Object.fromEntries(Object.entries(result.edges).map(([id, e]) => [id, e.label])),
    ).toEqual({
      e1: '(1, 28, 28)',
      e2: '(1, 28, 28)',
      e3: '(1, 28, 28)',
      e4: '(64, 1, 28, 28)',
      e5: '(64, 784)',
      e6: '(64, 128)',
      e7: '(64, 128)',
      e8: '(64, 10)',
    })
    expect(result.edges.e5!.shape).toEqual([64, 784])
    expect(result.nodes.n6).toEqual({
      inputShape: [64, 784],
      outputShape: [64, 128],
      paramCount: 100_480,
    })
    expect(result.nodes.n8!.paramCount).toBe(1290)
    expect(result.nodes.n9).toEqual({ inputShape: [64, 10], outputShape: [], paramCount: 0 })
  })

  it('checks the deeper MLP and the small CNN without issues', () => {
    const mlpResult = inferShapes(templates.deepMlp)
    expect(mlpResult.issues).toEqual([])
    expect(mlpResult.totalParams).toBe(200_960 + 512 + 32_896 + 256 + 1290)
    const cnn = inferShapes(templates.smallCnn)
    expect(cnn.issues).toEqual([])
    expect(cnn.totalParams).toBe(160 + 4640 + 15_690)
    expect(cnn.nodes.n10!.outputShape).toEqual([64, 32, 7, 7])
  })

  it('reports the empty document as missing data and loss', () => {
    expect(codes(templates.empty)).toEqual([':NO_DATA_SOURCE', ':NO_LOSS'])
  })

  it('uses the batch size of the DataLoader', () => {
    const doc = chainDoc([
      ...pipeline.slice(0, 3),
      ['DataLoader', { batchSize: 32 }],
      ...mlp,
      ['CrossEntropyLoss'],
    ])
    const result = inferShapes(doc)
    expect(result.batchSize).toBe(32)
    expect(result.edges.e5!.label).toBe('(32, 784)')
  })
})

describe('shape errors with fixes', () => {
  it('asks for a Flatten before a Linear fed images, and the fix works', () => {
    const doc = lessonWith(mlp.slice(1))
    const issue = only(doc, 'LINEAR_SHAPE_MISMATCH')
    expect(issue).toMatchObject({
      nodeId: 'n5',
      severity: 'error',
      message: 'mat1 and mat2 shapes cannot be multiplied (1792x28 and 784x128)',
      fix: { kind: 'insertBefore', type: 'Flatten', label: 'Insert Flatten before this node' },
    })
    const after = inferShapes(fixed(doc, issue))
    expect(after.issues).toEqual([])
    expect(after.totalParams).toBe(101_770)
  })

  it('sets in_features to 784', () => {
    const doc = lessonWith([
      ['Flatten'],
      ['Linear', { inFeatures: 700, outFeatures: 128 }],
      ...mlp.slice(2),
    ])
    const issue = only(doc, 'LINEAR_SHAPE_MISMATCH')
    expect(issue.message).toBe('mat1 and mat2 shapes cannot be multiplied (64x784 and 700x128)')
    expect(issue.fix).toEqual({
      kind: 'setParam',
      param: 'inFeatures',
      value: 784,
      label: 'Set in_features = 784',
    })
    expect(inferShapes(fixed(doc, issue)).issues).toEqual([])
  })

  it('marks shapes after an error as unknown', () => {
    const result = inferShapes(lessonWith(mlp.slice(1)))
    expect(result.edges.e5).toEqual({ shape: null, label: '?' })
    expect(result.nodes.n6!.inputShape).toBeNull()
    expect(result.nodes.n5!.paramCount).toBe(100_480)
  })

  it('offers to remove a Flatten before a Conv2d', () => {
    const doc = lessonWith([
      ['Flatten'],
      ['Conv2d'],
      ['ReLU'],
      ['Flatten'],
      ['Linear', { inFeatures: 21632, outFeatures: 10 }],
    ])
    const issue = only(doc, 'CONV2D_INPUT_RANK')
    expect(issue.message).toBe(
      'Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [64, 784]',
    )
    expect(issue.fix).toEqual({
      kind: 'removeNode',
      nodeId: 'n5',
      label: 'Remove the Flatten before this node',
    })
    expect(inferShapes(fixed(doc, issue)).issues).toEqual([])
  })

  it('asks for 10 outputs when the loss sees fewer classes', () => {
    const doc = lessonWith([...mlp.slice(0, 3), ['Linear', { inFeatures: 128, outFeatures: 5 }]])
    const issue = only(doc, 'CLASS_COUNT_MISMATCH')
    expect(issue).toMatchObject({
      nodeId: 'n9',
      message: 'Target 9 is out of bounds.',
      fix: { kind: 'setParam', nodeId: 'n8', param: 'outFeatures', value: 10 },
    })
    expect(inferShapes(fixed(doc, issue)).issues).toEqual([])
  })

  it("reports CrossEntropyLoss on images with PyTorch's wording", () => {
    expect(only(lessonWith([['ReLU']]), 'CROSS_ENTROPY_SPATIAL_TARGET').message).toBe(
      'only batches of spatial targets supported (3D tensors) but got targets of dimension: 1',
    )
    expect(only(lessonWith([['Flatten', { startDim: 2 }]]), 'LOSS_TARGET_SIZE').message).toBe(
      'Expected target size [64, 784], got [64]',
    )
    expect(only(lessonWith([['Flatten', { startDim: 0 }]]), 'LOSS_SIZE_MISMATCH').message).toBe(
      'size mismatch (got input: [50176], target: [64])',
    )
  })

  it('compares MSELoss against one-hot targets', () => {
    expect(codes(lessonWith(mlp, ['MSELoss']))).toEqual([])
    const doc = lessonWith(
      [...mlp.slice(0, 3), ['Linear', { inFeatures: 128, outFeatures: 5 }]],
      ['MSELoss'],
    )
    const issue = only(doc, 'MSE_SIZE_MISMATCH')
    expect(issue.message).toBe(
      'The size of tensor a (5) must match the size of tensor b (10) at non-singleton dimension 1',
    )
    expect(inferShapes(fixed(doc, issue)).issues).toEqual([])
  })

  it('gives a loss with reduction none a per-sample output', () => {
    const result = inferShapes(lessonWith(mlp, ['CrossEntropyLoss', { reduction: 'none' }]))
    expect(result.nodes.n9!.outputShape).toEqual([64])
  })

  it('rejects BatchNorm1d on batches of one', () => {
    const doc = chainDoc([
      ...pipeline.slice(0, 3),
      ['DataLoader', { batchSize: 1 }],
      ['Flatten'],
      ['BatchNorm1d', { numFeatures: 784 }],
      ['Linear', { inFeatures: 784, outFeatures: 10 }],
      ['CrossEntropyLoss'],
    ])
    const issue = only(doc, 'BATCHNORM_BATCH_OF_ONE')
    expect(issue.message).toBe(
      'Expected more than 1 value per channel when training, got input size torch.Size([1, 784])',
    )
    expect(inferShapes(fixed(doc, issue)).issues).toEqual([])
  })
})

describe('graph errors', () => {
  it('finds cycles and names them', () => {
    const doc = structuredClone(templates.lesson)
    doc.edges.push({ id: 'back', source: 'n8', target: 'n6' })
    const cycle = inferShapes(doc).issues.filter((i) => i.code === 'CYCLE')
    expect(cycle.map((i) => i.nodeId)).toEqual(['n6', 'n7', 'n8'])
    expect(cycle[0]!.message).toBe(
      'Cycle: n6 -> n7 -> n8 -> n6. A network flows one way: remove one of these connections',
    )
  })

  it('finds a node connected to itself', () => {
    const doc = structuredClone(templates.lesson)
    doc.edges.push({ id: 'self', source: 'n7', target: 'n7' })
    expect(inferShapes(doc).issues.find((i) => i.code === 'CYCLE')?.message).toContain('n7 -> n7')
  })

  it('rejects a second input', () => {
    const doc = structuredClone(templates.lesson)
    doc.edges.push({ id: 'extra', source: 'n5', target: 'n8' })
    const issue = only(doc, 'MULTIPLE_INPUTS')
    expect(issue).toMatchObject({
      nodeId: 'n8',
      message:
        'Linear takes one input, but 2 connections lead into it (from n7, n5): remove all but one',
    })
    // A layer's output may feed several nodes (branches); only an input takes one connection.
    expect(codes(doc)).not.toContain('n5:MULTIPLE_OUTPUTS')
  })

  it('rejects disconnected nodes, with a fix that removes them', () => {
    const doc = structuredClone(templates.lesson)
    doc.nodes.push({ id: 'lone', type: 'ReLU', params: {}, position: { x: 0, y: 300 } })
    const issue = only(doc, 'DISCONNECTED_NODE')
    expect(issue.nodeId).toBe('lone')
    expect(inferShapes(fixed(doc, issue)).issues).toEqual([])
  })

  it('rejects a layer with no input', () => {
    const doc = structuredClone(templates.lesson)
    doc.edges = doc.edges.filter((e) => e.id !== 'e6')
    expect(codes(doc)).toEqual(['n7:NO_INPUT'])
  })

  it('needs a data source and a loss', () => {
    expect(codes(chainDoc([...mlp, ['CrossEntropyLoss']]))).toEqual([
      ':NO_DATA_SOURCE',
      'n1:NO_INPUT',
    ])
    expect(codes(chainDoc([...pipeline, ...mlp]))).toEqual([':NO_LOSS'])
  })

  it('rejects a connection out of the loss or into the dataset', () => {
    const doc = structuredClone(templates.lesson)
    doc.nodes.push({ id: 'x', type: 'ReLU', params: {}, position: { x: 0, y: 0 } })
    doc.edges.push({ id: 'out', source: 'n9', target: 'x' })
    doc.edges.push({ id: 'in', source: 'x', target: 'n1' })
    const found = codes(doc)
    expect(found).toContain('n1:DATASET_HAS_INPUT')
    expect(found).toContain('n9:LOSS_NOT_LAST')
    expect(found).toContain('n1:CYCLE')
  })

  it('reports unknown node types on the node', () => {
    const doc = structuredClone(templates.lesson) as GraphDocument
    ;(doc.nodes[6] as { type: string }).type = 'Mish'
    const issue = only(doc, 'UNKNOWN_NODE_TYPE')
    expect(issue.nodeId).toBe('n7')
    expect(issue.message).toMatch(/^Unknown node type "Mish": expected one of MNIST, /)
  })

  it('reports a second dataset', () => {
    const doc = structuredClone(templates.lesson)
    doc.nodes.push({
      id: 'm2',
      type: 'FashionMNIST',
      params: { train: true },
      position: { x: 0, y: 200 },
    })
    doc.edges.push({ id: 'x', source: 'm2', target: 'n2' })
    expect(codes(doc)).toEqual(
      expect.arrayContaining(['m2:MULTIPLE_DATA_SOURCES', 'n2:MULTIPLE_INPUTS']),
    )
  })

  it('reports edges to missing nodes and duplicate ids without throwing', () => {
    const doc = structuredClone(templates.lesson)
    doc.edges.push({ id: 'ghost', source: 'n9', target: 'nope' })
    doc.nodes.push({ ...doc.nodes[3]! })
    expect(codes(doc)).toEqual(['n4:DUPLICATE_NODE_ID', 'n9:EDGE_TO_MISSING_NODE'])
  })

  it.each([
    ['negative', -5],
    ['zero', 0],
    ['non-integer', 12.5],
    ['NaN', Number.NaN],
    ['absurdly large', 1e12],
    ['a string', '128'],
    ['missing', undefined],
  ])('reports a %s out_features on the node', (_name, value) => {
    const doc = structuredClone(templates.lesson)
    doc.nodes[5]!.params.outFeatures = value
    if (value === undefined)
      doc.nodes[5]!.params = { inFeatures: 784, bias: true, outFeatures: null }
    const issue = only(doc, 'INVALID_PARAM')
    expect(issue.nodeId).toBe('n6')
    expect(issue.message).toMatch(
      /^Linear: out_features must be an integer from 1 to 100000, but got /,
    )
    expect(issue.fix).toEqual({
      kind: 'setParam',
      param: 'outFeatures',
      value: 128,
      label: 'Set out_features = 128',
    })
  })

  it('suggests the input size for an invalid in_features', () => {
    const doc = structuredClone(templates.lesson)
    doc.nodes[7]!.params.inFeatures = -1
    expect(only(doc, 'INVALID_PARAM').fix).toEqual({
      kind: 'setParam',
      param: 'inFeatures',
      value: 128,
      label: 'Set in_features = 128',
    })
  })

  it('reports invalid training settings on the graph', () => {
    const doc = { ...templates.lesson, training: { ...templates.lesson.training, lr: 0 } }
    expect(only(doc, 'INVALID_TRAINING_SETTING')).toMatchObject({
      nodeId: '',
      message: 'Training setting lr must be a number greater than 0 and at most 10, but got 0',
    })
  })

  it.each([
    ['null', null],
    ['an empty object', {}],
    ['nodes that are not objects', { nodes: [1, 'a', null, [], { id: 3 }], edges: [null, 5, {}] }],
    [
      'params that are not objects',
      { nodes: [{ id: 'a', type: 'Linear', params: 'x' }], edges: 'x' },
    ],
    [
      'a node whose params is an array',
      { nodes: [{ id: 'a', type: 'Normalize', params: [1] }], edges: [] },
    ],
  ])('never throws on %s', (_name, doc) => {
    const result = inferShapes(doc as unknown as GraphDocument)
    expect(result.issues.length).toBeGreaterThan(0)
    expect(result.issues.every((i) => typeof i.message === 'string')).toBe(true)
  })
})

describe('data pipeline', () => {
  it('asks for ToTensor before the DataLoader', () => {
    const doc = chainDoc([['MNIST'], ['DataLoader'], ...mlp, ['CrossEntropyLoss']])
    const issue = only(doc, 'MISSING_TO_TENSOR')
    expect(issue.message).toBe(
      "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found <class 'PIL.Image.Image'>",
    )
    const after = fixed(doc, issue)
    expect(codes(after)).toEqual(['n2:MISSING_NORMALIZE'])
    const normalize = inferShapes(after).issues[0]!
    expect(inferShapes(fixed(after, normalize)).issues).toEqual([])
  })

  it('asks for a DataLoader before the first layer', () => {
    const doc = chainDoc([...pipeline.slice(0, 3), ...mlp, ['CrossEntropyLoss']])
    const issue = only(doc, 'MISSING_DATALOADER')
    expect(issue.nodeId).toBe('n4')
    expect(inferShapes(fixed(doc, issue)).issues).toEqual([])
  })

  it("uses torchvision's wording for transforms in the wrong order", () => {
    expect(
      only(
        chainDoc([
          ['MNIST'],
          ['Normalize'],
          ['ToTensor'],
          ['DataLoader'],
          ...mlp,
          ['CrossEntropyLoss'],
        ]),
        'NORMALIZE_ON_IMAGE',
      ).message,
    ).toBe("img should be Tensor Image. Got <class 'PIL.Image.Image'>")
    expect(
      only(
        chainDoc([
          ['MNIST'],
          ['ToTensor'],
          ['ToTensor'],
          ['Normalize'],
          ['DataLoader'],
          ...mlp,
          ['CrossEntropyLoss'],
        ]),
        'TO_TENSOR_ON_TENSOR',
      ).fix?.kind,
    ).toBe('removeNode')
    expect(codes(chainDoc([...pipeline, ['Normalize'], ...mlp, ['CrossEntropyLoss']]))).toEqual([
      'n5:DATA_AFTER_DATALOADER',
    ])
    expect(codes(chainDoc([...pipeline, ...mlp, ['ToTensor'], ['CrossEntropyLoss']]))).toEqual([
      'n9:DATA_AFTER_LAYER',
    ])
  })

  it('sets Normalize to 1 channel when it has 3', () => {
    const doc = chainDoc([
      ['MNIST'],
      ['ToTensor'],
      ['Normalize', { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }],
      ['DataLoader'],
      ...mlp,
      ['CrossEntropyLoss'],
    ])
    const issue = only(doc, 'NORMALIZE_CHANNEL_MISMATCH')
    expect(issue.message).toBe(
      "output with shape [1, 28, 28] doesn't match the broadcast shape [3, 28, 28]",
    )
    expect(issue.fix).toEqual({
      kind: 'replaceNode',
      type: 'Normalize',
      params: { mean: [0.485], std: [0.229] },
      label: 'Set Normalize to 1 channel',
    })
    expect(inferShapes(fixed(doc, issue)).issues).toEqual([])
  })

  it('rejects a zero std', () => {
    const doc = chainDoc([
      ['MNIST'],
      ['ToTensor'],
      ['Normalize', { std: [0] }],
      ['DataLoader'],
      ...mlp,
      ['CrossEntropyLoss'],
    ])
    expect(only(doc, 'INVALID_PARAM').message).toBe(
      'Normalize: std must be a list of 1 to 16 numbers, each greater than 0 and at most 1000000, but got 0',
    )
  })
})

describe('warnings with fixes', () => {
  const warningsOf = (doc: GraphDocument) =>
    inferShapes(doc).issues.map((i) => {
      expect(i.severity).toBe('warning')
      return `${i.nodeId}:${i.code}`
    })

  it('warns about Softmax over the batch dimension', () => {
    const doc = lessonWith([...mlp, ['Softmax', { dim: 0 }]], ['MSELoss'])
    const issue = only(doc, 'SOFTMAX_OVER_BATCH')
    expect(issue).toMatchObject({
      nodeId: 'n9',
      severity: 'warning',
      fix: { kind: 'setParam', param: 'dim', value: 1, label: 'Set dim = 1' },
    })
    expect(inferShapes(fixed(doc, issue)).issues).toEqual([])
    expect(codes(lessonWith([...mlp, ['Softmax', { dim: -2 }]], ['MSELoss']))).toEqual([
      'n9:SOFTMAX_OVER_BATCH',
    ])
  })

  it.each(['Softmax', 'LogSoftmax'])('warns about %s right before CrossEntropyLoss', (type) => {
    const doc = lessonWith([...mlp, [type, { dim: 1 }]])
    expect(warningsOf(doc)).toEqual([`n9:SOFTMAX_BEFORE_CROSS_ENTROPY`])
    const issue = only(doc, 'SOFTMAX_BEFORE_CROSS_ENTROPY')
    expect(issue.fix).toEqual({ kind: 'removeNode', label: `Remove the ${type}` })
    const after = fixed(doc, issue)
    expect(inferShapes(after).issues).toEqual([])
    expect(after.nodes).toHaveLength(9)
  })

  it('accepts LogSoftmax + NLLLoss', () => {
    expect(codes(lessonWith([...mlp, ['LogSoftmax', { dim: 1 }]], ['NLLLoss']))).toEqual([])
  })

  it('turns Softmax + NLLLoss into LogSoftmax + NLLLoss', () => {
    const doc = lessonWith([...mlp, ['Softmax', { dim: 1 }]], ['NLLLoss'])
    const issue = only(doc, 'SOFTMAX_BEFORE_NLL')
    expect(issue.fix).toMatchObject({ kind: 'replaceNode', type: 'LogSoftmax', params: { dim: 1 } })
    expect(inferShapes(fixed(doc, issue)).issues).toEqual([])
  })

  it('asks for LogSoftmax before a bare NLLLoss', () => {
    const doc = lessonWith(mlp, ['NLLLoss'])
    const issue = only(doc, 'NLL_WITHOUT_LOG_SOFTMAX')
    expect(inferShapes(fixed(doc, issue)).issues).toEqual([])
  })

  it('warns when the training DataLoader does not shuffle', () => {
    const doc = chainDoc([
      ...pipeline.slice(0, 3),
      ['DataLoader', { shuffle: false }],
      ...mlp,
      ['CrossEntropyLoss'],
    ])
    const issue = only(doc, 'SHUFFLE_DISABLED')
    expect(issue.fix).toEqual({
      kind: 'setParam',
      param: 'shuffle',
      value: true,
      label: 'Set shuffle = True',
    })
    expect(inferShapes(fixed(doc, issue)).issues).toEqual([])
  })

  it('warns about missing normalization and inserts the dataset statistics', () => {
    const doc = chainDoc([
      ['FashionMNIST'],
      ['ToTensor'],
      ['DataLoader'],
      ...mlp,
      ['CrossEntropyLoss'],
    ])
    const issue = only(doc, 'MISSING_NORMALIZE')
    expect(issue.fix).toMatchObject({
      kind: 'insertBefore',
      type: 'Normalize',
      params: { mean: [0.286], std: [0.353] },
    })
    const after = fixed(doc, issue)
    expect(inferShapes(after).issues).toEqual([])
    expect(after.nodes.map((n) => n.type).slice(0, 4)).toEqual([
      'FashionMNIST',
      'ToTensor',
      'Normalize',
      'DataLoader',
    ])
  })

  it('warns when training on the test split', () => {
    const doc = chainDoc([
      ['MNIST', { train: false }],
      ...pipeline.slice(1),
      ...mlp,
      ['CrossEntropyLoss'],
    ])
    expect(warningsOf(doc)).toEqual(['n1:TRAINING_ON_TEST_SET'])
  })

  it('lists errors before warnings', () => {
    const doc = chainDoc([
      ...pipeline.slice(0, 3),
      ['DataLoader', { shuffle: false }],
      ...mlp,
      ['CrossEntropyLoss'],
    ])
    doc.nodes.push({ id: 'lone', type: 'ReLU', params: {}, position: { x: 0, y: 200 } })
    expect(codes(doc)).toEqual(['lone:DISCONNECTED_NODE', 'n4:SHUFFLE_DISABLED'])
    expect(inferShapes(doc).issues.map((i) => i.severity)).toEqual(['error', 'warning'])
  })
})

describe('every suggested fix', () => {
  it('removes its own issue', () => {
    const broken: GraphDocument[] = [
      lessonWith(mlp.slice(1)),
      lessonWith([['Flatten'], ['Linear', { inFeatures: 70, outFeatures: 10 }]]),
      lessonWith([
        ['Conv2d', { inChannels: 3 }],
        ['Flatten'],
        ['Linear', { inFeatures: 21632, outFeatures: 10 }],
      ]),
      lessonWith([
        ['MaxPool2d', { kernelSize: 30 }],
        ['Flatten'],
        ['Linear', { inFeatures: 1, outFeatures: 10 }],
      ]),
      lessonWith([
        ['Flatten'],
        ['BatchNorm1d', { numFeatures: 10 }],
        ['Linear', { inFeatures: 784, outFeatures: 10 }],
      ]),
      lessonWith([
        ['Flatten', { startDim: 5 }],
        ['Linear', { inFeatures: 784, outFeatures: 10 }],
      ]),
      lessonWith([
        ['Flatten'],
        ['Dropout', { p: 3 }],
        ['Linear', { inFeatures: 784, outFeatures: 10 }],
      ]),
      chainDoc([
        ['MNIST'],
        ['ToTensor'],
        ['ToTensor'],
        ['Normalize'],
        ['DataLoader'],
        ...mlp,
        ['CrossEntropyLoss'],
      ]),
    ]
    for (const doc of broken) {
      const first = errors(doc)[0]!
      expect(first.fix, first.code).toBeDefined()
      const after = inferShapes(fixed(doc, first)).issues
      expect(
        after.some((i) => i.nodeId === first.nodeId && i.code === first.code),
        first.code,
      ).toBe(false)
    }
  })
})
