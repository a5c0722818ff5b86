import type { GraphNode, NodeIssue } from '@tensorloom/graph'
import { blockSummary, hasInput, hasOutput, nodeSpecs } from '@tensorloom/graph'
import type { Node, NodeProps } from '@xyflow/react'
import { Handle, Position, useStore, useUpdateNodeInternals } from '@xyflow/react'
import { memo, useEffect } from 'react'
import { formatCount } from '../lib/formatCount'
import { isUnfinished } from '../lib/issues'
import { portOffset } from '../lib/wireRoute'
import { useStudio } from '../store/useStudio'

export interface BlockData extends Record<string, unknown> {
  node: GraphNode
  paramCount: number
  issues: NodeIssue[]
  /** A merge block's input ports, one handle each (`a`, `b`; Concat's `0`, `1`, …); else []. */
  ports: string[]
  /** A merge block's output shape, e.g. `(64, 128)`, when it is known. */
  output: string | null
}

export type BlockFlowNode = Node<BlockData, 'block'>

/** The issue callout beside a block (see .block-issue in styles.css). */
export const CALLOUT = { gap: 14, width: 280, height: 110 }
const BLOCK_WIDTH = 240

/** Short words for an unfinished block: a quiet line inside it, not a red callout. */
function hintOf(issue: NodeIssue): string {
  switch (issue.code) {
    case 'DISCONNECTED_NODE':
      return 'Not connected yet'
    case 'MERGE_MISSING_INPUT':
      return 'Waiting for its other input'
    case 'NO_INPUT':
      return 'Needs an input'
    case 'UNUSED_OUTPUT':
      return 'Its output goes nowhere yet'
    default:
      return issue.message
  }
}

/** The first issue of a block, with its one-click fix. */
function BlockIssue(props: { nodeId: string; issue: NodeIssue; x: number }) {
  const { nodeId, issue, x } = props
  const applyFix = useStudio((s) => s.applyFix)
  // Beside the block on the right, unless that runs off the canvas: then on the left.
  const side = useStore((s) => {
    const [tx, , zoom] = s.transform
    const right = (x + BLOCK_WIDTH + CALLOUT.gap + CALLOUT.width) * zoom + tx
    return right > s.width && (x - CALLOUT.gap - CALLOUT.width) * zoom + tx >= 0 ? 'left' : 'right'
  })
  return (
    <div className={`block-issue ${issue.severity} ${side}`} data-testid="block-issue" role="note">
      <div>{issue.message}</div>
      {issue.fix && (
        <button
          type="button"
          className="fix-btn nodrag"
          data-testid="fix-button"
          onClick={(e) => {
            e.stopPropagation()
            applyFix(nodeId, issue.fix!)
          }}
        >
          ⚡ {issue.fix.label}
        </button>
      )}
    </div>
  )
}

/** A merge block's input handles along its top edge, each labelled with its port. */
function PortHandles({ nodeId, ports }: { nodeId: string; ports: string[] }) {
  const updateNodeInternals = useUpdateNodeInternals()
  const key = ports.join(',')
  // React Flow measures handles with the node: tell it when a port appears or goes.
  useEffect(() => updateNodeInternals(nodeId), [key, nodeId, updateNodeInternals])
  return ports.map((port, i) => {
    const left = `${portOffset(i, ports.length) * 100}%`
    return (
      <span key={port}>
        <Handle
          type="target"
          id={port}
          position={Position.Top}
          style={{ left }}
          className="port-handle"
          title={`input ${port}`}
          data-port={port}
        />
        <span className="port-label" style={{ left }} data-testid="port-label">
          {port}
        </span>
      </span>
    )
  })
}

/** A block on the canvas: its type, key parameters, parameter count and first issue. */
export const BlockNode = memo(function BlockNode(props: NodeProps<BlockFlowNode>) {
  const { data, selected, positionAbsoluteX } = props
  const { node, paramCount, issues, ports, output } = data
  const spec = nodeSpecs[node.type]
  const real = issues.filter((i) => !isUnfinished(i))
  const error = real.find((i) => i.severity === 'error')
  const shown = error ?? real[0]
  const hint = shown ? undefined : issues[0]
  const state = error ? 'has-error' : shown ? 'has-warning' : hint ? 'unfinished' : ''
  const merge = ports.length > 0
  return (
    <div
      className={`block cat-${spec.category} ${state} ${selected ? 'selected' : ''} ${merge ? 'has-ports' : ''}`}
      data-testid={`block-${node.type}`}
      data-node-id={node.id}
      title={spec.description}
    >
      {merge ? (
        <PortHandles nodeId={node.id} ports={ports} />
      ) : (
        hasInput(node.type) && <Handle type="target" position={Position.Top} />
      )}
      <div className="block-head">
        <span className="block-type">{node.type}</span>
        {paramCount > 0 && (
          <span className="block-params-count" data-testid="block-param-count">
            {formatCount(paramCount)} params
          </span>
        )}
      </div>
      <div className="block-summary">
        {blockSummary(node)}
        {merge && output && (
          <span className="block-output" data-testid="block-output" title="Output shape">
            {' → '}
            {output}
          </span>
        )}
      </div>
      {hint && (
        <div className="block-hint" data-testid="block-hint" title={hint.message}>
          {hintOf(hint)}
        </div>
      )}
      {shown && <BlockIssue nodeId={node.id} issue={shown} x={positionAbsoluteX} />}
      {hasOutput(node.type) && <Handle type="source" position={Position.Bottom} />}
    </div>
  )
})
