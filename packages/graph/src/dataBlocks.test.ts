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

describe('your own data', () => {
  const folder = {
    source: 'pets',
    classes: ['cat', 'dog'],
    channels: 3,
    height: 40,
    width: 36,
  }

  it('describes an image folder from its scan: channels, size and classes', () => {
    const d = doc(
      [['ImageFolder', folder], ['RandomSplit'], ['ToTensor'], ['DataLoader']],
      [['Flatten'], ['Linear', { inFeatures: 3 * 40 * 36, outFeatures: 2 }]],
    )
    expect(errors(d)).toEqual([])
    expect(shapeAfter(d, 'n4')).toEqual([64, 3, 40, 36])
    expect(planGraph(d).loss?.classes).toBe(2)
  })

  it('needs two classes, asks for a Resize when sizes differ, and for a held-out split', () => {
    const one = doc([
      ['ImageFolder', { ...folder, classes: ['cat'] }],
      ['ToTensor'],
      ['DataLoader'],
    ])
    expect(errors(one)[0]).toMatchObject({
      nodeId: 'n1',
      code: 'DATASET_TOO_FEW_CLASSES',
      message:
        'ImageFolder has 1 class: a classifier needs at least 2 (one folder or label per class)',
    })
    const mixed = doc(
      [
        ['ImageFolder', { ...folder, mixedSizes: true }],
        ['RandomSplit'],
        ['ToTensor'],
        ['DataLoader'],
      ],
      [['Flatten'], ['Linear', { inFeatures: 3 * 40 * 36, outFeatures: 2 }]],
    )
    const [sizes] = errors(mixed)
    expect(sizes).toMatchObject({
      code: 'MIXED_IMAGE_SIZES',
      message:
        'The images of ImageFolder differ in size, but a batch stacks images of one size: resize them, e.g. Resize((40, 36)) before ToTensor',
      fix: { kind: 'insertBefore', nodeId: 'n3', type: 'Resize', params: { size: [40, 36] } },
    })
    expect(inferShapes(fixed(mixed, sizes!)).issues).toEqual([])
    const noSplit = doc(
      [['ImageFolder', folder], ['ToTensor'], ['DataLoader']],
      [['Flatten'], ['Linear', { inFeatures: 3 * 40 * 36, outFeatures: 2 }]],
    )
    const warning = inferShapes(noSplit).issues.find((i) => i.code === 'NO_TEST_SPLIT')!
    expect(warning.message).toBe(
      'ImageFolder has no test split: the test accuracy would be measured on the training samples. Add RandomSplit after it to hold some samples out',
    )
    expect(inferShapes(fixed(noSplit, warning)).issues).toEqual([])
  })

  it('reads a CSV table as rows of features, for classification or regression', () => {
    const table = {
      source: 'houses.csv',
      features: ['rooms', 'area', 'age'],
      target: 'price',
      task: 'regression',
      classes: [],
    }
    const regression = chainDoc([
      ['CSVDataset', table],
      ['RandomSplit'],
      ['DataLoader'],
      ['Linear', { inFeatures: 3, outFeatures: 1 }],
      ['MSELoss'],
    ])
    expect(inferShapes(regression).issues).toEqual([])
    expect(planGraph(regression).loss).toMatchObject({ target: 'value', classes: 1 })
    expect(toPyTorch(regression)).toContain(
      'loss = criterion(outputs, labels.float().view_as(outputs))',
    )
    const crossEntropy = chainDoc([
      ['CSVDataset', table],
      ['RandomSplit'],
      ['DataLoader'],
      ['Linear', { inFeatures: 3, outFeatures: 1 }],
      ['CrossEntropyLoss'],
    ])
    const [wrong] = errors(crossEntropy)
    expect(wrong).toMatchObject({
      code: 'LOSS_NEEDS_CLASSES',
      message:
        'CrossEntropyLoss needs class labels, but CSVDataset has numbers to predict (regression): use MSELoss',
    })
    expect(inferShapes(fixed(crossEntropy, wrong!)).issues).toEqual([])
    const images = chainDoc([
      ['CSVDataset', table],
      ['RandomSplit'],
      ['Resize'],
      ['DataLoader'],
      ['Linear', { inFeatures: 3, outFeatures: 1 }],
      ['MSELoss'],
    ])
    expect(errors(images)[0]).toMatchObject({ code: 'IMAGE_TRANSFORM_INPUT', nodeId: 'n3' })
  })

  it('draws 2-D toy problems with their classes', () => {
    const blobs = chainDoc([
      ['Toy2D', { problem: 'blobs', blobs: 4 }],
      ['RandomSplit'],
      ['DataLoader'],
      ['Linear', { inFeatures: 2, outFeatures: 4 }],
      ['CrossEntropyLoss'],
    ])
    expect(inferShapes(blobs).issues).toEqual([])
    expect(toPyTorch(blobs)).toContain(
      "dataset = toy_points('blobs', n_samples=1000, noise=0.1, blobs=4, seed=0)",
    )
  })
})
