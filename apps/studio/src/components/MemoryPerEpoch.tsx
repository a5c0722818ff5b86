import { useStudio } from '../store/useStudio'
import type { MemorySample } from '../worker/protocol'

/** Tensors alive in the training worker after each epoch: a count that keeps growing is a leak. */
export function MemoryPerEpoch() {
  const evals = useStudio((s) => s.run.evals)
  const rows = evals.filter((e): e is typeof e & { memory: MemorySample } => e.memory !== undefined)
  if (rows.length === 0) return null
  return (
    <section className="section" data-testid="memory-per-epoch">
      <h3>Memory per epoch</h3>
      <table className="stats-table">
        <thead>
          <tr>
            <th>Epoch</th>
            <th>Tensors</th>
            <th>Tensor memory</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => (
            <tr
              key={e.epoch}
              data-epoch={e.epoch}
              data-tensors={e.memory.numTensors}
              data-bytes={e.memory.numBytes}
            >
              <td>{e.epoch}</td>
              <td>{e.memory.numTensors.toLocaleString('en-US')}</td>
              <td>{(e.memory.numBytes / 2 ** 20).toFixed(1)} MB</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
