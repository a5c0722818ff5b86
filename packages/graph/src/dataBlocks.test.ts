import { describe, expect, it } from 'vitest'
import { chainDoc, type Step } from '../test/graphs.js'
import { applyFix } from './applyFix.js'
import { toPyTorch } from './codegen/toPyTorch.js'
import { inferShapes } from './inferShapes.js'
import { planGraph } from './planGraph.js'
import type { GraphDocument, NodeIssue } from './types.js'

const head: Step[] = [['Flatten'], ['Linear', { inFeatures: 784, outFeatures: 10 }]]
const doc = (data: Step[], layers: Step[] = head): GraphDocument =>
  chainDoc([...data, ...layers, ['CrossEntropyLoss']])
const errors = (d: GraphDocument) => inferShapes(d).issues.filter((i) => i.severity === 'error')
const fixed = (d: GraphDocument, issue: NodeIssue) => applyFix(d, issue.nodeId, issue.fix!)
const shapeAfter = (d: GraphDocument, id: string) => inferShapes(d).nodes[id]?.outputShape

describe('image transforms', () => {
  it('resize, crop and turn gray the way torchvision does', () => {
    const d = doc(
      [
        ['CIFAR10'],
        ['Resize', { size: [40] }],
        ['CenterCrop', { size: [36, 30] }],
        ['RandomCrop', { size: [28], padding: 0 }],
        ['RandomHorizontalFlip'],
        ['RandomRotation', { degrees: 10 }],
        ['Grayscale'],
        ['ToTensor'],
        ['Normalize', { mean: [0.4821], std: [0.244] }],
        ['DataLoader'],
      ],
      head,
    )
    expect(inferShapes(d).issues).toEqual([])
    expect(shapeAfter(d, 'n1')).toEqual([3, 32, 32])
    expect(shapeAfter(d, 'n2')).toEqual([3, 40, 40])
    expect(shapeAfter(d, 'n3')).toEqual([3, 36, 30])
    expect(shapeAfter(d, 'n4')).toEqual([3, 28, 28])
    expect(shapeAfter(d, 'n7')).toEqual([1, 28, 28])
    expect(shapeAfter(d, 'n10')).toEqual([64, 1, 28, 28])
  })

  it('keeps the aspect ratio when Resize gets one number (the smaller edge)', () => {
    const d = doc(
      [['MNIST'], ['Resize', { size: [14] }], ['ToTensor'], ['Normalize'], ['DataLoader']],
      [['Flatten'], ['Linear', { inFeatures: 196, outFeatures: 10 }]],
    )
    expect(inferShapes(d).issues).toEqual([])
    expect(shapeAfter(d, 'n2')).toEqual([1, 14, 14])
  })

  it("refuses a crop larger than the padded image in torchvision's words, and pads on request", () => {
    const d = doc(
      [
        ['MNIST'],
        ['RandomCrop', { size: [32], padding: 0 }],
        ['ToTensor'],
        ['Normalize'],
        ['DataLoader'],
      ],
      [['Flatten'], ['Linear', { inFeatures: 1024, outFeatures: 10 }]],
    )
    const [issue] = errors(d)
    expect(issue).toMatchObject({
      nodeId: 'n2',
      code: 'CROP_TOO_LARGE',
      message: 'Required crop size (32, 32) is larger than input image size (28, 28)',
      fix: { kind: 'setParam', param: 'padding', value: 2 },
    })
    expect(inferShapes(fixed(d, issue!)).issues).toEqual([])
  })

  it('asks for the CIFAR-10 statistics when nothing normalizes the colour images', () => {
    const d = doc(
      [['CIFAR10'], ['ToTensor'], ['DataLoader']],
      [['Flatten'], ['Linear', { inFeatures: 3072, outFeatures: 10 }]],
    )
    const warning = inferShapes(d).issues.find((i) => i.code === 'MISSING_NORMALIZE')!
    expect(warning.message).toBe(
      'The images are not normalized: add Normalize((0.4914, 0.4822, 0.4465), (0.247, 0.2435, 0.2616)) after ToTensor so inputs are centred around 0 and the model learns faster',
    )
    expect(inferShapes(fixed(d, warning)).issues).toEqual([])
  })

  it('refuses num_output_channels = 2 as torchvision does', () => {
    const d = doc([
      ['CIFAR10'],
      ['Grayscale', { numOutputChannels: 2 }],
      ['ToTensor'],
      ['DataLoader'],
    ])
    expect(errors(d)[0]).toMatchObject({
      code: 'GRAYSCALE_CHANNELS',
      message: 'num_output_channels should be either 1 or 3, but got 2',
    })
  })
})

describe('RandomSplit', () => {
  it('holds samples out right after the dataset, and the plan and export say how', () => {
    const d = doc([
      ['MNIST'],
      ['RandomSplit', { train: 0.9, seed: 7 }],
      ['ToTensor'],
      ['Normalize'],
      ['DataLoader'],
    ])
    expect(inferShapes(d).issues).toEqual([])
    expect(planGraph(d).split).toEqual({ train: 0.9, seed: 7 })
    const script = toPyTorch(d)
    expect(script).toContain('from torch.utils.data import DataLoader, random_split')
    expect(script).toContain(
      '    dataset = datasets.MNIST(root=args.data_root, train=True, download=True, transform=transform)\n' +
        '    train_dataset, test_dataset = random_split(dataset, [0.9, 0.1], generator=torch.Generator().manual_seed(7))',
    )
  })

  it('must follow the dataset directly', () => {
    const d = doc([['MNIST'], ['ToTensor'], ['RandomSplit'], ['Normalize'], ['DataLoader']])
    expect(errors(d)).toEqual([
      expect.objectContaining({
        nodeId: 'n3',
        code: 'RANDOM_SPLIT_PLACE',
        message:
          'RandomSplit splits a dataset into training and test samples: put it right after the dataset, not after ToTensor',
      }),
    ])
  })
})
