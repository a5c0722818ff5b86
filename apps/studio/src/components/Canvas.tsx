import type { ConnectionRequest, GraphDocument, NodeType } from '@tensorloom/graph'
import { connectionProblem, formatShape, mergePorts, nodeSpecs } from '@tensorloom/graph'
import type {
  Connection,
  EdgeChange,
  FinalConnectionState,
  IsValidConnection,
  NodeChange,
  OnReconnect,
} from '@xyflow/react'
import {
  applyNodeChanges,
  Background,
  Controls,
  getViewportForBounds,
  MiniMap,
  ReactFlow,
  useReactFlow,
} from '@xyflow/react'
import type { DragEvent, RefObject } from 'react'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { NODE_SIZE } from '../lib/autoLayout'
import { useStudio, useStudioStore } from '../store/useStudio'
import type { BlockFlowNode } from './BlockNode'
import { BlockNode, CALLOUT } from './BlockNode'
import { BLOCK_MIME } from './Palette'
import type { ShapeFlowEdge } from './ShapeEdge'
import { ShapeEdge } from './ShapeEdge'

const nodeTypes = { block: BlockNode }
const edgeTypes = { shape: ShapeEdge }

/** Room around the graph when fitting it: the toolbar is above it, the minimap below right. */
const FIT_PADDING = { top: '56px', right: '32px', bottom: '124px', left: '40px' } as const

const MINIMAP_COLORS: Record<string, string> = {
  data: '#0c8a7c',
  layers: '#4f46e5',
  merges: '#0369a1',
  activations: '#8b4fd8',
  losses: '#d5620f',
}

/** How near (px) a dragged wire must come to a handle to snap onto it. */
const CONNECTION_RADIUS = 30

type Rect = { x: number; y: number; width: number; height: number }

/** A React Flow connection as the graph package's request: a handle id is a merge block's port. */
function toRequest(c: {
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

function withoutEdge(doc: GraphDocument, edgeId: string | null): GraphDocument {
  return edgeId === null ? doc : { ...doc, edges: doc.edges.filter((e) => e.id !== edgeId) }
}

/** The area the graph covers, including the issue callouts beside blocks. */
function graphBounds(nodes: BlockFlowNode[]): Rect | null {
  if (nodes.length === 0) return null
  let x0 = Number.POSITIVE_INFINITY
  let y0 = Number.POSITIVE_INFINITY
  let x1 = Number.NEGATIVE_INFINITY
  let y1 = Number.NEGATIVE_INFINITY
  for (const n of nodes) {
    const width = n.measured?.width ?? NODE_SIZE.width
    const height = n.measured?.height ?? NODE_SIZE.height
    const right = n.data.issues.length > 0 ? width + CALLOUT.gap + CALLOUT.width : width
    const bottom = n.data.issues.length > 0 ? Math.max(height, CALLOUT.height) : height
    x0 = Math.min(x0, n.position.x)
    y0 = Math.min(y0, n.position.y)
    x1 = Math.max(x1, n.position.x + right)
    y1 = Math.max(y1, n.position.y + bottom)
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }
}

/**
 * Fits the whole graph, issue callouts included, into view when asked (first load, template,
 * import, auto-layout, an inserted block). Waits until React Flow has measured every block.
 */
function useFitGraph(nodes: BlockFlowNode[], container: RefObject<HTMLElement | null>) {
  const flow = useReactFlow()
  const fitRequest = useStudio((s) => s.fitRequest)
  const nodeCount = useStudio((s) => s.doc.nodes.length)
  const pending = useRef(true)

  useEffect(() => {
    if (fitRequest > 0) pending.current = true
  }, [fitRequest])

  useEffect(() => {
    const el = container.current
    if (!pending.current || !el) return
    if (nodes.length !== nodeCount || nodes.some((n) => !n.measured?.width)) return
    pending.current = false
    const bounds = graphBounds(nodes)
    if (!bounds) return
    const viewport = getViewportForBounds(
      bounds,
      el.clientWidth,
      el.clientHeight,
      0.2,
      1,
      FIT_PADDING,
    )
    void flow.setViewport(viewport, { duration: 250 })
  }, [nodes, nodeCount, container, flow])
}

/** Blocks as React Flow nodes, keeping the sizes React Flow measured. */
function useBlockNodes() {
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
function useShapeEdges(): ShapeFlowEdge[] {
  const { doc, inference, selection } = useStudio(
    useShallow((s) => ({ doc: s.doc, inference: s.inference, selection: s.selection.edges })),
  )
  return useMemo(() => {
    const types = new Map(doc.nodes.map((n) => [n.id, n.type]))
    const failing = new Set(
      inference.issues.filter((i) => i.severity === 'error').map((i) => i.nodeId),
    )
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
        ...(error ? { className: 'edge-error' } : {}),
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
  }, [doc, inference, selection])
}

function toggled(current: string[], changes: { id: string; selected: boolean }[]): string[] {
  const next = new Set(current)
  for (const c of changes) {
    if (c.selected) next.add(c.id)
    else next.delete(c.id)
  }
  return [...next]
}

/** Buttons over the canvas: auto-layout, delete and duplicate the selection. */
function CanvasToolbar({
  sizes,
}: {
  sizes: () => Record<string, { width: number; height: number }>
}) {
  const hasSelection = useStudio((s) => s.selection.nodes.length + s.selection.edges.length > 0)
  const hasNodes = useStudio((s) => s.selection.nodes.length > 0)
  const { autoLayout, deleteSelection, duplicateSelection } = useStudio(
    useShallow((s) => ({
      autoLayout: s.autoLayout,
      deleteSelection: s.deleteSelection,
      duplicateSelection: s.duplicateSelection,
    })),
  )
  return (
    <div className="canvas-toolbar">
      <button
        type="button"
        className="btn small"
        onClick={() => {
          autoLayout(sizes())
        }}
        title="Arrange the blocks top to bottom"
      >
        Auto-layout
      </button>
      <button
        type="button"
        className="btn small"
        onClick={duplicateSelection}
        disabled={!hasNodes}
        title="Duplicate the selection (Ctrl+D)"
      >
        Duplicate
      </button>
      <button
        type="button"
        className="btn small danger"
        onClick={deleteSelection}
        disabled={!hasSelection}
        title="Delete the selection (Delete)"
        data-testid="delete-selection"
      >
        Delete
      </button>
    </div>
  )
}

/** The editing surface: blocks, shape-labelled edges, minimap and controls. */
export function Canvas() {
  const store = useStudioStore()
  const [nodes, setNodes] = useBlockNodes()
  const edges = useShapeEdges()
  const flow = useReactFlow()
  const nodesRef = useRef(nodes)
  nodesRef.current = nodes

  const container = useRef<HTMLElement>(null)
  useFitGraph(nodes, container)

  const onNodesChange = useCallback(
    (changes: NodeChange<BlockFlowNode>[]) => {
      const local = changes.filter((c) => c.type === 'position' || c.type === 'dimensions')
      if (local.length > 0) setNodes((nds) => applyNodeChanges(local, nds))
      const selects = changes.flatMap((c) => (c.type === 'select' ? [c] : []))
      if (selects.length > 0) {
        const { selection, setSelection } = store.getState()
        setSelection(toggled(selection.nodes, selects), selection.edges)
      }
    },
    [setNodes, store],
  )

  const onEdgesChange = useCallback(
    (changes: EdgeChange<ShapeFlowEdge>[]) => {
      const selects = changes.flatMap((c) => (c.type === 'select' ? [c] : []))
      if (selects.length > 0) {
        const { selection, setSelection } = store.getState()
        setSelection(selection.nodes, toggled(selection.edges, selects))
      }
    },
    [store],
  )

  // While an edge's end is dragged elsewhere, connections are judged without that edge.
  const reconnecting = useRef<string | null>(null)
  const problemOf = useCallback(
    (request: ConnectionRequest) => {
      const { doc } = store.getState()
      const moving = reconnecting.current
      return connectionProblem(withoutEdge(doc, moving), request)
    },
    [store],
  )

  // A refusal stays on screen until the next connection goes through, then it is out of date.
  const refusal = useRef<number | null>(null)
  const refuse = useCallback(
    (text: string) => {
      store.getState().notify('error', text)
      refusal.current = store.getState().notice?.id ?? null
    },
    [store],
  )
  const accepted = useCallback(() => {
    const { notice, dismissNotice } = store.getState()
    if (notice && notice.id === refusal.current) dismissNotice()
  }, [store])

  const isValidConnection: IsValidConnection = useCallback(
    (c) => problemOf(toRequest(c)) === null,
    [problemOf],
  )

  const onConnect = useCallback(
    (c: Connection) => {
      const request = toRequest(c)
      const problem = problemOf(request)
      if (problem) refuse(problem)
      else if (store.getState().connect(request)) accepted()
    },
    [store, problemOf, refuse, accepted],
  )

  // React Flow drops a refused connection silently: say why it was refused.
  const onConnectEnd = useCallback(
    (_: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      const { fromHandle, toHandle, isValid } = state
      if (isValid || !fromHandle || !toHandle) return
      if (fromHandle.type === toHandle.type) {
        const same = fromHandle.nodeId === toHandle.nodeId && fromHandle.id === toHandle.id
        if (!same) refuse('Connect an output (the bottom of a block) to an input (the top of one).')
        return
      }
      const [out, into] =
        fromHandle.type === 'source' ? [fromHandle, toHandle] : [toHandle, fromHandle]
      const problem = problemOf({
        source: out.nodeId,
        target: into.nodeId,
        ...(into.id ? { targetPort: into.id } : {}),
      })
      if (problem) refuse(problem)
    },
    [problemOf, refuse],
  )

  const onReconnectStart = useCallback((_: unknown, edge: ShapeFlowEdge) => {
    reconnecting.current = edge.id
  }, [])
  const onReconnectEnd = useCallback(() => {
    reconnecting.current = null
  }, [])

  const onReconnect: OnReconnect<ShapeFlowEdge> = useCallback(
    (oldEdge, c) => {
      const request = toRequest(c)
      if (store.getState().reconnect(oldEdge.id, request)) accepted()
      else {
        const problem = connectionProblem(withoutEdge(store.getState().doc, oldEdge.id), request)
        refuse(problem ?? 'That connection is not allowed.')
      }
    },
    [store, refuse, accepted],
  )

  const onNodeDragStop = useCallback(
    (_: unknown, __: unknown, dragged: BlockFlowNode[]) => {
      store.getState().moveNodes(Object.fromEntries(dragged.map((n) => [n.id, n.position])))
    },
    [store],
  )

  const onDragOver = useCallback((event: DragEvent) => {
    if (event.dataTransfer.types.includes(BLOCK_MIME)) {
      event.preventDefault()
      event.dataTransfer.dropEffect = 'move'
    }
  }, [])

  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(BLOCK_MIME) as NodeType
      if (!(type in nodeSpecs)) return
      event.preventDefault()
      const at = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY })
      store
        .getState()
        .addNode(type, { x: at.x - NODE_SIZE.width / 2, y: at.y - NODE_SIZE.height / 2 })
    },
    [flow, store],
  )

  const sizes = useCallback(
    () =>
      Object.fromEntries(
        nodesRef.current.flatMap((n) =>
          n.measured?.width && n.measured.height
            ? [[n.id, { width: n.measured.width, height: n.measured.height }]]
            : [],
        ),
      ),
    [],
  )

  return (
    <main className="canvas" aria-label="Network canvas" ref={container}>
      <CanvasToolbar sizes={sizes} />
      <ReactFlow<BlockFlowNode, ShapeFlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        onReconnect={onReconnect}
        onReconnectStart={onReconnectStart}
        onReconnectEnd={onReconnectEnd}
        connectionRadius={CONNECTION_RADIUS}
        isValidConnection={isValidConnection}
        onNodeDragStop={onNodeDragStop}
        onDragOver={onDragOver}
        onDrop={onDrop}
        deleteKeyCode={null}
        multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
        minZoom={0.2}
        maxZoom={2}
        attributionPosition="top-right"
      >
        <Background gap={20} size={1} color="#d8dce3" />
        <MiniMap
          className="minimap"
          style={{ width: 150, height: 100 }}
          pannable
          zoomable
          nodeColor={(n) =>
            MINIMAP_COLORS[nodeSpecs[(n as BlockFlowNode).data.node.type].category] ?? '#999'
          }
          nodeStrokeWidth={0}
          maskColor="rgb(246 247 249 / 70%)"
        />
        <Controls showInteractive={false} />
      </ReactFlow>
    </main>
  )
}
