import { type GraphDocument, parseGraph, templates } from '@tensorloom/graph'
import { act } from 'react'
import { describe, expect, it } from 'vitest'
import { createStudioStore } from '../store/createStudioStore'
import type { TrainedModel } from '../store/trainingSlice'
import type { TrainerPort } from '../worker/trainerClient'
import { FileMenu } from './FileMenu'
import { mount } from './mountForTest'

/** A table classifier: CSVDataset → RandomSplit → DataLoader → Linear → CrossEntropyLoss. */
function tableDoc(): GraphDocument {
  const steps: Array<[string, object]> = [
    [
      'CSVDataset',
      { source: 'iris.csv', features: ['a', 'b', 'c', 'd'], target: 'e', classes: ['x', 'y', 'z'] },
    ],
    ['RandomSplit', {}],
    ['DataLoader', {}],
    ['Linear', { inFeatures: 4, outFeatures: 3 }],
    ['CrossEntropyLoss', {}],
  ]
  return parseGraph({
    version: 1,
    name: 'Iris',
    nodes: steps.map(([type, params], i) => ({
      id: `n${i + 1}`,
      type,
      params,
      position: { x: 0, y: i * 100 },
    })),
    edges: steps
      .slice(1)
      .map((_, i) => ({ id: `e${i + 1}`, source: `n${i + 1}`, target: `n${i + 2}` })),
    training: { optimizer: 'Adam', lr: 0.001, momentum: 0.9, epochs: 1, seed: 0 },
  })
}

function packageItem(doc: GraphDocument) {
  const trainer = { subscribe: () => () => {} } as unknown as TrainerPort
  const store = createStudioStore({ initialDoc: structuredClone(doc), trainer })
  store.setState({ model: { doc, steps: 10 } as unknown as TrainedModel })
  const container = mount(<FileMenu />, store)
  act(() => container.querySelector<HTMLButtonElement>('[data-testid="file-menu"]')!.click())
  return [...container.querySelectorAll<HTMLButtonElement>('[role="menuitem"]')].find((b) =>
    b.textContent?.includes('as npm package'),
  )!
}

describe('File → Export as npm package', () => {
  it('is offered for a trained image classifier', () => {
    const item = packageItem(templates.lesson)
    expect(item.disabled).toBe(false)
    expect(item.textContent).toContain('A .tgz to npm publish')
  })

  it('is not offered for a network on a table, and says what to export instead', () => {
    const item = packageItem(tableDoc())
    expect(item.disabled).toBe(true)
    expect(item.textContent).toContain(
      'Image classifiers only: export this one to PyTorch or TypeScript',
    )
  })
})
