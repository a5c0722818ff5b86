/** What a scan found in a dropped dataset (images or a CSV table), shown in the data section. */
import type { GraphNode } from '@tensorloom/graph'
import { useState } from 'react'
import type { CsvSummary, ImagesSummary } from '../data/summary'
import { useStudio } from '../store/useStudio'

/** Images per class as bars. */
export function ClassBars(props: {
  classes: string[]
  counts: number[]
  names?: Record<string, string>
}) {
  const max = Math.max(1, ...props.counts)
  return (
    <div className="class-bars" data-testid="class-counts">
      {props.classes.map((c, i) => (
        <div key={c} style={{ display: 'contents' }}>
          <span className="name" title={c}>
            {props.names?.[c] ?? c}
          </span>
          <span className="bar" style={{ width: `${(props.counts[i]! / max) * 100}%` }} />
          <span className="count">{props.counts[i]!.toLocaleString('en-US')}</span>
        </div>
      ))}
    </div>
  )
}

/** What the scan of a folder of images found: classes, sizes, channels, formats, left-out files. */
export function ImagesFacts({ summary }: { summary: ImagesSummary }) {
  const sizes = summary.sizes
  return (
    <>
      <dl className="kv data-facts">
        <dt>Images</dt>
        <dd>{summary.imageCount.toLocaleString('en-US')}</dd>
        <dt>Channels</dt>
        <dd>{summary.channels === 1 ? '1 (gray)' : '3 (RGB)'}</dd>
        <dt>Sizes</dt>
        <dd data-testid="data-sizes">
          {sizes
            .map((s) => `${s.height}×${s.width}${sizes.length > 1 ? ` (${s.count})` : ''}`)
            .join(', ')}
          {sizes.length > 1 ? ': mixed, a Resize makes them one size' : ''}
        </dd>
        {summary.skippedCount > 0 && (
          <>
            <dt>Left out</dt>
            <dd title={summary.skipped.map((f) => `${f.path}: ${f.reason}`).join('\n')}>
              {summary.skippedCount} {summary.skippedCount === 1 ? 'file' : 'files'} (
              {summary.skipped
                .slice(0, 3)
                .map((f) => f.path)
                .join(', ')}
              {summary.skippedCount > 3 ? ', …' : ''}): not images of a class
            </dd>
          </>
        )}
      </dl>
      <h3>Classes</h3>
      <ClassBars classes={summary.classes} counts={summary.counts} />
    </>
  )
}

/** Header row, skip rows and target of a CSV file, read again when changed. */
export function CsvOptions({ node, summary }: { node: GraphNode; summary: CsvSummary }) {
  const rescan = useStudio((s) => s.rescanCsv)
  const [busy, setBusy] = useState(false)
  const change = async (patch: Partial<{ header: boolean; skipRows: number; target: string }>) => {
    setBusy(true)
    await rescan(node.id, {
      header: summary.header,
      skipRows: summary.skipRows,
      target: summary.target,
      ...patch,
    })
    setBusy(false)
  }
  return (
    <div className="csv-options" data-testid="csv-options">
      <label>
        <input
          type="checkbox"
          checked={summary.header}
          disabled={busy}
          data-testid="csv-header"
          onChange={(e) => void change({ header: e.target.checked, target: '' })}
        />{' '}
        First row names the columns
      </label>
      <label>
        Skip rows{' '}
        <input
          type="number"
          min={0}
          max={1000}
          value={summary.skipRows}
          disabled={busy}
          data-testid="csv-skip-rows"
          onChange={(e) => {
            const n = Number(e.target.value)
            if (Number.isInteger(n) && n >= 0 && n <= 1000) void change({ skipRows: n, target: '' })
          }}
        />
      </label>
      <label>
        Target{' '}
        <select
          value={summary.target}
          disabled={busy}
          data-testid="csv-target"
          onChange={(e) => void change({ target: e.target.value })}
        >
          {summary.columns.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </label>
    </div>
  )
}

/** What the scan of a CSV file found: its rows, columns, target and classes. */
export function CsvFacts({ node, summary }: { node: GraphNode; summary: CsvSummary }) {
  const targetIndex = summary.columns.indexOf(summary.target)
  const rows = summary.header ? summary.preview.slice(1) : summary.preview
  return (
    <>
      <CsvOptions node={node} summary={summary} />
      {summary.detected && (
        <p className="lead" data-testid="csv-detected">
          {summary.detected}
        </p>
      )}
      <dl className="kv data-facts">
        <dt>Rows</dt>
        <dd>{summary.rowCount.toLocaleString('en-US')}</dd>
        <dt>Features</dt>
        <dd>{summary.features.join(', ') || 'none: no numeric column besides the target'}</dd>
        <dt>Target</dt>
        <dd>
          {summary.target} (
          {summary.task === 'regression'
            ? 'numbers: regression'
            : `${summary.classes.length} classes`}
          )
        </dd>
      </dl>
      <div className="data-table-wrap">
        <table className="data-table" data-testid="csv-preview">
          <thead>
            <tr>
              {summary.columns.map((c, i) => (
                <th key={c} className={i === targetIndex ? 'label' : ''}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, k) => (
              <tr key={k}>
                {r.map((cell, i) => (
                  <td key={i} className={i === targetIndex ? 'label' : ''}>
                    {i === targetIndex ? (summary.labelNames[cell.trim()] ?? cell) : cell}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {summary.task === 'classification' && (
        <>
          <h3>Classes</h3>
          <ClassBars classes={summary.classes} counts={summary.counts} names={summary.labelNames} />
        </>
      )}
    </>
  )
}
