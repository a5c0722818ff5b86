import type { GraphDocument } from '@tensorloom/graph'
import { edgePorts, inputPorts, templates } from '@tensorloom/graph'
import { describe, expect, it } from 'vitest'
import { autoLayout, blockSize, withAutoLayout } from './autoLayout'
import { type Point, portOffset, wireRoute } from './wireRoute'

type Box = { id: string; x: number; y: number; width: number; height: number }

function boxes(doc: GraphDocument): Map<string, Box> {
  const laid = withAutoLayout(doc)
  return new Map(
    laid.nodes.map((n) => [n.id, { id: n.id, ...n.position, ...blockSize(n) }] as const),
  )
}

/** The wire of each edge as the canvas draws it, from the bottom handle to the (port's) top one. */
function wires(doc: GraphDocument, at: Map<string, Box>) {
  return doc.edges.map((edge) => {
    const s = at.get(edge.source)!
    const t = at.get(edge.target)!
    const ports = inputPorts(doc, edge.target)
    const port = edgePorts(doc, edge.target).get(edge.id)
    const fraction = port === undefined ? 0.5 : portOffset(ports.indexOf(port), ports.length)
    const route = wireRoute({
      sourceX: s.x + s.width / 2,
      sourceY: s.y + s.height,
      targetX: t.x + t.width * fraction,
      targetY: t.y,
      sourceRight: s.x + s.width,
      targetLeft: t.x,
    })
    return { edge, s, t, route }
  })
}

const crosses = ([a, b]: [Point, Point], box: Box, margin = 4) => {
  const [x0, x1] = [Math.min(a[0], b[0]), Math.max(a[0], b[0])]
  const [y0, y1] = [Math.min(a[1], b[1]), Math.max(a[1], b[1])]
  return (
    x1 > box.x + margin &&
    x0 < box.x + box.width - margin &&
    y1 > box.y + margin &&
    y0 < box.y + box.height - margin
  )
}

const names = ['residualMlp', 'twoTower', 'smallResNet', 'lesson', 'deepMlp', 'smallCnn'] as const

describe('auto-layout', () => {
  it.each(names)('%s: no two blocks overlap', (name) => {
    const at = [...boxes(templates[name]).values()]
    for (const a of at) {
      for (const b of at) {
        if (a === b) continue
        const apart =
          a.x + a.width <= b.x ||
          b.x + b.width <= a.x ||
          a.y + a.height <= b.y ||
          b.y + b.height <= a.y
        expect(apart, `${a.id} and ${b.id} overlap`).toBe(true)
      }
    }
  })

  // The canvas reads top to bottom in columns, left to right: every wire runs down to a lower
  // row, or on to a column further right (the data pipeline into the model, a wrapped model).
  it.each(names)('%s: every wire goes down, or right to the next column', (name) => {
    const doc = templates[name]
    for (const { edge, s, t } of wires(doc, boxes(doc))) {
      const down = t.y >= s.y + s.height
      const right = t.x >= s.x + s.width
      expect(down || right, `${edge.source} -> ${edge.target}`).toBe(true)
    }
  })

  it.each(names)('%s: no wire runs through a block', (name) => {
    const doc = templates[name]
    const at = boxes(doc)
    for (const { edge, route } of wires(doc, at)) {
      expect(route, `${edge.source} -> ${edge.target} is routed`).not.toBeNull()
      const points = route!.points
      for (let i = 1; i < points.length; i++) {
        for (const box of at.values()) {
          if (box.id === edge.source || box.id === edge.target) continue
          const segment: [Point, Point] = [points[i - 1]!, points[i]!]
          expect(crosses(segment, box), `${edge.source} -> ${edge.target} crosses ${box.id}`).toBe(
            false,
          )
        }
      }
    }
  })

  it('keeps the main path of a residual block straight and puts the branch beside it', () => {
    // residualMlp: n7 ReLU -> (n8 Linear -> n9 ReLU -> n10 Linear) -> n11 Add.a; n7 -> n11.b
    const p = autoLayout(templates.residualMlp)
    expect(new Set(['n5', 'n6', 'n7', 'n12', 'n13', 'n14'].map((id) => p[id]!.x)).size).toBe(1)
    expect(new Set(['n8', 'n9', 'n10'].map((id) => p[id]!.x)).size).toBe(1)
    // The branch feeds port a, left of the skip's port b: it sits on the left; the skip runs
    // straight down into port b (two thirds across the Add).
    expect(p.n8!.x).toBeLessThan(p.n7!.x)
    expect(p.n11!.x + (240 * 2) / 3).toBe(p.n7!.x + 120)
    // Two towers side by side; the one into Concat's port 0 (of 0, 1 and a free 2) runs straight.
    const t = autoLayout(templates.twoTower)
    expect(t.n6!.y).toBe(t.n8!.y)
    expect(t.n7!.y).toBe(t.n9!.y)
    expect(t.n5!.x).toBe(t.n7!.x)
    expect(t.n10!.x + 240 / 4).toBe(t.n7!.x + 120)
    expect(t.n8!.x).toBeGreaterThan(t.n6!.x)
  })

  it('wraps a long chain of layers into columns without overlaps', () => {
    const doc = withAutoLayout(structuredClone(templates.deepMlp))
    const model = doc.nodes.filter(
      (n) => !['MNIST', 'ToTensor', 'Normalize', 'DataLoader'].includes(n.type),
    )
    expect(model.length).toBeGreaterThan(6)
    expect(new Set(model.map((n) => n.position.x)).size).toBe(2)
  })

  it('wraps the small ResNet between its blocks, never through a branch', () => {
    const p = autoLayout(templates.smallResNet)
    // Each residual block (its branch, its Add) stays in one segment: the Add is below the branch.
    for (const [first, add] of [
      ['n9', 'n14'],
      ['n16', 'n21'],
    ] as const) {
      expect(p[add]!.y).toBeGreaterThan(p[first]!.y)
    }
    expect(new Set(Object.values(p).map((q) => q.y)).size).toBeGreaterThan(5)
  })

  it('lays out thousands of merges quickly', () => {
    const lesson = templates.lesson
    const base = lesson.nodes.slice(0, 5) // MNIST … Flatten (n5)
    const wires = lesson.edges.slice(0, 4)
    // 4,000 Adds in a ladder, each adding Flatten's output to the sum so far.
    const adds = Array.from({ length: 4000 }, (_, i) => ({
      id: `add${i}`,
      type: 'Add' as const,
      params: {},
      position: { x: 0, y: 0 },
    }))
    const ladder: GraphDocument = {
      ...lesson,
      nodes: [...base, ...adds],
      edges: [
        ...wires,
        ...adds.flatMap((n, i) => [
          { id: `a${i}`, source: i === 0 ? 'n5' : `add${i - 1}`, target: n.id, targetPort: 'a' },
          { id: `b${i}`, source: 'n5', target: n.id, targetPort: 'b' },
        ]),
      ],
    }
    let started = performance.now()
    const p = autoLayout(ladder)
    const ms = performance.now() - started
    expect(Object.keys(p)).toHaveLength(ladder.nodes.length)
    // The rungs stack in one column beside Flatten's column, which the skips run down.
    expect(new Set(adds.slice(0, -1).map((n) => p[n.id]!.x)).size).toBeLessThanOrEqual(2)
    expect(ms).toBeLessThan(3000)

    // One Concat fed by 3,000 branches off Flatten.
    const branches = Array.from({ length: 3000 }, (_, i) => ({
      id: `r${i}`,
      type: 'ReLU' as const,
      params: {},
      position: { x: 0, y: 0 },
    }))
    const fan: GraphDocument = {
      ...lesson,
      nodes: [
        ...base,
        ...branches,
        { id: 'cat', type: 'Concat', params: { dim: 1 }, position: { x: 0, y: 0 } },
      ],
      edges: [
        ...wires,
        ...branches.flatMap((n, i) => [
          { id: `f${i}`, source: 'n5', target: n.id },
          { id: `c${i}`, source: n.id, target: 'cat', targetPort: String(i) },
        ]),
      ],
    }
    started = performance.now()
    expect(Object.keys(autoLayout(fan))).toHaveLength(fan.nodes.length)
    expect(performance.now() - started).toBeLessThan(3000)
  })

  it('lays out a graph with a cycle without failing', () => {
    const lesson = templates.lesson
    const cyclic = { ...lesson, edges: [...lesson.edges, { id: 'e9', source: 'n8', target: 'n6' }] }
    expect(Object.keys(autoLayout(cyclic))).toHaveLength(lesson.nodes.length)
  })
})
