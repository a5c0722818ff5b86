import type { TrainingSettings } from '@tensorloom/graph'
import { trainingSpecs, validateTrainingSetting } from '@tensorloom/graph'
import { useStudio } from '../store/useStudio'
import type { BackendChoiceName } from '../worker/protocol'
import { parseValue } from './ParamField'
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

/** The run's settings: optimizer, learning rate, epochs, seed, batch limit and backend. */
export function TrainingSettingsForm({ disabled }: { disabled: boolean }) {
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
