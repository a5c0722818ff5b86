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
  ControlButton,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
} from '@xyflow/react'
import type { DragEvent, MouseEvent as ReactMouseEvent, RefObject } from 'react'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { NODE_SIZE } from '../lib/autoLayout'
import { isUnfinished, realErrors } from '../lib/issues'
import { useStudio, useStudioStore } from '../store/useStudio'
import type { BlockFlowNode } from './BlockNode'
import { BlockNode, CALLOUT } from './BlockNode'
import { BLOCK_MIME } from './Palette'
import type { ShapeFlowEdge } from './ShapeEdge'
import { ShapeEdge } from './ShapeEdge'

const nodeTypes = { block: BlockNode }
const edgeTypes = { shape: ShapeEdge }

/** Room around the graph when fitting it: the toolbar is above it, the minimap below right. */
const FIT_PADDING = { top: 56, right: 32, bottom: 124, left: 40 }
/** On a narrow canvas (a phone) the minimap is hidden and the margins are small. */
const NARROW_FIT_PADDING = { top: 56, right: 12, bottom: 72, left: 12 }

const MINIMAP_COLORS: Record<string, string> = {
  data: '#0c8a7c',
  layers: '#4f46e5',
  merges: '#0369a1',
  activations: '#8b4fd8',
  losses: '#d5620f',
}

/** Fitting the graph, auto-layout and focusing a block never zoom out further than this. */
export const READABLE_ZOOM = 0.6

/**
 * The viewport that shows `bounds` within a `width` x `height` canvas, zoomed between
 * READABLE_ZOOM and 1. A graph too big for that shows its top (and is centred across when it
 * fits across): the start of the network, readable, rather than all of it too small to read.
 */
export function fitViewport(
  bounds: Rect,
  width: number,
  height: number,
  padding: { top: number; right: number; bottom: number; left: number },
) {
  const availableW = Math.max(1, width - padding.left - padding.right)
  const availableH = Math.max(1, height - padding.top - padding.bottom)
  const fit = Math.min(availableW / bounds.width, availableH / bounds.height, 1)
  const zoom = Math.max(READABLE_ZOOM, fit)
  const spanW = bounds.width * zoom
  const spanH = bounds.height * zoom
  const x =
    spanW <= availableW
      ? padding.left + (availableW - spanW) / 2 - bounds.x * zoom
      : padding.left - bounds.x * zoom
  const y =
    spanH <= availableH
      ? padding.top + (availableH - spanH) / 2 - bounds.y * zoom
      : padding.top - bounds.y * zoom
  return { x, y, zoom }
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
    const callout = n.data.issues.some((i) => !isUnfinished(i))
    const right = callout ? width + CALLOUT.gap + CALLOUT.width : width
    const bottom = callout ? Math.max(height, CALLOUT.height) : height
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
    const padding = el.clientWidth < 640 ? NARROW_FIT_PADDING : FIT_PADDING
    const viewport = fitViewport(bounds, el.clientWidth, el.clientHeight, padding)
    void flow.setViewport(viewport, { duration: 250 })
  }, [nodes, nodeCount, container, flow, fitRequest])
}

/**
 * Brings a block into view when asked (an error badge or card clicked, a block just added): zoomed
 * to at least READABLE_ZOOM and centred, or, without `zoom`, panned only as far as needed.
 */
function useFocusNode(container: RefObject<HTMLElement | null>) {
  const flow = useReactFlow()
  const request = useStudio((s) => s.focusRequest)
  useEffect(() => {
    const el = container.current
    if (!request || !el) return
    // The block may have been added just now: wait (a few frames) until it is measured.
    let frame = 0
    let tries = 0
    const look = () => {
      const node = flow.getInternalNode(request.nodeId)
      if (!node?.measured.width) {
        if (tries++ < 20) frame = requestAnimationFrame(look)
        return
      }
      const width = node.measured.width ?? NODE_SIZE.width
      const height = node.measured.height ?? NODE_SIZE.height
      const centre = {
        x: node.internals.positionAbsolute.x + width / 2,
        y: node.internals.positionAbsolute.y + height / 2,
      }
      const { zoom } = flow.getViewport()
      if (request.zoom) {
        void flow.setCenter(centre.x, centre.y, {
          zoom: Math.max(zoom, 1),
          duration: 300,
        })
        return
      }
      const box = el.getBoundingClientRect()
      const topLeft = flow.flowToScreenPosition(node.internals.positionAbsolute)
      const inside =
        topLeft.x >= box.left &&
        topLeft.y >= box.top &&
        topLeft.x + width * zoom <= box.right &&
        topLeft.y + height * zoom <= box.bottom
      if (!inside) {
        void flow.setCenter(centre.x, centre.y, {
          zoom: Math.max(zoom, READABLE_ZOOM),
          duration: 250,
        })
      }
    }
    frame = requestAnimationFrame(look)
    return () => cancelAnimationFrame(frame)
  }, [request, flow, container])
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
function useShapeEdges(dropTarget: string | null): ShapeFlowEdge[] {
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

function toggled(current: string[], changes: { id: string; selected: boolean }[]): string[] {
  const next = new Set(current)
  for (const c of changes) {
    if (c.selected) next.add(c.id)
    else next.delete(c.id)
  }
  return [...next]
}

function FitIcon() {
  return (
    <svg viewBox="0 0 32 30" aria-hidden="true">
      <path d="M3.692 4.63c0-.53.4-.938.939-.938h5.215V0H4.708C2.13 0 0 2.054 0 4.63v5.216h3.692V4.631zM27.354 0h-5.2v3.692h5.17c.53 0 .984.4.984.939v5.215H32V4.631A4.624 4.624 0 0027.354 0zm.954 24.83c0 .532-.4.94-.939.94h-5.215v3.768h5.215c2.577 0 4.631-2.13 4.631-4.707v-5.139h-3.692v5.139zm-23.677.94c-.531 0-.939-.4-.939-.94v-5.138H0v5.139c0 2.577 2.13 4.707 4.708 4.707h5.138V25.77H4.631z" />
    </svg>
  )
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
  const [dropTarget, setDropTarget] = useState<string | null>(null)
  const edges = useShapeEdges(dropTarget)
  const flow = useReactFlow()
  const nodesRef = useRef(nodes)
  nodesRef.current = nodes

  const container = useRef<HTMLElement>(null)
  useFitGraph(nodes, container)
  useFocusNode(container)

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

  /** A single block without wires, dragged: the wire under its centre, if any. */
  const wireUnder = useCallback(
    (dragged: BlockFlowNode[]) => {
      if (dragged.length !== 1) return null
      const node = dragged[0]!
      const { doc } = store.getState()
      if (doc.edges.some((e) => e.source === node.id || e.target === node.id)) return null
      const width = node.measured?.width ?? NODE_SIZE.width
      const height = node.measured?.height ?? NODE_SIZE.height
      const centre = flow.flowToScreenPosition({
        x: node.position.x + width / 2,
        y: node.position.y + height / 2,
      })
      return edgeAtPoint(centre.x, centre.y)
    },
    [flow, store],
  )

  const onNodeDrag = useCallback(
    (_: unknown, __: unknown, dragged: BlockFlowNode[]) => setDropTarget(wireUnder(dragged)),
    [wireUnder],
  )

  const onNodeDragStop = useCallback(
    (_: unknown, __: unknown, dragged: BlockFlowNode[]) => {
      setDropTarget(null)
      const wire = wireUnder(dragged)
      const s = store.getState()
      s.moveNodes(Object.fromEntries(dragged.map((n) => [n.id, n.position])))
      if (wire && dragged[0]) s.spliceNode(dragged[0].id, wire)
    },
    [store, wireUnder],
  )

  const onDragOver = useCallback((event: DragEvent) => {
    if (event.dataTransfer.types.includes(BLOCK_MIME)) {
      event.preventDefault()
      event.dataTransfer.dropEffect = 'move'
      setDropTarget(edgeAtPoint(event.clientX, event.clientY))
    }
  }, [])

  const onDrop = useCallback(
    (event: DragEvent) => {
      setDropTarget(null)
      const type = event.dataTransfer.getData(BLOCK_MIME) as NodeType
      if (!(type in nodeSpecs)) return
      event.preventDefault()
      const at = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY })
      const edgeId = edgeAtPoint(event.clientX, event.clientY)
      const s = store.getState()
      const result = s.addBlock(type, {
        at: { x: at.x - NODE_SIZE.width / 2, y: at.y - NODE_SIZE.height / 2 },
        after: null,
        ...(edgeId ? { edgeId } : {}),
      })
      if (edgeId && result.problem) {
        s.notify('info', `${type} was not put into the wire: ${result.problem}`)
      }
    },
    [flow, store],
  )

  // A double-click on the empty canvas opens the quick-add picker there.
  const onDoubleClick = useCallback(
    (event: ReactMouseEvent) => {
      const target = event.target as Element
      if (!target.closest('.react-flow__pane') && !target.closest('.react-flow__background')) {
        return
      }
      if (target.closest('.react-flow__node, .react-flow__edge, button, input')) return
      // The new block goes where the double-click was, kept whole inside the view.
      const box = container.current!.getBoundingClientRect()
      const { zoom } = flow.getViewport()
      const half = { x: (NODE_SIZE.width * zoom) / 2 + 8, y: (NODE_SIZE.height * zoom) / 2 + 8 }
      const clamp = (v: number, lo: number, hi: number) =>
        Math.max(lo, Math.min(v, Math.max(lo, hi)))
      const point = {
        x: clamp(event.clientX, box.left + half.x, box.right - half.x),
        y: clamp(event.clientY, box.top + half.y, box.bottom - half.y),
      }
      store.getState().setSelection([], [])
      store.getState().openQuickAdd({
        flow: flow.screenToFlowPosition(point),
        screen: { x: event.clientX, y: event.clientY },
      })
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
    <main
      className="canvas"
      aria-label="Network canvas"
      ref={container}
      onDoubleClick={onDoubleClick}
      onDragLeave={() => setDropTarget(null)}
    >
      <CanvasToolbar sizes={sizes} />
      {nodes.length === 0 && (
        <div className="canvas-empty" data-testid="canvas-empty">
          <strong>An empty canvas</strong>
          <span>
            Double-click here or press <kbd>A</kbd> to add a block, or drag one from the palette.
          </span>
        </div>
      )}
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
        onNodeDrag={onNodeDrag}
        onNodeDragStop={onNodeDragStop}
        onDragOver={onDragOver}
        onDrop={onDrop}
        deleteKeyCode={null}
        multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
        zoomOnDoubleClick={false}
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
        <Controls showInteractive={false} showFitView={false}>
          <ControlButton
            onClick={() => store.getState().requestFit()}
            title="Fit the graph (never below a readable size)"
            aria-label="Fit view"
            className="react-flow__controls-fitview"
          >
            <FitIcon />
          </ControlButton>
        </Controls>
      </ReactFlow>
    </main>
  )
}
