import type { Edge, EdgeProps } from '@xyflow/react'
import { BaseEdge, EdgeLabelRenderer, getSmoothStepPath } from '@xyflow/react'
import { memo } from 'react'

export interface ShapeEdgeData extends Record<string, unknown> {
  label: string
  known: boolean
  error: boolean
  sourceType: string
  targetType: string
}

export type ShapeFlowEdge = Edge<ShapeEdgeData, 'shape'>

/** An edge labelled with the tensor shape that flows along it, e.g. (64, 784). */
export const ShapeEdge = memo(function ShapeEdge(props: EdgeProps<ShapeFlowEdge>) {
  const [path, labelX, labelY] = getSmoothStepPath({ ...props, borderRadius: 14, offset: 24 })
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
          <div
            className={`${pillClass} nodrag nopan`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            data-testid="edge-shape"
            data-edge-from={data.sourceType}
            data-edge-to={data.targetType}
            title="Tensor shape flowing along this edge (batch first)"
          >
            {data.label}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  )
})
