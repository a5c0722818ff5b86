import { describe, expect, it } from 'vitest'
import { applyFix } from './applyFix.js'
import { fitToInput } from './fitToInput.js'
import {
  addNode,
  categoryOf,
  connect,
  connectionProblem,
  copySelection,
  deleteElements,
  edgePorts,
  hasInput,
  hasOutput,
  inputPorts,
  mergePorts,
  moveNodes,
  paste,
  reaches,
  reconnect,
  setParam,
  spliceIntoEdge,
  spliceProblem,
} from './graphEdit.js'
import { inferShapes } from './inferShapes.js'
import { isDatasetType, isLossType } from './modelChain.js'
import { nodeSpecs, nodeTypes } from './specs.js'
import { templates } from './templates.js'
import type { GraphDocument, GraphEdge, NodeType } from './types.js'

// n1 MNIST -> n2 ToTensor -> n3 Normalize -> n4 DataLoader -> n5 Flatten -> n6 Linear -> n7 ReLU
// -> n8 Linear -> n9 CrossEntropyLoss, edges e1 to e8. Deeply frozen: an edit that changed its
// input would throw.
const lesson = templates.lesson

/** The edges as `source>target` (`source>target.port`), in order. */
const wires = (doc: GraphDocument) =>
  doc.edges.map((e) => `${e.source}>${e.target}${e.targetPort ? `.${e.targetPort}` : ''}`)

const unique = (ids: readonly string[]) => new Set(ids).size === ids.length

describe('categoryOf, hasInput, hasOutput', () => {
  it('follow the node specs: datasets take no input, losses have no output', () => {
    expect(categoryOf('Normalize')).toBe('data')
    expect(categoryOf('Linear')).toBe('layers')
    expect(categoryOf('ReLU')).toBe('activations')
    expect(categoryOf('NLLLoss')).toBe('losses')
    expect(nodeTypes.filter((t) => !hasInput(t))).toEqual(nodeTypes.filter((t) => isDatasetType(t)))
    expect(nodeTypes.filter((t) => !hasInput(t))).toContain('MNIST')
    for (const type of nodeTypes) {
      expect(hasInput(type), type).toBe(!isDatasetType(type))
      expect(hasOutput(type), type).toBe(!isLossType(type))
      expect(hasOutput(type), type).toBe(nodeSpecs[type].category !== 'losses')
    }
  })
})

describe('addNode', () => {
  it('adds a node with PyTorch defaults and a fresh id', () => {
    const { doc, id } = addNode(lesson, 'Dropout', { x: 10, y: 20 })
    expect(id).toBe('n10')
    expect(doc.nodes.at(-1)).toEqual({
      id: 'n10',
      type: 'Dropout',
      params: { p: 0.5 },
      position: { x: 10, y: 20 },
    })
    expect(doc.edges).toBe(lesson.edges)
    expect(addNode(templates.empty, 'MNIST', { x: 0, y: 0 }).id).toBe('n1')
  })

  it("copies the defaults: editing the node's params leaves the specs alone", () => {
    const { doc } = addNode(lesson, 'Normalize', { x: 0, y: 0 })
    const params = doc.nodes.at(-1)!.params as { mean: number[] }
    params.mean.push(1)
    expect(nodeSpecs.Normalize.defaults).toEqual({ mean: [0.1307], std: [0.3081] })
  })
})

describe('reaches', () => {
  it('follows edges downstream only', () => {
    expect(reaches(lesson, 'n1', 'n9')).toBe(true)
    expect(reaches(lesson, 'n9', 'n1')).toBe(false)
    expect(reaches(lesson, 'n5', 'n5')).toBe(true)
  })

  it('ends on a cyclic document', () => {
    const cyclic = { ...lesson, edges: [...lesson.edges, { id: 'e9', source: 'n8', target: 'n6' }] }
    expect(reaches(cyclic, 'n6', 'n4')).toBe(false)
  })
})

describe('connectionProblem', () => {
  it.each([
    [{ source: 'n6', target: 'gone' }, 'Both ends must be blocks on the canvas.'],
    [{ source: 'n6', target: 'n6' }, 'A block cannot feed itself.'],
    [
      { source: 'n9', target: 'n6' },
      'CrossEntropyLoss is the end of the pipeline: it has no output.',
    ],
    [{ source: 'n6', target: 'n1' }, 'MNIST is a dataset: it takes no input.'],
    [{ source: 'n6', target: 'n3' }, 'A Linear output cannot feed Normalize.'],
    [
      { source: 'n4', target: 'n9' },
      'DataLoader cannot feed CrossEntropyLoss directly: add the model in between.',
    ],
    [{ source: 'n8', target: 'n6' }, 'That connection would form a cycle.'],
  ])('refuses %o: %s', (request, message) => {
    expect(connectionProblem(lesson, request)).toBe(message)
    expect(connect(lesson, request)).toBeNull()
  })

  it('allows joins into free inputs along the pipeline, and data into a named input of a loss', () => {
    const cut = deleteElements(lesson, [], ['e3', 'e6'])
    expect(connectionProblem(cut, { source: 'n5', target: 'n7' })).toBeNull()
    expect(connectionProblem(cut, { source: 'n2', target: 'n4' })).toBeNull()
    expect(connectionProblem(lesson, { source: 'n4', target: 'n9', targetPort: 'target' })).toBe(
      null,
    )
  })

  it('refuses a second wire into an input and says what to do', () => {
    expect(connectionProblem(lesson, { source: 'n5', target: 'n7' })).toBe(
      'ReLU takes one input, and Linear (n6) is already connected: remove that wire first (or use an Add or Concat block to join both)',
    )
    // The same wire again is a second wire too.
    expect(connectionProblem(lesson, { source: 'n6', target: 'n7' })).toMatch(
      /^ReLU takes one input, and Linear \(n6\)/,
    )
    const withTarget = connect(lesson, { source: 'n4', target: 'n9', targetPort: 'target' })!
    expect(
      connectionProblem(withTarget, { source: 'n3', target: 'n9', targetPort: 'target' }),
    ).toBe(
      "CrossEntropyLoss's input target is already connected to DataLoader (n4): remove that wire first",
    )
  })
})

describe('merge ports', () => {
  // n7 ReLU feeds n8 Linear -> n9 ReLU -> n10 Linear -> n11 Add.a, and n11 Add.b (the skip).
  const residual = templates.residualMlp
  const open = deleteElements(residual, [], ['e10', 'e11']) // both wires into the Add

  it('a wire into a merge takes the port it names, or the first free one', () => {
    const b = connect(open, { source: 'n7', target: 'n11', targetPort: 'b' })!
    expect(wires(b).at(-1)).toBe('n7>n11.b')
    const a = connect(b, { source: 'n10', target: 'n11' })!
    expect(wires(a).at(-1)).toBe('n10>n11.a')
    expect(inferShapes(a).issues).toEqual([])
    expect(connect(a, { source: 'n9', target: 'n11' })).toBeNull()
    expect(connectionProblem(a, { source: 'n9', target: 'n11' })).toBe(
      "Add's inputs a and b are both connected: remove one of those wires first",
    )
  })

  it('refuses a taken port, naming the free one, and a port the block does not have', () => {
    const a = connect(open, { source: 'n10', target: 'n11', targetPort: 'a' })!
    expect(connectionProblem(a, { source: 'n7', target: 'n11', targetPort: 'a' })).toBe(
      "Add's input a is already connected to Linear (n10): remove that wire first, or connect to input b",
    )
    expect(connectionProblem(a, { source: 'n7', target: 'n11', targetPort: 'c' })).toBe(
      'Add has no input "c": its inputs are a, b',
    )
    const concat = templates.twoTower // n7 ReLU -> n10 Concat.0, n9 Tanh -> n10 Concat.1
    expect(connectionProblem(concat, { source: 'n5', target: 'n10', targetPort: 'x' })).toBe(
      'Concat has no input "x"',
    )
    expect(connectionProblem(concat, { source: 'n5', target: 'n10', targetPort: '1' })).toBe(
      "Concat's input 1 is already connected to Tanh (n9): remove that wire first",
    )
    expect(wires(connect(concat, { source: 'n5', target: 'n10' })!).at(-1)).toBe('n5>n10.2')
    expect(wires(connect(concat, { source: 'n5', target: 'n10', targetPort: '7' })!).at(-1)).toBe(
      'n5>n10.7',
    )
  })

  it('inputPorts lists the ports a block shows; edgePorts the port each wire takes', () => {
    expect(inputPorts(residual, 'n11')).toEqual(['a', 'b'])
    expect(inputPorts(open, 'n11')).toEqual(['a', 'b'])
    expect(inputPorts(residual, 'n12')).toEqual([])
    expect(inputPorts(templates.twoTower, 'n10')).toEqual(['0', '1', '2'])
    const fresh = addNode(lesson, 'Concat', { x: 0, y: 0 })
    expect(inputPorts(fresh.doc, fresh.id)).toEqual(['0', '1'])
    const gap = deleteElements(templates.twoTower, [], ['e9']) // n7 -> Concat.0
    expect(inputPorts(gap, 'n10')).toEqual(['1', '2'])
    // Version 1 documents' wires into a merge name no port: each takes the first free one.
    const unnamed: GraphDocument = {
      ...residual,
      edges: residual.edges.map(({ targetPort: _, ...e }) => e),
    }
    expect(Object.fromEntries(edgePorts(unnamed, 'n11'))).toEqual({ e10: 'a', e11: 'b' })
    expect(Object.fromEntries(edgePorts(residual, 'n12'))).toEqual({ e12: undefined })
    const wrong: GraphDocument = {
      ...residual,
      edges: residual.edges.map((e) => (e.id === 'e11' ? { ...e, targetPort: 'c' } : e)),
    }
    expect(inputPorts(wrong, 'n11')).toEqual(['a', 'b', 'c'])
    // All merge blocks at once.
    const all = mergePorts(templates.smallResNet)
    expect([...all.keys()]).toEqual(['n14', 'n21'])
    expect(all.get('n14')).toEqual({
      ports: ['a', 'b'],
      edges: new Map([
        ['e13', 'a'],
        ['e14', 'b'],
      ]),
    })
    expect(mergePorts(unnamed).get('n11')?.edges).toEqual(edgePorts(unnamed, 'n11'))
  })
})

describe('connect', () => {
  it('refuses a second wire into a one-input block instead of replacing the first', () => {
    expect(connect(lesson, { source: 'n5', target: 'n7' })).toBeNull()
    // With ReLU's wire from the first Linear (e6) removed, the new one goes in, under a fresh id.
    const doc = connect(deleteElements(lesson, [], ['e6']), { source: 'n5', target: 'n7' })!
    expect(doc.edges.filter((e) => e.target === 'n7')).toEqual([
      { id: 'e9', source: 'n5', target: 'n7' },
    ])
    expect(doc.edges).toHaveLength(lesson.edges.length)
    expect(doc.nodes).toEqual(lesson.nodes)
  })

  it('keeps edges into other inputs of the same node', () => {
    const withTarget = connect(lesson, { source: 'n4', target: 'n9', targetPort: 'target' })!
    expect(wires(withTarget).filter((w) => w.startsWith('n4>') || w.includes('>n9'))).toEqual([
      'n4>n5',
      'n8>n9',
      'n4>n9.target',
    ])
    expect(withTarget.edges.at(-1)).toEqual({
      id: 'e9',
      source: 'n4',
      target: 'n9',
      targetPort: 'target',
    })
    expect(connect(withTarget, { source: 'n3', target: 'n9', targetPort: 'target' })).toBeNull()
  })
})

describe('spliceIntoEdge', () => {
  it('puts a new block into a wire: the source feeds it, it feeds the target', () => {
    const { doc, id } = addNode(lesson, 'Dropout', { x: 0, y: 0 })
    const wire = doc.edges.find((e) => e.source === 'n7' && e.target === 'n8')!
    const spliced = spliceIntoEdge(doc, wire.id, id)!
    expect(wires(spliced)).toEqual([
      'n1>n2',
      'n2>n3',
      'n3>n4',
      'n4>n5',
      'n5>n6',
      'n6>n7',
      'n10>n8',
      'n8>n9',
      'n7>n10',
    ])
    expect(unique(spliced.edges.map((e) => e.id))).toBe(true)
    expect(inferShapes(spliced).issues).toEqual([])
  })

  it("keeps a merge's port", () => {
    const residual = templates.residualMlp
    const into = residual.edges.find((e) => e.target === 'n11' && e.targetPort === 'b')!
    const { doc, id } = addNode(residual, 'Identity', { x: 0, y: 0 })
    const spliced = spliceIntoEdge(doc, into.id, id)!
    expect(spliced.edges.find((e) => e.source === id)).toMatchObject({
      target: 'n11',
      targetPort: 'b',
    })
    expect(spliced.edges.find((e) => e.target === id)?.source).toBe(into.source)
  })

  it('refuses datasets, losses and blocks that are wired already, saying why', () => {
    const wire = lesson.edges.find((e) => e.source === 'n7')!
    const mnist = addNode(lesson, 'MNIST', { x: 0, y: 0 })
    expect(spliceIntoEdge(mnist.doc, wire.id, mnist.id)).toBeNull()
    expect(spliceProblem(mnist.doc, wire.id, mnist.id)).toBe(
      'MNIST is a dataset: it takes no input.',
    )
    const loss = addNode(lesson, 'NLLLoss', { x: 0, y: 0 })
    expect(spliceProblem(loss.doc, wire.id, loss.id)).toMatch(/no output/)
    expect(spliceProblem(lesson, wire.id, 'n5')).toMatch(/already wired/)
    // A data transform cannot go after a layer.
    const norm = addNode(lesson, 'Normalize', { x: 0, y: 0 })
    expect(spliceProblem(norm.doc, wire.id, norm.id)).toBe('A ReLU output cannot feed Normalize.')
  })
})

describe('fitToInput', () => {
  it('sets the size parameters the input decides, and nothing else', () => {
    const { doc, id } = addNode(lesson, 'Linear', { x: 0, y: 0 })
    const wire = doc.edges.find((e) => e.source === 'n7')!
    const spliced = spliceIntoEdge(setParam(doc, id, 'outFeatures', 128), wire.id, id)!
    const fitted = fitToInput(spliced, id)
    expect(fitted.nodes.find((n) => n.id === id)?.params).toMatchObject({
      inFeatures: 128,
      outFeatures: 128,
    })
    expect(inferShapes(fitted).issues).toEqual([])
    // Already fitting: the same document back.
    expect(fitToInput(fitted, id)).toBe(fitted)
    const bn = addNode(lesson, 'BatchNorm1d', { x: 0, y: 0 })
    const fed = connect(
      { ...bn.doc, edges: bn.doc.edges.filter((e) => e.source !== 'n7') },
      { source: 'n7', target: bn.id },
    )!
    expect(fitToInput(fed, bn.id).nodes.find((n) => n.id === bn.id)?.params.numFeatures).toBe(128)
  })
})

describe('reconnect', () => {
  it('moves an edge, judging the new ends without it', () => {
    // DataLoader -> Linear is refused while Flatten's wire e5 feeds the Linear; moving e5's
    // source end there is allowed.
    expect(connect(lesson, { source: 'n4', target: 'n6' })).toBeNull()
    const doc = reconnect(lesson, 'e5', { source: 'n4', target: 'n6' })!
    expect(wires(doc).filter((w) => w.endsWith('>n6'))).toEqual(['n4>n6'])
    expect(doc.edges.find((e) => e.source === 'n4' && e.target === 'n6')?.id).toBe('e9')
    // Linear -> Flatten would be a cycle through e5 but not without it; Flatten's input is taken.
    expect(reconnect(lesson, 'e5', { source: 'n6', target: 'n5' })).toBeNull()
  })

  it('returns null when the new ends are refused', () => {
    expect(reconnect(lesson, 'e8', { source: 'n9', target: 'n8' })).toBeNull()
  })
})

describe('deleteElements', () => {
  it('bridges a deleted node in a chain', () => {
    const doc = deleteElements(lesson, ['n5'])
    expect(doc.nodes.map((n) => n.id)).not.toContain('n5')
    expect(wires(doc)).toEqual(['n1>n2', 'n2>n3', 'n3>n4', 'n6>n7', 'n7>n8', 'n8>n9', 'n4>n6'])
    expect(doc.edges.at(-1)?.id).toBe('e9')
  })

  it('bridges through a run of deleted nodes with one edge, in any order', () => {
    for (const ids of [
      ['n5', 'n6', 'n7'],
      ['n7', 'n5', 'n6'],
    ]) {
      const doc = deleteElements(lesson, ids)
      expect(doc.nodes.map((n) => n.type)).toEqual([
        'MNIST',
        'ToTensor',
        'Normalize',
        'DataLoader',
        'Linear',
        'CrossEntropyLoss',
      ])
      expect(wires(doc)).toEqual(['n1>n2', 'n2>n3', 'n3>n4', 'n8>n9', 'n4>n8'])
    }
  })

  it('leaves a gap where the bridge would be refused', () => {
    // DataLoader straight into the loss is not a connection the editor makes.
    const doc = deleteElements(lesson, ['n5', 'n6', 'n7', 'n8'])
    expect(wires(doc)).toEqual(['n1>n2', 'n2>n3', 'n3>n4'])
  })

  it('does not bridge across an edge deleted with the node, nor delete more than asked', () => {
    expect(wires(deleteElements(lesson, ['n5'], ['e4']))).toEqual([
      'n1>n2',
      'n2>n3',
      'n3>n4',
      'n6>n7',
      'n7>n8',
      'n8>n9',
    ])
    const doc = deleteElements(lesson, [], ['e5'])
    expect(doc.nodes).toEqual(lesson.nodes)
    expect(wires(doc)).not.toContain('n5>n6')
    expect(doc.edges).toHaveLength(7)
  })

  it('bridges to every node the deleted one fed, but not from a node with two inputs', () => {
    const side = addNode(lesson, 'Dropout', { x: 0, y: 0 })
    const fanOut = connect(side.doc, { source: 'n5', target: side.id })!
    expect(wires(deleteElements(fanOut, ['n5'])).filter((w) => w.startsWith('n4>'))).toEqual([
      'n4>n6',
      'n4>n10',
    ])
    const twoInputs: GraphDocument = {
      ...lesson,
      edges: [...lesson.edges, { id: 'e9', source: 'n4', target: 'n7' }],
    }
    const doc = deleteElements(twoInputs, ['n7'])
    expect(doc.edges.some((e) => e.target === 'n8')).toBe(false)
  })

  it("keeps a merge's port when bridging into it, and never bridges a merge's two inputs", () => {
    const residual = templates.residualMlp
    // n9 ReLU -> n10 Linear -> n11 Add.a
    expect(wires(deleteElements(residual, ['n10'])).at(-1)).toBe('n9>n11.a')
    expect(wires(deleteElements(residual, ['n9', 'n10'])).at(-1)).toBe('n8>n11.a')
    // The Add's two inputs (n10, n7) are not both wired into the ReLU after it.
    const noAdd = deleteElements(residual, ['n11'])
    expect(noAdd.edges.filter((e) => e.target === 'n12')).toEqual([])
    expect(inferShapes(noAdd).issues.map((i) => i.code)).toContain('NO_INPUT')
    const removed = applyFix(residual, 'n11', { kind: 'removeNode', label: '' })
    expect(removed.edges.filter((e) => e.target === 'n12')).toEqual([])
    // An Add with one wire in is bridged like any block.
    const half = deleteElements(residual, ['n11'], ['e10'])
    expect(wires(half).filter((w) => w.includes('n12'))).toEqual(['n12>n13'])
    const oneIn = deleteElements(residual, [], ['e10'])
    expect(wires(deleteElements(oneIn, ['n11'])).filter((w) => w.endsWith('>n12'))).toEqual([
      'n7>n12',
    ])
  })

  it('ends on a cycle of deleted nodes', () => {
    const cyclic: GraphDocument = {
      ...lesson,
      edges: [
        ...lesson.edges.filter((e) => e.id !== 'e5'),
        { id: 'e9', source: 'n7', target: 'n6' },
      ],
    }
    expect(wires(deleteElements(cyclic, ['n6', 'n7']))).toEqual([
      'n1>n2',
      'n2>n3',
      'n3>n4',
      'n4>n5',
      'n8>n9',
    ])
  })
})

describe('setParam and moveNodes', () => {
  it('change one node and share the rest', () => {
    const doc = setParam(lesson, 'n6', 'outFeatures', 64)
    expect(doc.nodes[5]?.params).toEqual({ inFeatures: 784, outFeatures: 64, bias: true })
    expect(doc.nodes[6]).toBe(lesson.nodes[6])
    expect(lesson.nodes[5]?.params.outFeatures).toBe(128)

    const moved = moveNodes(lesson, { n2: { x: 5, y: 6 }, gone: { x: 0, y: 0 } })
    expect(moved.nodes[1]?.position).toEqual({ x: 5, y: 6 })
    expect(moved.nodes[0]).toBe(lesson.nodes[0])
    expect(moved.nodes).toHaveLength(lesson.nodes.length)
  })
})

describe('copySelection and paste', () => {
  it('copies the selected nodes and the edges between them', () => {
    const clip = copySelection(lesson, ['n6', 'n7', 'n9'])
    expect(clip.nodes.map((n) => n.id)).toEqual(['n6', 'n7', 'n9'])
    expect(clip.edges).toEqual([{ id: 'e6', source: 'n6', target: 'n7' }])
    expect(clip.nodes[0]).not.toBe(lesson.nodes[5])
  })

  it('gives pasted nodes and edges fresh ids and rewires the edges to them', () => {
    const clip = copySelection(lesson, ['n6', 'n7', 'n8'])
    const before = structuredClone(clip)
    const first = paste(lesson, clip, { x: 40, y: 40 })
    expect(first.ids).toEqual(['n10', 'n11', 'n12'])
    expect(first.doc.nodes.slice(-3).map((n) => [n.id, n.type, n.position])).toEqual([
      ['n10', 'Linear', { x: 1100 + 40, y: 40 }],
      ['n11', 'ReLU', { x: 1320 + 40, y: 40 }],
      ['n12', 'Linear', { x: 1540 + 40, y: 40 }],
    ])
    expect(first.doc.edges.slice(-2)).toEqual([
      { id: 'e9', source: 'n10', target: 'n11' },
      { id: 'e10', source: 'n11', target: 'n12' },
    ])
    expect(clip).toEqual(before)

    // Pasting again (the clip's ids are still taken) counts on.
    const second = paste(first.doc, clip, { x: 80, y: 80 })
    expect(second.ids).toEqual(['n13', 'n14', 'n15'])
    expect(wires(second.doc).slice(-2)).toEqual(['n13>n14', 'n14>n15'])
    expect(unique(second.doc.nodes.map((n) => n.id))).toBe(true)
    expect(unique(second.doc.edges.map((e) => e.id))).toBe(true)
  })

  it('drops edges to nodes outside the clip and keeps named inputs', () => {
    const edges: GraphEdge[] = [
      { id: 'x1', source: 'a', target: 'b', targetPort: 'target' },
      { id: 'x2', source: 'a', target: 'elsewhere' },
    ]
    const clip = {
      nodes: [
        { id: 'a', type: 'DataLoader' as NodeType, params: {}, position: { x: 0, y: 0 } },
        { id: 'b', type: 'MSELoss' as NodeType, params: {}, position: { x: 1, y: 1 } },
      ],
      edges,
    }
    const { doc, ids } = paste(lesson, clip, { x: 0, y: 0 })
    expect(ids).toEqual(['n10', 'n11'])
    expect(doc.edges.slice(lesson.edges.length)).toEqual([
      { id: 'e9', source: 'n10', target: 'n11', targetPort: 'target' },
    ])
  })
})

describe('ids', () => {
  it("never collide with applyFix's", () => {
    const fixed = applyFix(lesson, 'n6', { kind: 'insertBefore', type: 'Dropout', label: '' })
    expect(fixed.nodes.map((n) => n.id)).toContain('n10')
    expect(addNode(fixed, 'ReLU', { x: 0, y: 0 }).id).toBe('n11')
    const pasted = paste(fixed, copySelection(fixed, ['n10', 'n6']), { x: 0, y: 0 })
    expect(pasted.ids).toEqual(['n11', 'n12'])
    const removed = applyFix(pasted.doc, 'n7', { kind: 'removeNode', label: '' })
    const joined = removed.edges.find((e) => e.source === 'n6' && e.target === 'n8')!
    expect(joined.id).toBe('e11')
    expect(connect(removed, { source: 'n5', target: 'n11' })?.edges.at(-1)?.id).toBe('e12')
  })

  it('stay unique through a long mixed sequence of edits', () => {
    // A small deterministic generator, so a failure can be replayed.
    let state = 12345
    const random = () => {
      state = (state * 1103515245 + 12345) % 2 ** 31
      return state / 2 ** 31
    }
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
    const types: NodeType[] = ['Linear', 'ReLU', 'Dropout', 'Flatten', 'Tanh']
    let doc: GraphDocument = lesson
    for (let step = 0; step < 400; step++) {
      const ids = doc.nodes.map((n) => n.id)
      const action = Math.floor(random() * 6)
      if (action === 0 || ids.length < 3) {
        doc = addNode(doc, pick(types), { x: step, y: 0 }).doc
      } else if (action === 1) {
        doc = connect(doc, { source: pick(ids), target: pick(ids) }) ?? doc
      } else if (action === 2) {
        doc = paste(doc, copySelection(doc, [pick(ids), pick(ids)]), { x: 1, y: 1 }).doc
      } else if (action === 3) {
        doc = deleteElements(doc, [pick(ids)])
      } else if (action === 4) {
        doc = applyFix(doc, pick(ids), { kind: 'insertBefore', type: pick(types), label: '' })
      } else {
        doc = applyFix(doc, pick(ids), { kind: 'removeNode', label: '' })
      }
      expect(unique(doc.nodes.map((n) => n.id)), `node ids after step ${step}`).toBe(true)
      expect(unique(doc.edges.map((e) => e.id)), `edge ids after step ${step}`).toBe(true)
    }
    expect(doc.nodes.length).toBeGreaterThan(10)
  })
})
