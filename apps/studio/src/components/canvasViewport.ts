/** Where the canvas looks: fitting the whole graph into view and bringing one block into view. */
import { useReactFlow } from '@xyflow/react'
import type { RefObject } from 'react'
import { useEffect, useRef } from 'react'
import { NODE_SIZE } from '../lib/autoLayout'
import { isUnfinished } from '../lib/issues'
import { useStudio } from '../store/useStudio'
import type { BlockFlowNode } from './BlockNode'
import { CALLOUT } from './BlockNode'

/** Room around the graph when fitting it: the toolbar is above it, the minimap below right. */
export const FIT_PADDING = { top: 56, right: 32, bottom: 124, left: 40 }
/** On a narrow canvas (a phone) the minimap is hidden and the margins are small. */
export const NARROW_FIT_PADDING = { top: 56, right: 12, bottom: 72, left: 12 }

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

/** A rectangle in flow coordinates. */
export type Rect = { x: number; y: number; width: number; height: number }

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
export function useFitGraph(nodes: BlockFlowNode[], container: RefObject<HTMLElement | null>) {
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
export function useFocusNode(container: RefObject<HTMLElement | null>) {
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
