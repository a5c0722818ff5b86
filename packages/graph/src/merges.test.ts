import { describe, expect, it } from 'vitest'
import { applyFix } from './applyFix.js'
import { forwardStatements } from './codegen/forward.js'
import { toPyTorch } from './codegen/toPyTorch.js'
import fixture from './fixtures/mergeRules.json' with { type: 'json' }
import { inferShapes } from './inferShapes.js'
import { planGraph } from './planGraph.js'
import { mergeOutputShape } from './shapeRules.js'
import { templates } from './templates.js'
import type { GraphDocument, MergeType, NodeIssue } from './types.js'

type Case = {
  type: MergeType
  params: Record<string, unknown>
  inputs: number[][]
  shape?: number[]
  error?: string
}

const errors = (doc: GraphDocument) => inferShapes(doc).issues.filter((i) => i.severity === 'error')
const codes = (doc: GraphDocument) => inferShapes(doc).issues.map((i) => `${i.nodeId}:${i.code}`)
const fixed = (doc: GraphDocument, issue: NodeIssue) => applyFix(doc, issue.nodeId, issue.fix!)
const edit = (doc: GraphDocument, change: (d: GraphDocument) => void): GraphDocument => {
  const copy = structuredClone(doc)
  change(copy)
  return copy
}
const setParam = (doc: GraphDocument, id: string, param: string, value: unknown) =>
  applyFix(doc, id, { kind: 'setParam', param, value, label: 'test' })

describe('merge shape rules agree with PyTorch 1.13', () => {
  it.each(
    (fixture.cases as Case[]).map(
      (c) => [`${c.type}(${JSON.stringify(c.params)}) of ${JSON.stringify(c.inputs)}`, c] as const,
    ),
  )('%s', (_name, c) => {
    const result = mergeOutputShape(c.type, c.params, c.inputs)
    if (c.shape) expect(result).toEqual({ ok: true, shape: c.shape })
    else {
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.error.message).toBe(c.error)
    }
  })

  it('refuses too few inputs and invalid parameters', () => {
    expect(mergeOutputShape('Add', {}, [[64, 10]])).toMatchObject({
      ok: false,
      error: { code: 'MERGE_MISSING_INPUT', message: 'Add needs its input b: connect it' },
    })
    expect(mergeOutputShape('Concat', { dim: 1 }, [[64, 10]])).toMatchObject({
      ok: false,
      error: { message: 'Concat needs at least 2 inputs: connect another one' },
    })
    expect(mergeOutputShape('Concat', { dim: 99 }, [[4], [4]])).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PARAM' },
    })
  })
})

describe('networks with branches', () => {
  it('checks the residual MLP and the two towers: shapes on every wire, PyTorch’s counts', () => {
    for (const doc of [templates.residualMlp, templates.twoTower]) {
      expect(inferShapes(doc).issues).toEqual([])
    }
    const residual = inferShapes(templates.residualMlp)
    expect(residual.totalParams).toBe(784 * 128 + 128 + 2 * (128 * 128 + 128) + 128 * 10 + 10)
    // The skip wire into Add's b carries ReLU's output; Add's output goes on to the next ReLU.
    const skip = templates.residualMlp.edges.find((e) => e.targetPort === 'b')!
    expect(residual.edges[skip.id]!.label).toBe('(64, 128)')
    expect(residual.nodes.n11!.outputShape).toEqual([64, 128])
    const towers = inferShapes(templates.twoTower)
    expect(towers.nodes.n10!.outputShape).toEqual([64, 160])
  })

  it("reports a mismatched Add in PyTorch's words, and the projection fix makes it valid", () => {
    const doc = setParam(templates.residualMlp, 'n10', 'outFeatures', 64)
    const [issue] = errors(doc)
    expect(issue).toMatchObject({
      nodeId: 'n11',
      code: 'BROADCAST_SIZE_MISMATCH',
      message:
        'The size of tensor a (64) must match the size of tensor b (128) at non-singleton dimension 1',
      fix: {
        kind: 'insertBefore',
        port: 'a',
        type: 'Linear',
        label: 'Insert Linear(64, 128) on input a',
      },
    })
    const repaired = fixed(doc, issue!)
    expect(inferShapes(repaired).issues).toEqual([])
    const projection = repaired.nodes.find((n) => !doc.nodes.some((m) => m.id === n.id))!
    expect(projection.params).toMatchObject({ inFeatures: 64, outFeatures: 128 })
    // The projection sits on input a only: the skip wire still goes straight into b.
    expect(repaired.edges.filter((e) => e.target === 'n11')).toEqual([
      expect.objectContaining({ source: 'n7', targetPort: 'b' }),
      expect.objectContaining({ source: projection.id, targetPort: 'a' }),
    ])
  })

  it('offers Flatten and a different dim for Concat, and both fixes work', () => {
    // The image itself as the second tower: 4-D beside 2-D.
    const images = edit(templates.twoTower, (d) => {
      d.edges = d.edges.filter((e) => e.target !== 'n10' || e.targetPort !== '1')
      d.nodes = d.nodes.filter((n) => n.id !== 'n8' && n.id !== 'n9')
      d.edges = d.edges.filter((e) => !['n8', 'n9'].includes(e.source) && e.target !== 'n8')
      d.edges.push({ id: 'img', source: 'n4', target: 'n10', targetPort: '1' })
    })
    const [rank] = errors(images)
    expect(rank).toMatchObject({
      code: 'CONCAT_RANK_MISMATCH',
      message: 'Tensors must have same number of dimensions: got 2 and 4',
      fix: { port: '1', type: 'Flatten', label: 'Insert Flatten on input 1' },
    })
    const flat = fixed(images, rank!)
    const [width] = errors(flat)
    expect(width).toMatchObject({ code: 'LINEAR_SHAPE_MISMATCH', nodeId: 'n11' })
    expect(inferShapes(fixed(flat, width!)).issues).toEqual([])

    const rows = setParam(templates.twoTower, 'n10', 'dim', 0)
    const [sizes] = errors(rows)
    expect(sizes).toMatchObject({
      code: 'CONCAT_SIZE_MISMATCH',
      message:
        'Sizes of tensors must match except in dimension 0. Expected size 128 but got size 32 for tensor number 1 in the list.',
      fix: { kind: 'setParam', param: 'dim', value: 1 },
    })
    expect(inferShapes(fixed(rows, sizes!)).issues).toEqual([])
  })

  it('needs every input of a merge, one wire per input, and known inputs', () => {
    const missing = edit(templates.residualMlp, (d) => {
      d.edges = d.edges.filter((e) => e.targetPort !== 'b')
    })
    expect(errors(missing)).toEqual([
      expect.objectContaining({
        nodeId: 'n11',
        code: 'MERGE_MISSING_INPUT',
        message: 'Add needs its input b: connect it',
      }),
    ])
    const taken = edit(templates.residualMlp, (d) => {
      d.edges.find((e) => e.targetPort === 'b')!.targetPort = 'a'
    })
    expect(codes(taken)).toContain('n11:PORT_TAKEN')
    expect(errors(taken)[0]!.message).toBe(
      "Add's input a has 2 connections (from n10, n7): an input takes one, remove all but one",
    )
    const unknown = edit(templates.residualMlp, (d) => {
      d.edges.find((e) => e.targetPort === 'b')!.targetPort = 'c'
    })
    expect(errors(unknown).map((i) => i.message)).toEqual([
      'Add has no input "c": its inputs are a, b',
      'Add needs its input b: connect it',
    ])
    // Wires that name no input take the free ones in order.
    const unnamed = edit(templates.residualMlp, (d) => {
      for (const e of d.edges) delete e.targetPort
    })
    expect(inferShapes(unnamed).issues).toEqual([])
    expect(planGraph(unnamed).steps.find((s) => s.id === 'n11')).toMatchObject({
      inputs: ['n10', 'n7'],
      ports: ['a', 'b'],
    })
  })

  it('warns about a branch that does not reach the loss, and removing it clears the warning', () => {
    const dangling = edit(templates.lesson, (d) => {
      d.nodes.push({
        id: 'side',
        type: 'Linear',
        params: { inFeatures: 784, outFeatures: 5, bias: true },
        position: { x: 0, y: 200 },
      })
      d.edges.push({ id: 'to-side', source: 'n5', target: 'side' })
    })
    const issues = inferShapes(dangling).issues
    expect(issues).toEqual([
      expect.objectContaining({
        nodeId: 'side',
        severity: 'warning',
        code: 'UNUSED_OUTPUT',
        message:
          'The output of Linear (side) does not reach the loss, so it is not trained: connect it to the network or remove it',
      }),
    ])
    expect(inferShapes(fixed(dangling, issues[0]!)).issues).toEqual([])
    // The plan and the exports leave it out.
    expect(planGraph(dangling).steps.map((s) => s.id)).toEqual(['n5', 'n6', 'n7', 'n8'])
  })

  it('keeps the data pipeline one chain: branches start after the DataLoader', () => {
    const doc = edit(templates.lesson, (d) => {
      d.nodes.push({ id: 'x', type: 'DataLoader', params: {}, position: { x: 0, y: 200 } })
      d.edges.push({ id: 'fork', source: 'n3', target: 'x' })
    })
    expect(codes(doc)).toContain('n3:MULTIPLE_OUTPUTS')
    expect(errors(doc).find((i) => i.code === 'MULTIPLE_OUTPUTS')!.message).toBe(
      'Normalize feeds 2 nodes (n4, x), but the data pipeline is one chain up to the DataLoader: branch after the DataLoader instead, and remove all but one connection here',
    )
  })

  it('refuses cycles through a merge, naming the nodes', () => {
    const doc = edit(templates.residualMlp, (d) => {
      d.edges.push({ id: 'back', source: 'n11', target: 'n8' })
    })
    const cycle = inferShapes(doc).issues.find((i) => i.code === 'CYCLE')
    expect(cycle?.message).toBe(
      'Cycle: n8 -> n9 -> n10 -> n11 -> n8. A network flows one way: remove one of these connections',
    )
  })
})

describe('forward of a branching network', () => {
  const lines = (doc: GraphDocument) => {
    const { statements, result } = forwardStatements(planGraph(doc))
    return [
      ...statements.map((s) =>
        s.kind === 'call'
          ? `${s.target} = self.${s.attribute}(${s.arg})`
          : s.kind === 'copy'
            ? `${s.target} = ${s.source}`
            : `${s.target} = ${s.step.type}(${s.args.join(', ')})`,
      ),
      `return ${result}`,
    ]
  }

  it('keeps a skip connection as identity, and parallel branches as a, b', () => {
    expect(lines(templates.residualMlp)).toEqual([
      'x = self.flatten(x)',
      'x = self.fc1(x)',
      'x = self.relu1(x)',
      'identity = x',
      'x = self.fc2(x)',
      'x = self.relu2(x)',
      'x = self.fc3(x)',
      'x = Add(x, identity)',
      'x = self.relu3(x)',
      'x = self.fc4(x)',
      'return x',
    ])
    expect(lines(templates.twoTower)).toEqual([
      'x = self.flatten(x)',
      'a = self.fc1(x)',
      'a = self.relu(a)',
      'b = self.fc2(x)',
      'b = self.tanh(b)',
      'x = Concat(a, b)',
      'x = self.fc3(x)',
      'return x',
    ])
  })

  it('names a second kept value identity2 when two skips are open at once', () => {
    // Flatten's output is added to both the first block's output and the second's.
    const doc = edit(templates.residualMlp, (d) => {
      d.nodes.find((n) => n.id === 'n6')!.params.outFeatures = 784
      d.nodes.find((n) => n.id === 'n8')!.params.inFeatures = 784
      d.nodes.find((n) => n.id === 'n8')!.params.outFeatures = 784
      d.nodes.find((n) => n.id === 'n10')!.params.inFeatures = 784
      d.nodes.find((n) => n.id === 'n10')!.params.outFeatures = 784
      d.nodes.find((n) => n.id === 'n13')!.params.inFeatures = 784
      d.nodes.push({ id: 'add2', type: 'Add', params: {}, position: { x: 0, y: 300 } })
      d.edges = d.edges.filter((e) => e.source !== 'n12')
      d.edges.push(
        { id: 'x1', source: 'n12', target: 'add2', targetPort: 'a' },
        { id: 'x2', source: 'n5', target: 'add2', targetPort: 'b' },
        { id: 'x3', source: 'add2', target: 'n13' },
      )
    })
    expect(errors(doc)).toEqual([])
    expect(lines(doc)).toEqual([
      'x = self.flatten(x)',
      'identity = x',
      'x = self.fc1(x)',
      'x = self.relu1(x)',
      'identity2 = x',
      'x = self.fc2(x)',
      'x = self.relu2(x)',
      'x = self.fc3(x)',
      'x = Add(x, identity2)',
      'x = self.relu3(x)',
      'x = Add(x, identity)',
      'x = self.fc4(x)',
      'return x',
    ])
    expect(toPyTorch(doc)).toContain('        x = x + identity\n        x = self.fc4(x)')
  })
})
