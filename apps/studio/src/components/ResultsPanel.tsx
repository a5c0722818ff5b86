import { useMemo, useState } from 'react'
import type { ResultsSummary } from '../store/trainingSlice'
import { useStudio } from '../store/useStudio'
import type { ImageLayout, Prediction, TrainResults } from '../worker/protocol'
import { recoveryMessage } from '../worker/recovery'
import { Thumbnail } from './DataPreview'
import { BoundaryCanvas } from './DecisionBoundary'
import { DigitImage, diverging } from './DigitImage'
import { ModelNote } from './ModelNote'

function cellAlpha(count: number, rowTotal: number, diagonal: boolean): number {
  const share = rowTotal === 0 ? 0 : count / rowTotal
  if (diagonal) return 0.1 + share * 0.3
  // At most 0.6: dark text keeps a contrast of at least 4.5:1 on the reddest cell.
  return count === 0 ? 0 : Math.min(0.6, 0.12 + share * 6)
}

/** MNIST's layout: results without one are 28 x 28 gray. */
const DIGIT: ImageLayout = { height: 28, width: 28, channels: 1 }

/** The name of class `label` (the label itself when the results carry no names). */
const nameOf = (names: readonly string[] | undefined, label: number) =>
  names?.[label] ?? String(label)

function cellColor(count: number, rowTotal: number, diagonal: boolean): string {
  const alpha = cellAlpha(count, rowTotal, diagonal)
  if (diagonal) return `rgba(11, 122, 75, ${alpha})`
  if (count === 0) return '#f6f7f9'
  return `rgba(200, 50, 31, ${alpha})`
}

/**
 * The table of true class (rows) against prediction (columns), one row and column per class;
 * cells open the samples.
 */
function ConfusionMatrix(props: {
  confusion: number[][]
  active: [number, number] | null
  onPick: (cell: [number, number]) => void
  classNames?: readonly string[] | undefined
}) {
  const { confusion, active, classNames } = props
  // Short headers: the class index, its name in the tooltip, unless names are short.
  const short = (classNames ?? []).every((n) => n.length <= 3)
  const head = (i: number) => (short ? nameOf(classNames, i) : String(i))
  // Long names fit beside a few rows; with more classes the legend below names them.
  const rowNames = !short && classNames !== undefined && confusion.length <= 7
  return (
    <section className="section">
      <h3>Confusion matrix</h3>
      <table
        className={`confusion ${confusion.length > 10 ? 'many' : ''}`}
        data-testid="confusion-matrix"
        data-classes={confusion.length}
      >
        <thead>
          <tr>
            <th>
              <span className="sr-only">True class, predicted class</span>
            </th>
            {confusion.map((_, p) => (
              <th key={p} title={nameOf(classNames, p)}>
                {head(p)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {confusion.map((row, label) => {
            const total = row.reduce((a, b) => a + b, 0)
            return (
              <tr key={label}>
                <th title={nameOf(classNames, label)} className="row-name">
                  {rowNames ? `${label} ${nameOf(classNames, label)}` : head(label)}
                </th>
                {row.map((count, predicted) => {
                  const diagonal = label === predicted
                  const isActive = active?.[0] === label && active[1] === predicted
                  const title = `${count} samples of ${nameOf(classNames, label)} predicted as ${nameOf(classNames, predicted)}`
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
        Rows: true class · columns: predicted. Click a red cell to see its samples.
        {!short && classNames && (
          <span data-testid="class-legend">
            {' '}
            {classNames.map((n, i) => `${i} ${n}`).join(' · ')}
          </span>
        )}
      </div>
    </section>
  )
}

function PredictionGrid(props: {
  items: Prediction[]
  results: TrainResults
  images: Uint8Array
  rows: number[][] | undefined
  indexOf: (p: Prediction) => number
}) {
  const { results, items } = props
  const names = results.classNames
  const layout = results.image === undefined ? DIGIT : results.image
  const title = (p: Prediction) =>
    `Test sample #${p.index}: ${nameOf(names, p.label)}, predicted ${nameOf(names, p.predicted)} (${(p.confidence * 100).toFixed(1)}%)`
  const label = (p: Prediction) =>
    `Test sample ${p.index}: ${nameOf(names, p.label)}, predicted ${nameOf(names, p.predicted)}`
  if (!layout && results.rows && props.rows) {
    return (
      <div className="data-table-wrap">
        <table className="data-table" data-testid="prediction-rows">
          <thead>
            <tr>
              {results.rows.columns.map((c) => (
                <th key={c}>{c}</th>
              ))}
              <th className="label">class</th>
              <th>predicted</th>
            </tr>
          </thead>
          <tbody>
            {items.map((p) => {
              const row = props.rows![props.indexOf(p)] ?? []
              return (
                <tr
                  key={p.index}
                  className={p.label !== p.predicted ? 'wrong' : ''}
                  title={title(p)}
                >
                  {row.map((v, k) => (
                    <td key={k}>{Number(v.toPrecision(4))}</td>
                  ))}
                  <td className="label">{nameOf(names, p.label)}</td>
                  <td className="predicted">
                    {nameOf(names, p.predicted)} · {Math.round(p.confidence * 100)}%
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
    )
  }
  if (!layout) return null
  const size = layout.height * layout.width * layout.channels
  return (
    <div className="image-grid">
      {items.map((p) => {
        const i = props.indexOf(p)
        const wrong = p.label !== p.predicted
        return (
          <div key={p.index} className={`image-cell ${wrong ? 'wrong' : ''}`} title={title(p)}>
            {results.image === undefined ? (
              <DigitImage
                values={props.images.subarray(i * 784, (i + 1) * 784)}
                scale={255}
                label={label(p)}
              />
            ) : (
              <Thumbnail
                data={props.images.subarray(i * size, (i + 1) * size)}
                layout={layout}
                label={label(p)}
              />
            )}
            <span className="class-name">{nameOf(names, p.predicted)}</span>
            <span>{Math.round(p.confidence * 100)}%</span>
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
        {nameOf(results.classNames, cell[0])} predicted as {nameOf(results.classNames, cell[1])} (
        {items.length})
      </h3>
      {items.length === 0 ? (
        <p className="lead">These samples were not kept (only the first errors are sent back).</p>
      ) : (
        <PredictionGrid
          items={items}
          results={results}
          images={results.errorImages}
          rows={results.rows?.errors}
          indexOf={indexOf}
        />
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
      <PredictionGrid
        items={results.gallery}
        results={results}
        images={results.galleryImages}
        rows={results.rows?.gallery}
        indexOf={indexOf}
      />
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
  // A regression run has no classes: no accuracy and no confusion matrix.
  const classes = summary.confusion.length > 0
  return (
    <div data-testid="last-run">
      <section className="section">
        <h3>Last run</h3>
        {classes && (
          <div className="big-number" data-testid="last-run-accuracy">
            {(summary.testAccuracy * 100).toFixed(2)}%
          </div>
        )}
        <p className="lead">
          “{summary.graphName}”, {summary.steps.toLocaleString('en-US')} batches
          {summary.backend ? ` on ${summary.backend}` : ''}, finished{' '}
          {new Date(summary.finishedAt).toLocaleString('en-US')}
          {summary.finishReason === 'diverged' ? ' (the loss diverged)' : ''}. Test loss{' '}
          {summary.testLoss.toFixed(4)}. Train again for the sample predictions and weights.
        </p>
      </section>
      {classes && <ConfusionMatrix confusion={summary.confusion} active={null} onPick={() => {}} />}
    </div>
  )
}

/** The Results panel: test accuracy, confusion matrix, predictions and learned weights. */
export function ResultsPanel() {
  const model = useStudio((s) => s.model)
  const lastRun = useStudio((s) => s.lastRun)
  const points = useStudio((s) => s.boundary.points)
  const [cell, setCell] = useState<[number, number] | null>(null)
  if (!model) {
    if (lastRun) return <LastRunSummary summary={lastRun} />
    return (
      <div className="empty-state">
        Train the network to see how well it recognises the test samples.
      </div>
    )
  }
  const { results, finishReason: reason, divergence, recovery, steps } = model
  const tested = results.regression
    ? results.regression.count
    : results.confusion.reduce((n, row) => n + row.reduce((a, b) => a + b, 0), 0)
  return (
    <div data-testid="results-panel">
      <section className="section">
        <h2 className="results-title">Results of “{model.doc.name}”</h2>
        <ModelNote what="These results, the weights and Draw" />
        <h3>{results.regression ? 'Test R²' : 'Test accuracy'}</h3>
        {results.regression ? (
          <div className="big-number" data-testid="final-r2">
            {results.regression.r2.toFixed(3)}
          </div>
        ) : (
          <div className="big-number" data-testid="final-accuracy">
            {(results.testAccuracy * 100).toFixed(2)}%
          </div>
        )}
        <p className="lead">
          On the {tested.toLocaleString('en-US')} test samples after {steps.toLocaleString('en-US')}{' '}
          batches
          {reason === 'stopped' ? ' (stopped early)' : ''}
          {divergence
            ? ` (the loss became ${divergence.value} at batch ${divergence.globalStep}: these are the last weights that gave a finite loss)`
            : ''}
          . Test loss {results.testLoss.toFixed(4)}
          {results.regression
            ? `, mean absolute error ${results.regression.mae.toPrecision(4)}`
            : ''}
          .
        </p>
        {recovery && (
          <p className="lead" data-testid="results-recovery">
            {recoveryMessage(recovery)}
          </p>
        )}
      </section>
      {results.boundary && (
        <section className="section boundary" data-testid="results-boundary">
          <h3>Decision boundary</h3>
          <BoundaryCanvas
            points={points}
            picture={results.boundary}
            testId="results-boundary-canvas"
          />
        </section>
      )}
      {!results.regression && (
        <>
          <ConfusionMatrix
            confusion={results.confusion}
            active={cell}
            onPick={setCell}
            classNames={results.classNames}
          />
          {cell && <Misclassified results={results} cell={cell} />}
          <Gallery results={results} />
        </>
      )}
      {results.firstLayer && <FirstLayerWeights layer={results.firstLayer} />}
    </div>
  )
}
