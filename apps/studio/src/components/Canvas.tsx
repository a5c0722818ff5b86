import type { ConnectionRequest, NodeType } from '@tensorloom/graph'
import { connectionProblem, nodeSpecs } from '@tensorloom/graph'
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
import type { DragEvent, MouseEvent as ReactMouseEvent } from 'react'
import { useCallback, useRef, useState } from 'react'
import { NODE_SIZE } from '../lib/autoLayout'
import { useStudioStore } from '../store/useStudio'
import type { BlockFlowNode } from './BlockNode'
import { BlockNode } from './BlockNode'
import { CanvasToolbar, FitIcon } from './CanvasToolbar'
import {
  edgeAtPoint,
  toggled,
  toRequest,
  useBlockNodes,
  useShapeEdges,
  withoutEdge,
} from './canvasFlow'
import { useFitGraph, useFocusNode } from './canvasViewport'
import { BLOCK_MIME } from './Palette'
import type { ShapeFlowEdge } from './ShapeEdge'
import { ShapeEdge } from './ShapeEdge'

export { edgeAtPoint } from './canvasFlow'
export { fitViewport, READABLE_ZOOM } from './canvasViewport'

const nodeTypes = { block: BlockNode }
const edgeTypes = { shape: ShapeEdge }

const MINIMAP_COLORS: Record<string, string> = {
  data: '#0c8a7c',
  layers: '#4f46e5',
  merges: '#0369a1',
  activations: '#8b4fd8',
  losses: '#d5620f',
}

/** How near (px) a dragged wire must come to a handle to snap onto it. */
const CONNECTION_RADIUS = 30

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
