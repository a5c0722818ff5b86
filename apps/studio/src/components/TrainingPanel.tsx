import { useShallow } from 'zustand/react/shallow'
import { startProblem } from '../store/trainingSlice'
import { useStudio } from '../store/useStudio'
import { DecisionBoundary } from './DecisionBoundary'
import { MemoryPerEpoch } from './MemoryPerEpoch'
import { RunNote } from './ModelNote'
import { RecoveryNotice } from './RecoveryNotice'
import { AccuracyChart, LossChart } from './TrainingCharts'
import { BackendStatus, TrainingProgress } from './TrainingProgress'
import { TrainingSettingsForm } from './TrainingSettingsForm'

export { MAX_STEPS_LIMIT, maxStepsProblem, readSetting } from './TrainingSettingsForm'

function TrainingControls() {
  const status = useStudio((s) => s.run.status)
  const hasResults = useStudio((s) => s.run.results !== null)
  const blocked = useStudio(startProblem)
  const { start, pause, resume, stop } = useStudio(
    useShallow((s) => ({
      start: s.startTraining,
      pause: s.pauseTraining,
      resume: s.resumeTraining,
      stop: s.stopTraining,
    })),
  )
  const running = status === 'training' || status === 'starting' || status === 'paused'
  return (
    <>
      <div className="controls">
        <button
          type="button"
          className="btn primary"
          onClick={start}
          disabled={running || status === 'stopping' || blocked !== null}
          aria-describedby={blocked && !running ? 'start-blocked' : undefined}
          data-testid="train-start"
        >
          {status === 'done' && hasResults ? 'Train again' : 'Start training'}
        </button>
        {status === 'paused' ? (
          <button type="button" className="btn" onClick={resume}>
            Resume
          </button>
        ) : (
          <button type="button" className="btn" onClick={pause} disabled={status !== 'training'}>
            Pause
          </button>
        )}
        <button type="button" className="btn danger" onClick={stop} disabled={!running}>
          Stop
        </button>
        {status === 'paused' && (
          <span className="status-label" data-testid="paused-label">
            Paused
          </span>
        )}
      </div>
      {blocked && !running && (
        <p className="start-blocked" id="start-blocked" data-testid="start-blocked">
          {blocked}
        </p>
      )}
    </>
  )
}

/** Says where the loss became NaN/Inf and what to try; the last good weights remain usable. */
function DivergenceNotice() {
  const divergence = useStudio((s) => s.run.divergence)
  const setTraining = useStudio((s) => s.setTraining)
  if (!divergence) return null
  const smaller = divergence.lr !== null ? divergence.lr / 10 : null
  return (
    <div className="issue-card error" role="alert" data-testid="divergence">
      <strong>
        Training diverged: the loss became {divergence.value} at batch {divergence.globalStep}{' '}
        (epoch {divergence.epoch}, step {divergence.step}).
      </strong>{' '}
      Training stopped there and the model keeps its last weights that gave a finite loss (see
      Results). The learning rate
      {divergence.lr !== null ? ` (${divergence.lr})` : ''} is probably too high: try a smaller
      learning rate.
      {smaller !== null && (
        <div>
          <button
            type="button"
            className="btn fix"
            data-testid="use-smaller-lr"
            onClick={() => setTraining({ lr: smaller })}
          >
            Set learning rate to {smaller}
          </button>
        </div>
      )}
    </div>
  )
}

/** The Train panel: settings, controls, backend, progress and live charts. */
export function TrainingPanel() {
  const status = useStudio((s) => s.run.status)
  const error = useStudio((s) => s.run.error)
  const busy = status === 'training' || status === 'starting' || status === 'paused'
  return (
    <div data-testid="training-panel">
      <section className="section">
        <h2>Train in your browser</h2>
        <p className="lead">
          Trains the network on its dataset in a background worker, on the backend that runs it
          fastest here (or the one you pick).
        </p>
      </section>
      <TrainingSettingsForm disabled={busy} />
      <TrainingControls />
      {error && (
        <div className="issue-card error" role="alert">
          {error}
        </div>
      )}
      <RunNote />
      <DivergenceNotice />
      <RecoveryNotice />
      <BackendStatus />
      <TrainingProgress />
      <LossChart />
      <DecisionBoundary />
      <AccuracyChart />
      <MemoryPerEpoch />
    </div>
  )
}
