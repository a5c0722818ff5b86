import { type ComponentProps, lazy, Suspense, useMemo } from 'react'
import { useStudio } from '../store/useStudio'
import type { ChartSeries } from './LineChart'

// uPlot loads with the first chart, not with the page.
const LazyLineChart = lazy(() => import('./LineChart').then((m) => ({ default: m.LineChart })))

/** The line chart, once its code has loaded (an empty box of its height until then). */
function LineChart(props: ComponentProps<typeof LazyLineChart>) {
  return (
    <Suspense fallback={<div className="chart-loading" style={{ height: props.height ?? 150 }} />}>
      <LazyLineChart {...props} />
    </Suspense>
  )
}

/** Training loss per batch, raw and smoothed, as the run goes. */
export function LossChart() {
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

/** Test and train accuracy after each epoch. */
export function AccuracyChart() {
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
