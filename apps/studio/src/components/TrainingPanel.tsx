import type { TrainingSettings } from '@tensorloom/graph'
import { trainingSpecs, validateTrainingSetting } from '@tensorloom/graph'
import { useMemo } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { RunState } from '../store/trainingSlice'
import { startProblem } from '../store/trainingSlice'
import { useStudio } from '../store/useStudio'
import type { BackendChoiceName } from '../worker/protocol'
import { DecisionBoundary } from './DecisionBoundary'
import type { ChartSeries } from './LineChart'
import { LineChart } from './LineChart'
import { MemoryPerEpoch } from './MemoryPerEpoch'
import { RunNote } from './ModelNote'
import { parseValue } from './ParamField'
import { RecoveryNotice } from './RecoveryNotice'
import { useFieldText } from './useFieldText'

type NumericSetting = 'lr' | 'momentum' | 'epochs' | 'seed'

/** The fields' labels; the limits and messages are graph's, as the document's validation uses. */
const LABELS: Record<NumericSetting, string> = {
  lr: 'Learning rate',
  momentum: 'Momentum',
  epochs: 'Epochs',
  seed: 'Seed',
}

const specOf = (name: NumericSetting) => trainingSpecs.find((s) => s.name === name)!

/**
 * Reads a training setting's text box as the inspector reads a block parameter's, and checks it
 * with graph's `validateTrainingSetting`: the panel accepts exactly what a saved document may hold,
 * and refuses the rest with graph's message (`epochs must be an integer from 1 to 1000, but got
 * 1001`).
 */
export function readSetting(
  name: NumericSetting,
  text: string,
): { value: unknown; problem: string | null } {
  const value = parseValue(specOf(name), text)
  return { value, problem: validateTrainingSetting(name, value) }
}

/** The most batches a run may be limited to (166 epochs of MNIST at batch size 1). */
export const MAX_STEPS_LIMIT = 10_000_000

/** Why a "stop after batches" text is refused, or null; empty means "all epochs". */
export function maxStepsProblem(text: string): string | null {
  const t = text.trim()
  if (t === '') return null
  const n = Number(t)
  if (!Number.isFinite(n)) return 'Stop after batches must be a number, or empty for all.'
  if (!Number.isInteger(n) || n < 1)
    return 'Stop after batches must be a whole number of at least 1.'
  if (n > MAX_STEPS_LIMIT) {
    return `Stop after batches must be at most ${MAX_STEPS_LIMIT.toLocaleString('en-US')}.`
  }
  return null
}

const formatMaxSteps = (value: number | null) => (value === null ? '' : String(value))

function readMaxSteps(text: string): { value: unknown; problem: string | null } {
  const problem = maxStepsProblem(text)
  return { value: text.trim() === '' ? null : Number(text), problem }
}

function MaxStepsSetting({ disabled }: { disabled: boolean }) {
  const maxSteps = useStudio((s) => s.maxSteps)
  const setMaxSteps = useStudio((s) => s.setMaxSteps)
  const field = useFieldText<number | null>({
    value: maxSteps,
    format: formatMaxSteps,
    read: readMaxSteps,
    commit: (value) => {
      setMaxSteps(value as number | null)
      return null
    },
    errorKey: 'setting:maxSteps',
    label: 'Stop after batches',
  })
  return (
    <div className="field">
      <div className="field-label">
        <label htmlFor="setting-max-steps">Stop after batches</label>
      </div>
      <input
        id="setting-max-steps"
        type="text"
        inputMode="numeric"
        autoComplete="off"
        placeholder="all"
        disabled={disabled}
        {...field.inputProps}
      />
      {field.error && (
        <div className="field-error" role="alert" data-testid="field-error">
          {field.error}
        </div>
      )}
    </div>
  )
}

function NumberSetting({ name, disabled }: { name: NumericSetting; disabled: boolean }) {
  const value = useStudio((s) => s.doc.training[name])
  const setTraining = useStudio((s) => s.setTraining)
  const field = useFieldText<number>({
    value,
    format: String,
    read: (text) => readSetting(name, text),
    commit: (next) => {
      setTraining({ [name]: next } as Partial<TrainingSettings>)
      return null
    },
    errorKey: `setting:${name}`,
    label: LABELS[name],
  })
  return (
    <div className="field">
      <div className="field-label">
        <label htmlFor={`setting-${name}`}>{LABELS[name]}</label>
      </div>
      <input
        id={`setting-${name}`}
        type="text"
        inputMode={name === 'lr' || name === 'momentum' ? 'decimal' : 'numeric'}
        autoComplete="off"
        disabled={disabled}
        {...field.inputProps}
      />
      {field.error && (
        <div className="field-error" role="alert" data-testid="field-error">
          {field.error}
        </div>
      )}
    </div>
  )
}

function TrainingSettingsForm({ disabled }: { disabled: boolean }) {
  const optimizer = useStudio((s) => s.doc.training.optimizer)
  const setTraining = useStudio((s) => s.setTraining)
  const loader = useStudio((s) => s.doc.nodes.find((n) => n.type === 'DataLoader'))
  return (
    <section className="section">
      <h3>Settings</h3>
      <div className="form-grid">
        <div className="field">
          <div className="field-label">
            <label htmlFor="setting-optimizer">Optimizer</label>
          </div>
          <select
            id="setting-optimizer"
            value={optimizer}
            disabled={disabled}
            onChange={(e) =>
              setTraining({ optimizer: e.target.value as TrainingSettings['optimizer'] })
            }
          >
            <option value="Adam">Adam</option>
            <option value="AdamW">AdamW</option>
            <option value="SGD">SGD</option>
          </select>
        </div>
        <NumberSetting name="lr" disabled={disabled} />
        {optimizer === 'SGD' && <NumberSetting name="momentum" disabled={disabled} />}
        <NumberSetting name="epochs" disabled={disabled} />
        <NumberSetting name="seed" disabled={disabled} />
        <MaxStepsSetting disabled={disabled} />
        <BackendSetting disabled={disabled} />
      </div>
      <div className="readout">
        {loader ? (
          <>
            Batch size <strong>{String(loader.params.batchSize)}</strong>, shuffle{' '}
            <strong>{loader.params.shuffle ? 'on' : 'off'}</strong> — set on the DataLoader block.
          </>
        ) : (
          'Add a DataLoader block to set the batch size.'
        )}
      </div>
    </section>
  )
}

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

const BACKEND_OPTIONS: { value: BackendChoiceName; label: string }[] = [
  { value: 'auto', label: 'Auto (fastest)' },
  { value: 'webgl', label: 'WebGL (GPU)' },
  { value: 'wasm', label: 'wasm' },
  { value: 'cpu', label: 'CPU' },
]

/** Where to train: one tfjs backend, or `auto`, which times a few steps on each. */
function BackendSetting({ disabled }: { disabled: boolean }) {
  const choice = useStudio((s) => s.backendChoice)
  const setChoice = useStudio((s) => s.setBackendChoice)
  return (
    <div className="field">
      <div className="field-label">
        <label htmlFor="setting-backend">Backend</label>
      </div>
      <select
        id="setting-backend"
        title="Auto times a few steps of this network on each backend and trains on the fastest"
        value={choice}
        disabled={disabled}
        onChange={(e) => setChoice(e.target.value as BackendChoiceName)}
      >
        {BACKEND_OPTIONS.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  )
}

function BackendStatus() {
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

function TrainingProgress() {
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

function LossChart() {
  const loss = useStudio((s) => s.run.loss)
  const series: ChartSeries[] = useMemo(
    () => [
      { label: 'batch loss', color: 'rgba(79, 70, 229, 0.28)', values: loss.raw, width: 1 },
      { label: 'smoothed', color: '#4f46e5', values: loss.smooth, width: 2 },
    ],
    [loss],
  )
  const last = loss.smooth.at(-1)
  return (
    <div className="chart">
      <div className="chart-title">
        Training loss{' '}
        <span data-testid="loss-value" data-first-loss={loss.smooth[0]} data-last-loss={last}>
          {last !== undefined ? last.toFixed(4) : ''}
        </span>
      </div>
      {loss.steps.length === 0 ? (
        <div className="chart-empty">The loss appears here, batch by batch.</div>
      ) : (
        <LineChart x={loss.steps} series={series} xLabel="batch" testId="loss-chart" />
      )}
    </div>
  )
}

function AccuracyChart() {
  const evals = useStudio((s) => s.run.evals)
  const epochs = useStudio((s) => s.run.plan?.epochs ?? 1)
  const x = useMemo(() => evals.map((e) => e.epoch), [evals])
  const series: ChartSeries[] = useMemo(
    () => [
      { label: 'test', color: '#0b7a4b', values: evals.map((e) => e.testAccuracy * 100), width: 2 },
      {
        label: 'train',
        color: '#d5620f',
        values: evals.map((e) => (e.trainAccuracy === null ? null : e.trainAccuracy * 100)),
        dash: [4, 3],
      },
    ],
    [evals],
  )
  const last = evals.at(-1)
  return (
    <div className="chart">
      <div className="chart-title">
        Accuracy{' '}
        <span data-testid="test-accuracy">
          {last ? `${(last.testAccuracy * 100).toFixed(2)}% test` : ''}
        </span>
      </div>
      {evals.length === 0 ? (
        <div className="chart-empty">Test accuracy appears after each epoch.</div>
      ) : (
        <LineChart
          x={x}
          series={series}
          xLabel="epoch"
          xRange={[0, Math.max(epochs, ...x)]}
          yRange={[0, 100]}
          testId="accuracy-chart"
        />
      )}
    </div>
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
