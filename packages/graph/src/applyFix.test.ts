import { describe, expect, it } from 'vitest'
import { applyFix } from './applyFix.js'
import { GraphValidationError } from './GraphValidationError.js'
import { templates } from './templates.js'

const lesson = templates.lesson

describe('applyFix', () => {
  it('inserts a node before the target, rewiring and shifting what follows', () => {
    const doc = applyFix(lesson, 'n6', {
      kind: 'insertBefore',
      type: 'Dropout',
      params: { p: 0.1 },
      label: 'Insert Dropout before this node',
    })
    expect(doc.nodes.map((n) => n.id)).toEqual([
      'n1',
      'n2',
      'n3',
      'n4',
      'n5',
      'n10',
      'n6',
      'n7',
      'n8',
      'n9',
    ])
    expect(doc.nodes[5]).toEqual({
      id: 'n10',
      type: 'Dropout',
      params: { p: 0.1 },
      position: { x: 1100, y: 0 },
    })
    expect(doc.nodes[6]!.position).toEqual({ x: 1320, y: 0 })
    expect(doc.nodes[4]!.position).toEqual({ x: 880, y: 0 })
    expect(doc.edges.filter((e) => e.target === 'n10' || e.source === 'n10')).toEqual([
      { id: 'e5', source: 'n5', target: 'n10' },
      { id: 'e9', source: 'n10', target: 'n6' },
    ])
  })

  it('fills PyTorch defaults for an inserted node', () => {
    const doc = applyFix(lesson, 'n5', { kind: 'insertBefore', type: 'Flatten', label: 'x' })
    expect(doc.nodes.find((n) => n.id === 'n10')!.params).toEqual({ startDim: 1, endDim: -1 })
  })

  it('sets a parameter on fix.nodeId when given, else on the issue node', () => {
    const a = applyFix(lesson, 'n6', {
      kind: 'setParam',
      param: 'outFeatures',
      value: 64,
      label: 'x',
    })
    expect(a.nodes[5]!.params.outFeatures).toBe(64)
    const b = applyFix(lesson, 'n9', {
      kind: 'setParam',
      nodeId: 'n8',
      param: 'outFeatures',
      value: 5,
      label: 'x',
    })
    expect(b.nodes[7]!.params.outFeatures).toBe(5)
    expect(b.nodes[8]).toBe(lesson.nodes[8])
  })

  it('removes a node and joins its neighbours', () => {
    const doc = applyFix(lesson, 'n7', { kind: 'removeNode', label: 'x' })
    expect(doc.nodes.map((n) => n.id)).not.toContain('n7')
    expect(doc.edges.filter((e) => e.source === 'n6' || e.target === 'n8')).toEqual([
      { id: 'e9', source: 'n6', target: 'n8' },
    ])
    expect(doc.edges).toHaveLength(7)
  })

  it('replaces a node in place', () => {
    const doc = applyFix(lesson, 'n7', { kind: 'replaceNode', type: 'Tanh', label: 'x' })
    expect(doc.nodes[6]).toEqual({ ...lesson.nodes[6], type: 'Tanh', params: {} })
    expect(doc.edges).toBe(lesson.edges)
  })

  it('never changes the input document (templates are frozen)', () => {
    const before = JSON.stringify(lesson)
    applyFix(lesson, 'n6', { kind: 'insertBefore', type: 'Flatten', label: 'x' })
    applyFix(lesson, 'n6', { kind: 'setParam', param: 'inFeatures', value: 1, label: 'x' })
    applyFix(lesson, 'n6', { kind: 'removeNode', label: 'x' })
    expect(JSON.stringify(lesson)).toBe(before)
    expect(Object.isFrozen(lesson.nodes[0]!.params)).toBe(true)
  })

  it('does not share a fix value with the new document', () => {
    const value = [0.5]
    const doc = applyFix(lesson, 'n3', { kind: 'setParam', param: 'mean', value, label: 'x' })
    value.push(1)
    expect(doc.nodes[2]!.params.mean).toEqual([0.5])
  })

  it('throws a typed error when the node is gone', () => {
    expect(() => applyFix(lesson, 'n42', { kind: 'removeNode', label: 'x' })).toThrowError(
      new GraphValidationError([
        {
          code: 'FIX_TARGET_MISSING',
          path: 'nodes',
          message:
            'Cannot apply the fix: the document has no node "n42" (it may have been removed)',
        },
      ]),
    )
  })
})
