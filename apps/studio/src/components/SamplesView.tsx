import type { GraphNode } from '@tensorloom/graph'
import { useEffect, useState } from 'react'
import { useStudio } from '../store/useStudio'
import type { FromWorker, ValueStats } from '../worker/protocol'
import { ThumbnailGrid } from './Thumbnail'

type Samples = Extract<FromWorker, { type: 'samples' }>

const PREVIEW_COUNT = 30

function StatsRow({ name, stats }: { name: string; stats: ValueStats }) {
  const f = (v: number) => v.toFixed(4)
  return (
    <tr>
      <td>{name}</td>
      <td>{f(stats.min)}</td>
      <td>{f(stats.max)}</td>
      <td>{f(stats.mean)}</td>
      <td>{f(stats.std)}</td>
    </tr>
  )
}

/** A grid of the dataset's images (or a table of its rows) with their classes, and value statistics. */
export function SamplesView({ node, isDataset }: { node: GraphNode; isDataset: boolean }) {
  const sampleData = useStudio((s) => s.sampleData)
  const fetched = useStudio((s) => s.fetched.FashionMNIST)
  const [samples, setSamples] = useState<Samples | null>(null)
  const [state, setState] = useState<'idle' | 'loading' | 'error'>('idle')
  const [error, setError] = useState('')
  const train = node.params.train !== false
  // New data in the block: the samples shown are out of date.
  const source = JSON.stringify(node.params)
  useEffect(() => {
    void source
    setSamples(null)
  }, [source])

  const load = async () => {
    setState('loading')
    try {
      setSamples(await sampleData(train, PREVIEW_COUNT, isDataset ? node.id : undefined))
      setState('idle')
    } catch (e) {
      setError((e as Error).message)
      setState('error')
    }
  }
  const layout =
    samples?.image === undefined ? { height: 28, width: 28, channels: 1 as const } : samples.image
  const names = samples?.classNames
  const caption = (label: number) => names?.[label] ?? String(label)
  return (
    <>
      {!samples && (
        <button type="button" className="btn small" onClick={load} disabled={state === 'loading'}>
          {state === 'loading'
            ? fetched?.state === 'downloading' && node.type === 'FashionMNIST'
              ? 'Downloading FashionMNIST…'
              : `Loading ${node.type}…`
            : `Show ${PREVIEW_COUNT} samples`}
        </button>
      )}
      {state === 'error' && (
        <div className="field-error" role="alert" data-testid="preview-error">
          {/* A failed download is on the block already, with what to do. */}
          {fetched?.state === 'failed' && node.type === 'FashionMNIST'
            ? 'The samples could not be loaded: the download failed (see above).'
            : error}
        </div>
      )}
      {samples && (
        <>
          {samples.description && (
            <p className="lead">{samples.description}, spread over the split:</p>
          )}
          {layout ? (
            <ThumbnailGrid
              images={samples.images}
              layout={layout}
              captions={samples.labels.map(caption)}
              titles={samples.labels.map((l) => `Label ${l}: ${caption(l)}`)}
            />
          ) : samples.table ? (
            <div className="data-table-wrap">
              <table className="data-table" data-testid="samples-table">
                <thead>
                  <tr>
                    {samples.table.columns.map((c) => (
                      <th key={c}>{c}</th>
                    ))}
                    <th className="label">class</th>
                  </tr>
                </thead>
                <tbody>
                  {samples.table.rows.map((row, i) => (
                    <tr key={i}>
                      {row.map((v, k) => (
                        <td key={k}>{Number(v.toPrecision(4))}</td>
                      ))}
                      <td className="label">{caption(samples.labels[i]!)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
          {layout && (
            <table className="stats-table" style={{ marginTop: 12 }}>
              <thead>
                <tr>
                  <th>Pixel values</th>
                  <th>min</th>
                  <th>max</th>
                  <th>mean</th>
                  <th>std</th>
                </tr>
              </thead>
              <tbody>
                <StatsRow name="raw bytes" stats={samples.stats.raw} />
                <StatsRow name="after ToTensor" stats={samples.stats.toTensor} />
                {samples.stats.normalized && (
                  <StatsRow name="after Normalize" stats={samples.stats.normalized} />
                )}
              </tbody>
            </table>
          )}
        </>
      )}
    </>
  )
}
