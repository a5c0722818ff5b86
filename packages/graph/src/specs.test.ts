import { describe, expect, it } from 'vitest'
import { inferShapes } from './inferShapes.js'
import { modelChain } from './modelChain.js'
import { formatPython, isValidValue, nodeSpecs, nodeTypes, validateParam } from './specs.js'
import { templates } from './templates.js'
import { validateTrainingSetting } from './training.js'

describe('nodeSpecs', () => {
  it('describes every node type with valid defaults', () => {
    expect(nodeTypes).toHaveLength(29)
    for (const type of nodeTypes) {
      const spec = nodeSpecs[type]
      expect(spec.type).toBe(type)
      expect(spec.description.length).toBeGreaterThan(10)
      expect(Object.keys(spec.defaults).sort()).toEqual(spec.params.map((p) => p.name).sort())
      for (const p of spec.params) {
        expect(isValidValue(p, spec.defaults[p.name]), `${type}.${p.name}`).toBe(true)
        expect(p.help.length).toBeGreaterThan(5)
      }
    }
  })

  it('uses PyTorch snake_case labels and defaults', () => {
    expect(nodeSpecs.Linear.params.map((p) => p.label)).toEqual([
      'in_features',
      'out_features',
      'bias',
    ])
    expect(nodeSpecs.Conv2d.defaults).toMatchObject({ stride: 1, padding: 0, bias: true })
    expect(nodeSpecs.BatchNorm1d.defaults).toMatchObject({ eps: 1e-5, momentum: 0.1 })
    expect(nodeSpecs.MaxPool2d.defaults).toEqual({ kernelSize: 2, stride: null })
    expect(nodeSpecs.Normalize.defaults).toEqual({ mean: [0.1307], std: [0.3081] })
    expect(nodeSpecs.CrossEntropyLoss.defaults).toEqual({ labelSmoothing: 0, reduction: 'mean' })
    expect(nodeSpecs.ReLU.category).toBe('activations')
    expect(nodeSpecs.DataLoader.category).toBe('data')
    expect(nodeSpecs.NLLLoss.category).toBe('losses')
  })
})

describe('validateParam', () => {
  it('returns null for valid values and a message otherwise', () => {
    expect(validateParam('Linear', 'inFeatures', 784)).toBeNull()
    expect(validateParam('Linear', 'inFeatures', 0)).toBe(
      'Linear: in_features must be an integer from 1 to 100000, but got 0',
    )
    expect(validateParam('MaxPool2d', 'stride', null)).toBeNull()
    expect(validateParam('MaxPool2d', 'stride', 0)).toBe(
      'MaxPool2d: stride must be empty or an integer from 1 to 256, but got 0',
    )
    expect(validateParam('Dropout', 'p', 1.5)).toBe(
      'dropout probability has to be between 0 and 1, but got 1.5',
    )
    expect(validateParam('NLLLoss', 'reduction', 'avg')).toBe(
      `NLLLoss: reduction must be one of 'mean', 'sum', 'none', but got "avg"`,
    )
    expect(validateParam('Normalize', 'mean', [])).toMatch(
      /^Normalize: mean must be a list of 1 to 16 numbers/,
    )
    expect(validateParam('Linear', 'bias', 'yes')).toBe(
      'Linear: bias must be true or false, but got "yes"',
    )
    expect(validateParam('Linear', 'size', 1)).toBe(
      'Linear has no parameter "size": expected inFeatures, outFeatures, bias',
    )
  })

  it('validates training settings', () => {
    expect(validateTrainingSetting('lr', 0.01)).toBeNull()
    expect(validateTrainingSetting('epochs', 0)).toBe(
      'epochs must be an integer from 1 to 1000, but got 0',
    )
  })
})

describe('formatPython', () => {
  it('writes Python literals', () => {
    expect([true, null, [0.1307], [1, 2], 'mean', 1e-5, 784].map(formatPython)).toEqual([
      'True',
      'None',
      '(0.1307,)',
      '(1, 2)',
      "'mean'",
      '1e-05',
      '784',
    ])
  })
})

describe('templates', () => {
  it("hold the lesson's pipeline and network, laid out left to right", () => {
    const { lesson } = templates
    expect(lesson.nodes.map((n) => n.type)).toEqual([
      'MNIST',
      'ToTensor',
      'Normalize',
      'DataLoader',
      'Flatten',
      'Linear',
      'ReLU',
      'Linear',
      'CrossEntropyLoss',
    ])
    expect(lesson.training).toEqual({
      optimizer: 'Adam',
      lr: 0.001,
      momentum: 0.9,
      epochs: 1,
      seed: 42,
    })
    for (const doc of Object.values(templates)) {
      const xs = doc.nodes.map((n) => n.position.x)
      expect(xs).toEqual([...xs].sort((a, b) => a - b))
      expect(new Set(xs).size).toBe(xs.length)
    }
  })

  it('are valid networks except the empty one', () => {
    for (const [name, doc] of Object.entries(templates)) {
      expect(inferShapes(doc).issues.length === 0, name).toBe(name !== 'empty')
    }
  })
})

describe('modelChain', () => {
  it('splits the lesson into data, layers and loss', () => {
    const chain = modelChain(templates.lesson)
    expect(chain.data.map((n) => n.type)).toEqual(['MNIST', 'ToTensor', 'Normalize', 'DataLoader'])
    expect(chain.layers.map((n) => n.id)).toEqual(['n5', 'n6', 'n7', 'n8'])
    expect(chain.loss?.type).toBe('CrossEntropyLoss')
  })

  it('follows edges, not the order of the node list', () => {
    const doc = { ...templates.lesson, nodes: [...templates.lesson.nodes].reverse() }
    expect(modelChain(doc).layers.map((n) => n.id)).toEqual(['n5', 'n6', 'n7', 'n8'])
  })

  it('starts at the first unconnected-input node without a dataset and stops on cycles', () => {
    const doc = {
      ...templates.lesson,
      nodes: templates.lesson.nodes.slice(4),
      edges: [...templates.lesson.edges.slice(4), { id: 'back', source: 'n8', target: 'n6' }],
    }
    const chain = modelChain(doc)
    expect(chain.data).toEqual([])
    expect(chain.layers.map((n) => n.id)).toEqual(['n5', 'n6', 'n7', 'n8'])
    expect(modelChain(templates.empty)).toEqual({ data: [], layers: [], loss: null })
  })
})
