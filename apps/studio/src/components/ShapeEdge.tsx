import type { Edge, EdgeProps } from '@xyflow/react'
import { BaseEdge, EdgeLabelRenderer, getSmoothStepPath, useInternalNode } from '@xyflow/react'
import { memo } from 'react'
import { NODE_SIZE } from '../lib/autoLayout'
import { roundedPath, wireRoute } from '../lib/wireRoute'
import { useStudioStore } from '../store/useStudio'

export interface ShapeEdgeData extends Record<string, unknown> {
  label: string
  known: boolean
  error: boolean
  sourceType: string
  targetType: string
  /** The merge block's input port the edge ends on, or null. */
  port: string | null
}

export type ShapeFlowEdge = Edge<ShapeEdgeData, 'shape'>

/** The wire's path and where its shape label sits (see `wireRoute`). */
function useRoute(props: EdgeProps<ShapeFlowEdge>): [string, number, number] {
  const source = useInternalNode(props.source)
  const target = useInternalNode(props.target)
  const route = wireRoute({
    sourceX: props.sourceX,
    sourceY: props.sourceY,
    targetX: props.targetX,
    targetY: props.targetY,
    sourceRight: source
      ? source.internals.positionAbsolute.x + (source.measured.width ?? NODE_SIZE.width)
      : Number.POSITIVE_INFINITY,
    targetLeft: target ? target.internals.positionAbsolute.x : Number.NEGATIVE_INFINITY,
  })
  if (route) return [roundedPath(route.points), route.label[0], route.label[1]]
  const [path, labelX, labelY] = getSmoothStepPath({ ...props, borderRadius: 14, offset: 24 })
  return [path, labelX, labelY]
}

/** An edge labelled with the tensor shape that flows along it, e.g. (64, 784). */
export const ShapeEdge = memo(function ShapeEdge(props: EdgeProps<ShapeFlowEdge>) {
  const [path, labelX, labelY] = useRoute(props)
  const store = useStudioStore()
  const data = props.data
  const pillClass = [
    'shape-pill',
    data?.error ? 'error' : '',
    data?.known ? '' : 'unknown',
    props.selected ? 'selected' : '',
  ].join(' ')
  return (
    <>
      <BaseEdge id={props.id} path={path} interactionWidth={16} />
      {data && (
        <EdgeLabelRenderer>
          <button
            type="button"
            className={`${pillClass} nodrag nopan`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            data-testid="edge-shape"
            data-edge-id={props.id}
            data-edge-from={data.sourceType}
            data-edge-to={data.targetType}
            {...(data.port === null ? {} : { 'data-edge-port': data.port })}
            title="Tensor shape flowing along this wire (batch first). Click to select the wire."
            onClick={(e) => {
              e.stopPropagation()
              const { selection, setSelection } = store.getState()
              if (e.shiftKey || e.ctrlKey || e.metaKey) {
                setSelection(selection.nodes, [...new Set([...selection.edges, props.id])])
              } else setSelection([], [props.id])
            }}
          >
            {data.label}
          </button>
        </EdgeLabelRenderer>
      )}
    </>
  )
})
