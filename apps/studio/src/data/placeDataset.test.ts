import { templates } from '@tensorloom/graph'
import { describe, expect, it } from 'vitest'
import { blockFor, fitsDigitPad, placeDataset } from './placeDataset'
import type { StoredMeta } from './summary'

const csv: StoredMeta = {
  id: 'local:iris-1',
  name: 'iris.csv',
  payload: 'data.csv',
  bytes: 2734,
  files: 1,
  createdAt: '2026-12-06T00:00:00.000Z',
  summary: {
    kind: 'csv',
    columns: ['0', '1', '2', '3', '4'],
    kinds: ['numeric', 'numeric', 'numeric', 'numeric', 'numeric'],
    rowCount: 150,
    header: false,
    skipRows: 1,
    target: '4',
    features: ['0', '1', '2', '3'],
    task: 'classification',
    classes: ['0', '1', '2'],
    counts: [50, 50, 50],
    labelNames: { '0': 'setosa' },
    preview: [],
    detected: null,
  },
}
const idx: StoredMeta = {
  ...csv,
  id: 'dataset:FashionMNIST',
  summary: { kind: 'idx', dataset: 'FashionMNIST', trainCount: 60_000, testCount: 10_000 },
}

describe('placeDataset', () => {
  it('makes a CSVDataset block from a scanned table', () => {
    expect(blockFor(csv)).toEqual({
      type: 'CSVDataset',
      params: {
        source: 'local:iris-1',
        features: ['0', '1', '2', '3'],
        target: '4',
        task: 'classification',
        classes: ['0', '1', '2'],
        header: false,
        skipRows: 1,
      },
    })
  })

  it('fills the block it was dropped on, keeping its place and wires', () => {
    const doc = structuredClone(templates.lesson)
    const mnist = doc.nodes.find((n) => n.type === 'MNIST')!
    const placed = placeDataset(doc, csv, { nodeId: mnist.id })
    expect(placed).toMatchObject({ nodeId: mnist.id, replaced: 'MNIST' })
    const node = placed.doc.nodes.find((n) => n.id === mnist.id)!
    expect(node.position).toEqual(mnist.position)
    expect(node.params).toMatchObject({ source: 'local:iris-1', skipRows: 1 })
    expect(placed.doc.edges).toEqual(doc.edges)
  })

  it('adds a block where it was dropped in a graph without a dataset', () => {
    const placed = placeDataset(structuredClone(templates.empty), csv, { at: { x: 40, y: 80 } })
    expect(placed.doc.nodes).toHaveLength(1)
    expect(placed.doc.nodes[0]).toMatchObject({ type: 'CSVDataset', position: { x: 40, y: 80 } })
  })

  it('leaves a graph that has a FashionMNIST block as it is when its files are dropped in', () => {
    const doc = structuredClone(templates.lesson)
    doc.nodes.find((n) => n.type === 'MNIST')!.type = 'FashionMNIST'
    expect(placeDataset(doc, idx, {}).doc).toBe(doc)
  })

  it('offers the digit pad for 28x28 gray images in 10 classes only', () => {
    const doc = structuredClone(templates.lesson)
    expect(fitsDigitPad(doc)).toBe(true)
    expect(fitsDigitPad(placeDataset(doc, csv, {}).doc)).toBe(false)
    expect(fitsDigitPad(structuredClone(templates.empty))).toBe(false)
  })
})
