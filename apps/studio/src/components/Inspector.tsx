import type { GraphNode, NodeIssue } from '@tensorloom/graph'
import {
  blockSummary,
  connectionProblem,
  edgePorts,
  formatShape,
  hasInput,
  inputPorts,
  isDatasetType,
  nodeSpecs,
} from '@tensorloom/graph'
import { Fragment, useId } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { formatCount } from '../lib/formatCount'
import { isUnfinished, realErrors } from '../lib/issues'
import { useStudio } from '../store/useStudio'
import { DataPreview } from './DataPreview'
import { ParamField } from './ParamField'

/** An issue with its message, its one-click fix and (in the overview) a way to the block. */
export function IssueCard({ issue, showBlock = false }: { issue: NodeIssue; showBlock?: boolean }) {
  const applyFix = useStudio((s) => s.applyFix)
  const focusNode = useStudio((s) => s.focusNode)
  const unfinished = isUnfinished(issue)
  const kind = unfinished ? 'todo' : issue.severity
  return (
    <div className={`issue-card ${kind}`} role="note" data-testid="issue-card">
      <strong>{unfinished ? 'To finish' : issue.severity === 'error' ? 'Error' : 'Warning'}</strong>{' '}
      <code>{issue.code}</code>
      <div>{issue.message}</div>
      <div className="issue-actions">
        {issue.fix && (
          <button
            type="button"
            className="fix-btn"
            onClick={() => applyFix(issue.nodeId, issue.fix!)}
          >
            ⚡ {issue.fix.label}
          </button>
        )}
        {showBlock && issue.nodeId && (
          <button
            type="button"
            className="btn small"
            data-testid="show-block"
            onClick={() => focusNode(issue.nodeId)}
          >
            Show block
          </button>
        )}
      </div>
    </div>
  )
}

/** A merge block's inputs, port by port, with the shape on each wire. */
function PortShapes({ node }: { node: GraphNode }) {
  const ports = useStudio(useShallow((s) => inputPorts(s.doc, node.id)))
  const labels = useStudio(
    useShallow((s) => {
      const byEdge = [...edgePorts(s.doc, node.id)]
      return ports.map((port) => {
        const edge = byEdge.find(([, p]) => p === port)?.[0]
        return edge ? (s.inference.edges[edge]?.label ?? '?') : '—'
      })
    }),
  )
  return ports.map((port, i) => (
    <Fragment key={port}>
      <dt>Input {port}</dt>
      <dd data-testid={`inspector-input-${port}`}>{labels[i]}</dd>
    </Fragment>
  ))
}

/**
 * Where each input of a block comes from, as a list to pick from: connecting without dragging a
 * wire (the keyboard, a screen reader, a small screen). Only blocks that may feed it are listed.
 */
function InputSources({ node }: { node: GraphNode }) {
  const doc = useStudio((s) => s.doc)
  const setInput = useStudio((s) => s.setInput)
  const notify = useStudio((s) => s.notify)
  const merge = nodeSpecs[node.type].category === 'merges'
  const ports: (string | undefined)[] = merge ? inputPorts(doc, node.id) : [undefined]
  const byEdge = edgePorts(doc, node.id)
  const id = useId()
  return (
    <section className="section" data-testid="input-sources">
      <h3>{ports.length > 1 ? 'Inputs' : 'Input'}</h3>
      {ports.map((port) => {
        const current = doc.edges.find(
          (e) =>
            e.target === node.id &&
            (port === undefined ? !e.targetPort : (byEdge.get(e.id) ?? e.targetPort) === port),
        )
        const without = current
          ? { ...doc, edges: doc.edges.filter((e) => e.id !== current.id) }
          : doc
        const candidates = doc.nodes.filter(
          (n) =>
            n.id === current?.source ||
            connectionProblem(without, {
              source: n.id,
              target: node.id,
              ...(port === undefined ? {} : { targetPort: port }),
            }) === null,
        )
        const selectId = `${id}-${port ?? 'main'}`
        return (
          <div className="field" key={port ?? 'main'}>
            <div className="field-label">
              <label htmlFor={selectId}>{port === undefined ? 'From' : `Input ${port} from`}</label>
            </div>
            <select
              id={selectId}
              data-testid={`input-source${port === undefined ? '' : `-${port}`}`}
              value={current?.source ?? ''}
              onChange={(e) => {
                const problem = setInput(node.id, port, e.target.value || null)
                if (problem) notify('error', problem)
              }}
            >
              <option value="">— not connected —</option>
              {candidates.map((n) => (
                <option key={n.id} value={n.id}>
                  {n.type} ({n.id}){blockSummary(n) ? ` · ${blockSummary(n)}` : ''}
                </option>
              ))}
            </select>
          </div>
        )
      })}
    </section>
  )
}

function ShapeFacts({ node }: { node: GraphNode }) {
  const info = useStudio((s) => s.inference.nodes[node.id])
  const show = (shape: number[] | null | undefined) => (shape ? formatShape(shape) : '—')
  const merge = nodeSpecs[node.type].category === 'merges'
  return (
    <dl className="kv">
      {merge ? (
        <PortShapes node={node} />
      ) : (
        <>
          <dt>Input</dt>
          <dd data-testid="inspector-input-shape">{show(info?.inputShape)}</dd>
        </>
      )}
      <dt>Output</dt>
      <dd data-testid="inspector-output-shape">{show(info?.outputShape)}</dd>
      <dt>Parameters</dt>
      <dd>{formatCount(info?.paramCount ?? 0)}</dd>
    </dl>
  )
}

function NodeInspector({ node }: { node: GraphNode }) {
  const spec = nodeSpecs[node.type]
  const issues = useStudio(
    useShallow((s) => s.inference.issues.filter((i) => i.nodeId === node.id)),
  )
  const { setParam, deleteSelection, duplicateSelection } = useStudio(
    useShallow((s) => ({
      setParam: s.setParam,
      deleteSelection: s.deleteSelection,
      duplicateSelection: s.duplicateSelection,
    })),
  )
  return (
    <div data-testid="inspector">
      <section className="section">
        <h2>{node.type}</h2>
        <p className="lead">{spec.description}</p>
        {issues.map((issue) => (
          <IssueCard key={`${issue.code}-${issue.message}`} issue={issue} />
        ))}
        <ShapeFacts node={node} />
      </section>
      {/* A dataset block shows its data first: what was found in it matters more than its fields. */}
      {isDatasetType(node.type) && <DataPreview node={node} />}
      {hasInput(node.type) && <InputSources node={node} />}
      {spec.params.length > 0 && (
        <section className="section">
          <h3>Parameters</h3>
          {spec.params.map((param) => (
            <ParamField
              key={`${node.id}.${param.name}`}
              nodeId={node.id}
              nodeType={node.type}
              spec={param}
              value={node.params[param.name]}
              defaultValue={spec.defaults[param.name]}
              onCommit={(value) => setParam(node.id, param.name, value)}
            />
          ))}
        </section>
      )}
      {spec.category === 'data' && !isDatasetType(node.type) && <DataPreview node={node} />}
      <div className="inspector-actions">
        <button type="button" className="btn small" onClick={duplicateSelection}>
          Duplicate
        </button>
        <button type="button" className="btn small danger" onClick={deleteSelection}>
          Delete block
        </button>
      </div>
    </div>
  )
}

function GraphOverview() {
  const issues = useStudio((s) => s.inference.issues)
  const count = useStudio((s) => s.doc.nodes.length)
  const errors = realErrors(issues)
  const todo = issues.filter((i) => i.severity === 'error' && isUnfinished(i))
  const warnings = issues.filter((i) => i.severity !== 'error')
  return (
    <div data-testid="inspector-empty">
      <section className="section">
        <h2>The network</h2>
        <p className="lead">
          {count === 0
            ? 'The canvas is empty. Add blocks from the palette, double-click the canvas or press A to search for one, or pick a template.'
            : 'Select a block to see its shapes and edit its parameters. Every wire shows the tensor shape flowing along it.'}
        </p>
      </section>
      {errors.length + warnings.length > 0 && (
        <section className="section">
          <h3>
            {errors.length} {errors.length === 1 ? 'error' : 'errors'}, {warnings.length}{' '}
            {warnings.length === 1 ? 'warning' : 'warnings'}
          </h3>
          {[...errors, ...warnings].map((issue) => (
            <IssueCard
              key={`${issue.nodeId}-${issue.code}-${issue.message}`}
              issue={issue}
              showBlock
            />
          ))}
        </section>
      )}
      {todo.length > 0 && (
        <section className="section">
          <h3>To finish before training</h3>
          {todo.map((issue) => (
            <IssueCard
              key={`${issue.nodeId}-${issue.code}-${issue.message}`}
              issue={issue}
              showBlock
            />
          ))}
        </section>
      )}
      <section className="section">
        <h3>Shortcuts</h3>
        <dl className="kv">
          <dt>Add a block</dt>
          <dd>A or /, or double-click the canvas</dd>
          <dt>Edit the selected block</dt>
          <dd>E</dd>
          <dt>Undo / redo</dt>
          <dd>Ctrl+Z / Ctrl+Shift+Z</dd>
          <dt>Copy / paste</dt>
          <dd>Ctrl+C / Ctrl+V</dd>
          <dt>Duplicate</dt>
          <dd>Ctrl+D</dd>
          <dt>Delete</dt>
          <dd>Delete or Backspace</dd>
          <dt>Select a block</dt>
          <dd>Tab to it, then Enter</dd>
          <dt>Multi-select</dt>
          <dd>Shift+click or Shift+drag</dd>
        </dl>
      </section>
    </div>
  )
}

/** The Block panel: the selected block's facts and parameters, or the graph's issues. */
export function Inspector() {
  const selected = useStudio(useShallow((s) => s.selection.nodes))
  const node = useStudio((s) =>
    s.selection.nodes.length === 1
      ? s.doc.nodes.find((n) => n.id === s.selection.nodes[0])
      : undefined,
  )
  if (node) return <NodeInspector key={node.id} node={node} />
  if (selected.length > 1) {
    return (
      <div className="section">
        <h2>{selected.length} blocks selected</h2>
        <p className="lead">Copy, duplicate or delete them together.</p>
        <SelectionActions />
      </div>
    )
  }
  return <GraphOverview />
}

function SelectionActions() {
  const { deleteSelection, duplicateSelection, copySelection } = useStudio(
    useShallow((s) => ({
      deleteSelection: s.deleteSelection,
      duplicateSelection: s.duplicateSelection,
      copySelection: s.copySelection,
    })),
  )
  return (
    <div className="inspector-actions">
      <button type="button" className="btn small" onClick={copySelection}>
        Copy
      </button>
      <button type="button" className="btn small" onClick={duplicateSelection}>
        Duplicate
      </button>
      <button type="button" className="btn small danger" onClick={deleteSelection}>
        Delete
      </button>
    </div>
  )
}
