import type { GraphNode } from '@tensorloom/graph'
import { useState } from 'react'
import { useStudio } from '../store/useStudio'
import type { FromWorker, ValueStats } from '../worker/protocol'
import { DigitImage } from './DigitImage'

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

/** A grid of dataset images with labels, and value statistics along the transforms. */
export function DataPreview({ node }: { node: GraphNode }) {
  const sampleData = useStudio((s) => s.sampleData)
  const [samples, setSamples] = useState<Samples | null>(null)
  const [state, setState] = useState<'idle' | 'loading' | 'error'>('idle')
  const [error, setError] = useState('')
  const train = node.params.train !== false

  const load = async () => {
    setState('loading')
    try {
      setSamples(await sampleData(train, PREVIEW_COUNT))
      setState('idle')
    } catch (e) {
      setError((e as Error).message)
      setState('error')
    }
  }

  return (
    <section className="section" data-testid="data-preview">
      <h3>Data preview</h3>
      {!samples && (
        <button type="button" className="btn small" onClick={load} disabled={state === 'loading'}>
          {state === 'loading' ? 'Loading MNIST…' : `Show ${PREVIEW_COUNT} samples`}
        </button>
      )}
      {state === 'error' && <div className="field-error">{error}</div>}
      {samples && (
        <>
          <div className="image-grid">
            {samples.labels.map((label, i) => (
              <div className="image-cell" key={i}>
                <DigitImage
                  values={samples.images.subarray(i * 784, (i + 1) * 784)}
                  scale={255}
                  label={`Label ${label}`}
                />
                <span>{label}</span>
              </div>
            ))}
          </div>
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
        </>
      )}
    </section>
  )
}
