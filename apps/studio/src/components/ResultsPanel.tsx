import { useMemo, useState } from 'react'
import type { ResultsSummary } from '../store/trainingSlice'
import { useStudio } from '../store/useStudio'
import type { Prediction, TrainResults } from '../worker/protocol'
import { recoveryMessage } from '../worker/recovery'
import { DigitImage, diverging } from './DigitImage'
import { ModelNote } from './ModelNote'

function cellAlpha(count: number, rowTotal: number, diagonal: boolean): number {
  const share = rowTotal === 0 ? 0 : count / rowTotal
  if (diagonal) return 0.1 + share * 0.3
  // At most 0.6: dark text keeps a contrast of at least 4.5:1 on the reddest cell.
  return count === 0 ? 0 : Math.min(0.6, 0.12 + share * 6)
}

function cellColor(count: number, rowTotal: number, diagonal: boolean): string {
  const alpha = cellAlpha(count, rowTotal, diagonal)
  if (diagonal) return `rgba(11, 122, 75, ${alpha})`
  if (count === 0) return '#f6f7f9'
  return `rgba(200, 50, 31, ${alpha})`
}

/** The 10x10 table of true label (rows) against prediction (columns); cells open the images. */
function ConfusionMatrix(props: {
  confusion: number[][]
  active: [number, number] | null
  onPick: (cell: [number, number]) => void
}) {
  const { confusion, active } = props
  return (
    <section className="section">
      <h3>Confusion matrix</h3>
      <table className="confusion" data-testid="confusion-matrix">
        <thead>
          <tr>
            <th>
              <span className="sr-only">True digit, predicted digit</span>
            </th>
            {confusion.map((_, p) => (
              <th key={p}>{p}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {confusion.map((row, label) => {
            const total = row.reduce((a, b) => a + b, 0)
            return (
              <tr key={label}>
                <th>{label}</th>
                {row.map((count, predicted) => {
                  const diagonal = label === predicted
                  const isActive = active?.[0] === label && active[1] === predicted
                  const title = `${count} images of ${label} predicted as ${predicted}`
                  const style = { background: cellColor(count, total, diagonal) }
                  return (
                    <td key={predicted}>
                      {diagonal || count === 0 ? (
                        <span className="cell" style={style} title={title}>
                          {count}
                        </span>
                      ) : (
                        <button
                          type="button"
                          className={`cell ${isActive ? 'active' : ''}`}
                          style={style}
                          title={`${title}: click to see them`}
                          onClick={() => props.onPick([label, predicted])}
                        >
                          {count}
                        </button>
                      )}
                    </td>
                  )
                })}
              </tr>
            )
          })}
        </tbody>
      </table>
      <div className="axis-note">
        Rows: true digit · columns: predicted. Click a red cell to see its images.
      </div>
    </section>
  )
}

function PredictionGrid(props: {
  items: Prediction[]
  images: Uint8Array
  indexOf: (p: Prediction) => number
}) {
  return (
    <div className="image-grid">
      {props.items.map((p) => {
        const i = props.indexOf(p)
        const wrong = p.label !== p.predicted
        return (
          <div
            key={p.index}
            className={`image-cell ${wrong ? 'wrong' : ''}`}
            title={`Test image #${p.index}: label ${p.label}, predicted ${p.predicted} (${(p.confidence * 100).toFixed(1)}%)`}
          >
            <DigitImage
              values={props.images.subarray(i * 784, (i + 1) * 784)}
              scale={255}
              label={`Test image ${p.index}: a ${p.label}, predicted ${p.predicted}`}
            />
            <span>
              {p.predicted} · {Math.round(p.confidence * 100)}%
            </span>
          </div>
        )
      })}
    </div>
  )
}

function Misclassified({ results, cell }: { results: TrainResults; cell: [number, number] }) {
  const indexOf = useMemo(() => {
    const positions = new Map(results.errors.map((p, i) => [p, i]))
    return (p: Prediction) => positions.get(p) ?? 0
  }, [results])
  const items = results.errors.filter((e) => e.label === cell[0] && e.predicted === cell[1])
  return (
    <section className="section" data-testid="misclassified">
      <h3>
        {cell[0]} predicted as {cell[1]} ({items.length})
      </h3>
      {items.length === 0 ? (
        <p className="lead">These images were not kept (only the first errors are sent back).</p>
      ) : (
        <PredictionGrid items={items} images={results.errorImages} indexOf={indexOf} />
      )}
    </section>
  )
}

function Gallery({ results }: { results: TrainResults }) {
  const indexOf = useMemo(() => {
    const positions = new Map(results.gallery.map((p, i) => [p, i]))
    return (p: Prediction) => positions.get(p) ?? 0
  }, [results])
  return (
    <section className="section">
      <h3>Sample predictions</h3>
      <PredictionGrid items={results.gallery} images={results.galleryImages} indexOf={indexOf} />
    </section>
  )
}

/** The first Linear layer's rows drawn as 28x28 images: what each hidden unit looks for. */
function FirstLayerWeights({ layer }: { layer: NonNullable<TrainResults['firstLayer']> }) {
  const shown = Math.min(layer.outFeatures, 32)
  const rows = useMemo(
    () =>
      Array.from({ length: shown }, (_, i) =>
        layer.weights.subarray(i * layer.inFeatures, (i + 1) * layer.inFeatures),
      ),
    [layer, shown],
  )
  const limit = useMemo(() => {
    let max = 0
    for (const row of rows) for (const v of row) max = Math.max(max, Math.abs(v))
    return max
  }, [rows])
  const colorMap = useMemo(() => diverging(limit), [limit])
  return (
    <section className="section" data-testid="weights">
      <h3>First layer weights</h3>
      <p className="lead">
        Each square is one hidden unit's 784 weights as a 28×28 image: red pixels push it up, blue
        pull it down. Showing {shown} of {layer.outFeatures}.
      </p>
      <div className="weights-grid">
        {rows.map((row, i) => (
          <DigitImage key={i} values={row} colorMap={colorMap} label={`Unit ${i}`} />
        ))}
      </div>
    </section>
  )
}

/** The numbers of the last finished run, restored after a reload (the images are not kept). */
function LastRunSummary({ summary }: { summary: ResultsSummary }) {
  return (
    <div data-testid="last-run">
      <section className="section">
        <h3>Last run</h3>
        <div className="big-number" data-testid="last-run-accuracy">
          {(summary.testAccuracy * 100).toFixed(2)}%
        </div>
        <p className="lead">
          “{summary.graphName}”, {summary.steps.toLocaleString('en-US')} batches
          {summary.backend ? ` on ${summary.backend}` : ''}, finished{' '}
          {new Date(summary.finishedAt).toLocaleString('en-US')}
          {summary.finishReason === 'diverged' ? ' (the loss diverged)' : ''}. Test loss{' '}
          {summary.testLoss.toFixed(4)}. Train again for the sample predictions and weights.
        </p>
      </section>
      <ConfusionMatrix confusion={summary.confusion} active={null} onPick={() => {}} />
    </div>
  )
}

/** The Results panel: test accuracy, confusion matrix, predictions and learned weights. */
export function ResultsPanel() {
  const model = useStudio((s) => s.model)
  const lastRun = useStudio((s) => s.lastRun)
  const [cell, setCell] = useState<[number, number] | null>(null)
  if (!model) {
    if (lastRun) return <LastRunSummary summary={lastRun} />
    return (
      <div className="empty-state">
        Train the network to see how well it recognises the test digits.
      </div>
    )
  }
  const { results, finishReason: reason, divergence, recovery, steps } = model
  return (
    <div data-testid="results-panel">
      <section className="section">
        <h2 className="results-title">Results of “{model.doc.name}”</h2>
        <ModelNote what="These results, the weights and Draw" />
        <h3>Test accuracy</h3>
        <div className="big-number" data-testid="final-accuracy">
          {(results.testAccuracy * 100).toFixed(2)}%
        </div>
        <p className="lead">
          On the 10,000 test images after {steps.toLocaleString('en-US')} batches
          {reason === 'stopped' ? ' (stopped early)' : ''}
          {divergence
            ? ` (the loss became ${divergence.value} at batch ${divergence.globalStep}: these are the last weights that gave a finite loss)`
            : ''}
          . Test loss {results.testLoss.toFixed(4)}.
        </p>
        {recovery && (
          <p className="lead" data-testid="results-recovery">
            {recoveryMessage(recovery)}
          </p>
        )}
      </section>
      <ConfusionMatrix confusion={results.confusion} active={cell} onPick={setCell} />
      {cell && <Misclassified results={results} cell={cell} />}
      <Gallery results={results} />
      {results.firstLayer && <FirstLayerWeights layer={results.firstLayer} />}
    </div>
  )
}
