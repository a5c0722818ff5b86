import { templates } from '@tensorloom/graph'
import { describe, expect, it } from 'vitest'
import { withAutoLayout } from './autoLayout'
import { graphChanges, summarizeChanges } from './graphDiff'

const lesson = () => withAutoLayout(structuredClone(templates.lesson))

describe('graphChanges', () => {
  it('is empty for the same network, however its blocks were moved', () => {
    const doc = lesson()
    const moved = { ...doc, nodes: doc.nodes.map((n) => ({ ...n, position: { x: 0, y: 0 } })) }
    expect(graphChanges(doc, moved)).toEqual([])
  })

  it('names removed blocks, parameters, settings and the name', () => {
    const doc = lesson()
    const relu = doc.nodes.find((n) => n.type === 'ReLU')!
    const changed = {
      ...doc,
      name: 'Mine',
      training: { ...doc.training, lr: 0.01 },
      nodes: doc.nodes
        .filter((n) => n.id !== relu.id)
        .map((n) => (n.id === 'n6' ? { ...n, params: { ...n.params, outFeatures: 64 } } : n)),
      edges: doc.edges.filter((e) => e.source !== relu.id && e.target !== relu.id),
    }
    expect(graphChanges(doc, changed)).toEqual([
      `ReLU (${relu.id}) removed`,
      'Linear (n6) out_features 128 → 64',
      'learning rate 0.001 → 0.01',
      'renamed “MNIST lesson” → “Mine”',
    ])
    expect(summarizeChanges(graphChanges(doc, changed), 2)).toBe(
      `ReLU (${relu.id}) removed; Linear (n6) out_features 128 → 64; and 2 more`,
    )
  })

  it('says so in one line when another network is on the canvas', () => {
    const other = withAutoLayout(structuredClone(templates.smallCnn))
    expect(graphChanges(lesson(), other)).toEqual([
      'a different network is on the canvas (“Small CNN”)',
    ])
  })

  it('says when only the wires changed', () => {
    const doc = lesson()
    const edges = doc.edges.filter((e) => !(e.source === 'n7' && e.target === 'n8'))
    expect(graphChanges(doc, { ...doc, edges })).toEqual(['wires changed'])
  })
})
