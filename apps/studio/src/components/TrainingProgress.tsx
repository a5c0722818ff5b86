import { useShallow } from 'zustand/react/shallow'
import type { RunState } from '../store/trainingSlice'
import { useStudio } from '../store/useStudio'

/** The backend the run uses, what `auto` measured, and any fallbacks. */
export function BackendStatus() {
  const backend = useStudio((s) => s.run.backend)
  const ended = useStudio((s) => s.run.status === 'done' || s.run.status === 'failed')
  const trained = useStudio((s) => s.run.results !== null)
  if (!backend) return null
  const fellBack = backend.fallbacks.length > 0
  const timings = backend.timings
  return (
    <div className="backend">
      {ended ? (trained ? 'Trained on' : 'Backend') : 'Running on'}
      <span className={`backend-badge ${fellBack ? 'fallback' : ''}`} data-testid="backend">
        {backend.name}
      </span>
      {backend.threads !== null && (
        <span className="backend-threads" data-testid="backend-threads">
          ({backend.threads} {backend.threads === 1 ? 'thread' : 'threads'})
        </span>
      )}
      {timings && timings.length > 0 && (
        <span className="backend-timings" data-testid="backend-timings">
          Auto picked the fastest on this network:{' '}
          {[...timings]
            .sort((a, b) => (b.samplesPerSec ?? -1) - (a.samplesPerSec ?? -1))
            .map((t) => (
              <span key={t.backend} data-backend={t.backend} data-speed={t.samplesPerSec ?? ''}>
                {t.backend}{' '}
                {t.samplesPerSec === null
                  ? `failed (${t.error ?? 'unknown'})`
                  : `${Math.round(t.samplesPerSec).toLocaleString('en-US')} img/s`}
              </span>
            ))}
        </span>
      )}
      {backend.fallbacks.map((f) => (
        <span key={f.backend} className="fallback-reason">
          {f.backend} unavailable: {f.reason}
        </span>
      ))}
    </div>
  )
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`
  const m = Math.floor(seconds / 60)
  return `${m} min ${Math.round(seconds - m * 60)} s`
}

/** What the run is doing now, in words, where an ETA would say nothing useful. */
function phaseText(phase: RunState['phase']): string | null {
  if (!phase) return null
  if (phase.phase === 'evaluating') {
    return `Evaluating on ${phase.images.toLocaleString('en-US')} test images…`
  }
  if (phase.phase === 'benchmarking') {
    return `Timing ${phase.backend} (${phase.index} of ${phase.count}) to pick the fastest backend…`
  }
  return null
}

/** The run's progress and what it is doing now (with an ETA while it trains). */
export function TrainingProgress() {
  const { status, loading, progress, plan, finishReason, phase, hasResults, number } = useStudio(
    useShallow((s) => ({
      status: s.run.status,
      loading: s.run.loading,
      progress: s.run.progress,
      plan: s.run.plan,
      finishReason: s.run.finishReason,
      phase: s.run.phase,
      hasResults: s.run.results !== null,
      number: s.run.number,
    })),
  )
  if (status === 'idle') return null
  const doing = phaseText(phase)
  if (loading && !progress) {
    const pct = loading.total ? (loading.loaded / loading.total) * 100 : null
    return (
      <div className="progress" data-testid="loading">
        <div className="progress-track">
          <div className="progress-fill" style={{ width: `${pct ?? 5}%` }} />
        </div>
        <div className="progress-meta">
          <span>{loading.label}</span>
          {loading.total ? (
            <strong>
              {(loading.loaded / 1e6).toFixed(1)} / {(loading.total / 1e6).toFixed(1)} MB
            </strong>
          ) : null}
        </div>
      </div>
    )
  }
  if (status === 'done' && !hasResults && !progress) {
    return (
      <div className="readout" data-testid="phase">
        Stopped before the first batch: nothing was trained.
      </div>
    )
  }
  if (!progress || !plan) {
    return (
      <div className="readout" data-testid="phase">
        {status === 'stopping'
          ? 'Stopping…'
          : (doing ?? 'Starting the worker and compiling shaders…')}
      </div>
    )
  }
  const pct = (progress.globalStep / progress.totalSteps) * 100
  const running = status === 'training' || status === 'starting' || status === 'stopping'
  return (
    <div className="progress" data-testid="progress">
      <div
        className="progress-track"
        role="progressbar"
        aria-label="Training progress"
        aria-valuenow={Math.round(pct)}
        aria-valuemin={0}
        aria-valuemax={100}
      >
        <div className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      <div className="progress-meta" data-run={number}>
        <span>
          Epoch <strong>{progress.epoch}</strong>/{plan.epochs}
        </span>
        <span>
          Batch <strong data-testid="global-step">{progress.globalStep}</strong>/
          {progress.totalSteps}
        </span>
        <span title="Training images per second, paused time left out">
          <strong data-testid="samples-per-sec">
            {Math.round(progress.samplesPerSec).toLocaleString('en-US')}
          </strong>{' '}
          img/s
        </span>
        <span data-testid="run-state">
          {status === 'done'
            ? finishReason === 'stopped'
              ? 'Stopped'
              : finishReason === 'diverged'
                ? 'Diverged'
                : 'Done'
            : status === 'paused'
              ? 'Paused'
              : status === 'stopping'
                ? 'Stopping…'
                : running && doing
                  ? doing
                  : progress.etaSeconds !== null
                    ? `ETA ${formatDuration(progress.etaSeconds)}`
                    : ''}
        </span>
      </div>
    </div>
  )
}
