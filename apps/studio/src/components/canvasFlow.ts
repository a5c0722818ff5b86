/** The studio's graph as React Flow nodes and edges, and the small conversions the canvas needs. */
import type { ConnectionRequest, GraphDocument } from '@tensorloom/graph'
import { formatShape, mergePorts } from '@tensorloom/graph'
import { useEffect, useMemo, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { realErrors } from '../lib/issues'
import { useStudio } from '../store/useStudio'
import type { BlockFlowNode } from './BlockNode'
import type { ShapeFlowEdge } from './ShapeEdge'

/** A React Flow connection as the graph package's request: a handle id is a merge block's port. */
export function toRequest(c: {
  source: string
  target: string
  targetHandle?: string | null
}): ConnectionRequest {
  return {
    source: c.source,
    target: c.target,
    ...(c.targetHandle ? { targetPort: c.targetHandle } : {}),
  }
}

/** The document without the wire `edgeId` (a wire being moved does not block its own reconnection). */
export function withoutEdge(doc: GraphDocument, edgeId: string | null): GraphDocument {
  return edgeId === null ? doc : { ...doc, edges: doc.edges.filter((e) => e.id !== edgeId) }
}

/** The wire under a point of the screen (its path or its shape label), or null. */
export function edgeAtPoint(x: number, y: number): string | null {
  for (const [dx, dy] of [
    [0, 0],
    [0, -8],
    [0, 8],
    [-8, 0],
    [8, 0],
  ] as const) {
    for (const el of document.elementsFromPoint(x + dx, y + dy)) {
      const pill = el.closest('[data-edge-id]')
      if (pill) return pill.getAttribute('data-edge-id')
      const edge = el.closest('.react-flow__edge')
      if (edge) return edge.getAttribute('data-id')
    }
  }
  return null
}

/** Blocks as React Flow nodes, keeping the sizes React Flow measured. */
export function useBlockNodes() {
  const { doc, inference, selection } = useStudio(
    useShallow((s) => ({ doc: s.doc, inference: s.inference, selection: s.selection.nodes })),
  )
  const [nodes, setNodes] = useState<BlockFlowNode[]>([])
  useEffect(() => {
    const selected = new Set(selection)
    setNodes((previous) => {
      // Keep React Flow's measurements only for the same block: a reused id with another type
      // (a new template, an import) has other handles and must be measured again.
      const measured = new Map(previous.map((n) => [`${n.id}:${n.data.node.type}`, n.measured]))
      const merges = mergePorts(doc)
      return doc.nodes.map((node) => {
        const size = measured.get(`${node.id}:${node.type}`)
        const ports = merges.get(node.id)?.ports ?? []
        const output = inference.nodes[node.id]?.outputShape
        return {
          id: node.id,
          type: 'block',
          position: node.position,
          selected: selected.has(node.id),
          ...(size ? { measured: size } : {}),
          data: {
            node,
            paramCount: inference.nodes[node.id]?.paramCount ?? 0,
            issues: inference.issues.filter((i) => i.nodeId === node.id),
            ports,
            output: ports.length > 0 && output ? formatShape(output) : null,
          },
        }
      })
    })
  }, [doc, inference, selection])
  return [nodes, setNodes] as const
}

/** Edges labelled with their inferred shapes; the input edge of a failing block is red. */
export function useShapeEdges(dropTarget: string | null): ShapeFlowEdge[] {
  const { doc, inference, selection } = useStudio(
    useShallow((s) => ({ doc: s.doc, inference: s.inference, selection: s.selection.edges })),
  )
  return useMemo(() => {
    const types = new Map(doc.nodes.map((n) => [n.id, n.type]))
    const failing = new Set(realErrors(inference.issues).map((i) => i.nodeId))
    const selected = new Set(selection)
    // Wires into a merge block end on their port's handle.
    const ports = new Map<string, string | undefined>()
    for (const merge of mergePorts(doc).values()) {
      for (const [edgeId, port] of merge.edges) ports.set(edgeId, port)
    }
    return doc.edges.map((edge) => {
      const shape = inference.edges[edge.id]
      const error = failing.has(edge.target)
      const port = ports.get(edge.id)
      return {
        id: edge.id,
        source: edge.source,
        target: edge.target,
        ...(port === undefined ? {} : { targetHandle: port }),
        type: 'shape',
        selected: selected.has(edge.id),
        ...(error || edge.id === dropTarget
          ? {
              className: [
                error ? 'edge-error' : '',
                edge.id === dropTarget ? 'edge-drop' : '',
              ].join(' '),
            }
          : {}),
        data: {
          label: shape?.label ?? '?',
          known: Boolean(shape?.shape),
          error,
          sourceType: types.get(edge.source) ?? '',
          targetType: types.get(edge.target) ?? '',
          port: port ?? null,
        },
      }
    })
  }, [doc, inference, selection, dropTarget])
}

/** The selected ids after React Flow's select changes. */
export function toggled(current: string[], changes: { id: string; selected: boolean }[]): string[] {
  const next = new Set(current)
  for (const c of changes) {
    if (c.selected) next.add(c.id)
    else next.delete(c.id)
  }
  return [...next]
}
