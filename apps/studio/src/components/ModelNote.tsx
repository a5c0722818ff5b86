import { useMemo } from 'react'
import { graphChanges, summarizeChanges } from '../lib/graphDiff'
import { useStudio } from '../store/useStudio'

/** The canvas's changes since `doc` was trained, or since the running run started. */
function useChangesSince(which: 'model' | 'run'): string[] {
  const base = useStudio((s) => (which === 'model' ? s.model?.doc : s.run.doc))
  const doc = useStudio((s) => s.doc)
  return useMemo(() => (base ? graphChanges(base, doc) : []), [base, doc])
}

/**
 * Names the network the trained model belongs to (Results, Draw), and says when the canvas has
 * changed since and what: the numbers, the weights and the predictions are those of the network
 * as it was trained, never of the graph on screen.
 */
export function ModelNote({ what }: { what: string }) {
  const model = useStudio((s) => s.model)
  const changes = useChangesSince('model')
  if (!model) return null
  const finished = new Date(model.finishedAt).toLocaleTimeString('en-US', {
    hour: 'numeric',
    minute: '2-digit',
  })
  return (
    <div className="model-note" data-testid="model-note">
      <div>
        Trained network: <strong data-testid="model-name">“{model.doc.name}”</strong>,{' '}
        {model.steps.toLocaleString('en-US')} batches
        {model.backend ? ` on ${model.backend}` : ''}, finished {finished}.
      </div>
      {changes.length > 0 && (
        <div className="model-stale" role="status" data-testid="model-stale">
          The canvas has changed since: {summarizeChanges(changes)}. {what} belong to the network as
          it was trained; train again to use the graph on the canvas.
        </div>
      )}
    </div>
  )
}

/** In the Train panel while a run goes on: says when the canvas no longer is what it trains. */
export function RunNote() {
  const status = useStudio((s) => s.run.status)
  const name = useStudio((s) => s.run.doc?.name ?? '')
  const changes = useChangesSince('run')
  const restart = useStudio((s) => s.restartTraining)
  const running = status === 'starting' || status === 'training' || status === 'paused'
  if (!running || changes.length === 0) return null
  return (
    <div className="issue-card warning" role="status" data-testid="run-stale">
      <strong>This run trains “{name}” as it was when it started.</strong> The canvas has changed
      since: {summarizeChanges(changes)}.
      <div className="issue-actions">
        <button type="button" className="btn small" onClick={restart} data-testid="restart-run">
          Stop and train the canvas
        </button>
      </div>
    </div>
  )
}
