import type { GraphNode } from '@tensorloom/graph'
import type { DragEvent } from 'react'
import { useEffect, useState } from 'react'
import { takeDrop } from '../data/collectFiles'
import type { CsvSummary, ImagesSummary, StoredMeta } from '../data/summary'
import { builtinId } from '../data/summary'
import { describeMeta } from '../store/dataSlice'
import { useStudio, useStudioStore } from '../store/useStudio'
import type { FetchedDataset, FromWorker, ImageLayout, ValueStats } from '../worker/protocol'
import { pickData } from './DataDrop'
import '../data/data.css'

type Samples = Extract<FromWorker, { type: 'samples' }>

const PREVIEW_COUNT = 30

const mb = (bytes: number) =>
  bytes < 1e6
    ? `${Math.max(1, Math.round(bytes / 1e3))} kB`
    : `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`
const hostOf = (url: string) => {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

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

/** A packed thumbnail (gray or RGB) on a canvas. */
export function Thumbnail(props: { data: Uint8Array; layout: ImageLayout; label?: string }) {
  const { data, layout, label } = props
  const [canvas, setCanvas] = useState<HTMLCanvasElement | null>(null)
  useEffect(() => {
    const ctx = canvas?.getContext('2d')
    if (!ctx) return
    const { width, height, channels } = layout
    const image = ctx.createImageData(width, height)
    for (let i = 0; i < width * height; i++) {
      for (let k = 0; k < 3; k++)
        image.data[i * 4 + k] = data[i * channels + (channels === 1 ? 0 : k)]!
      image.data[i * 4 + 3] = 255
    }
    ctx.putImageData(image, 0, 0)
  }, [canvas, data, layout])
  return (
    <canvas
      ref={setCanvas}
      width={layout.width}
      height={layout.height}
      role="img"
      aria-label={label}
    />
  )
}

/** Thumbnails packed in `images` with their class names. */
export function ThumbnailGrid(props: {
  images: Uint8Array
  layout: ImageLayout
  captions: string[]
  titles?: string[]
  wrong?: boolean[]
}) {
  const { images, layout, captions } = props
  const size = layout.height * layout.width * layout.channels
  return (
    <div className="image-grid">
      {captions.map((caption, i) => (
        <div
          className={`image-cell ${props.wrong?.[i] ? 'wrong' : ''}`}
          key={i}
          title={props.titles?.[i] ?? caption}
        >
          <Thumbnail
            data={images.subarray(i * size, (i + 1) * size)}
            layout={layout}
            label={caption}
          />
          <span className="class-name">{caption}</span>
        </div>
      ))}
    </div>
  )
}

/** Images per class as bars. */
function ClassBars(props: { classes: string[]; counts: number[]; names?: Record<string, string> }) {
  const max = Math.max(1, ...props.counts)
  return (
    <div className="class-bars" data-testid="class-counts">
      {props.classes.map((c, i) => (
        <div key={c} style={{ display: 'contents' }}>
          <span className="name" title={c}>
            {props.names?.[c] ?? c}
          </span>
          <span className="bar" style={{ width: `${(props.counts[i]! / max) * 100}%` }} />
          <span className="count">{props.counts[i]!.toLocaleString('en-US')}</span>
        </div>
      ))}
    </div>
  )
}

/** A place to drop files for this block, with buttons that open the file dialog instead. */
function DropZone(props: {
  nodeId: string
  into?: FetchedDataset
  text: string
  buttons: { label: string; kind: 'folder' | 'file'; testId: string }[]
}) {
  const store = useStudioStore()
  const [active, setActive] = useState(false)
  const target = { nodeId: props.nodeId, ...(props.into ? { into: props.into } : {}) }
  const onDrop = (event: DragEvent) => {
    event.preventDefault()
    event.stopPropagation()
    setActive(false)
    const read = takeDrop(event.dataTransfer)
    if (!read) return
    void read().then(({ name, files }) => store.getState().importFiles(name, files, target))
  }
  return (
    <section
      className={`data-dropzone ${active ? 'active' : ''}`}
      aria-label="Drop files here"
      data-testid="data-dropzone"
      onDragOver={(e) => {
        if (!Array.from(e.dataTransfer.types).includes('Files')) return
        e.preventDefault()
        e.stopPropagation()
        setActive(true)
      }}
      onDragLeave={() => setActive(false)}
      onDrop={onDrop}
    >
      <p style={{ margin: '0 0 8px' }}>{props.text}</p>
      <div className="data-actions" style={{ justifyContent: 'center' }}>
        {props.buttons.map((b) => (
          <button
            key={b.label}
            type="button"
            className="btn small"
            data-testid={b.testId}
            onClick={() => pickData(b.kind, target)}
          >
            {b.label}
          </button>
        ))}
      </div>
    </section>
  )
}

function KeptIn({ meta }: { meta: StoredMeta }) {
  const storage = useStudio((s) => s.dataStorage)
  const remove = useStudio((s) => s.deleteLocalData)
  return (
    <div className="data-source" data-testid="data-kept">
      <span>
        <strong>{meta.name}</strong> · {describeMeta(meta)} · {mb(meta.bytes)}
      </span>
      <code title="The id the graph names it by">{meta.id}</code>
      <span className="lead" style={{ margin: 0 }}>
        Kept in this browser ({storage === 'indexeddb' ? 'IndexedDB' : 'its private file system'}),
        never uploaded.
      </span>
      <button
        type="button"
        className="btn small danger"
        data-testid="data-delete"
        onClick={() => void remove(meta.id)}
      >
        Delete from this browser
      </button>
    </div>
  )
}

function ImagesFacts({ summary }: { summary: ImagesSummary }) {
  const sizes = summary.sizes
  return (
    <>
      <dl className="kv data-facts">
        <dt>Images</dt>
        <dd>{summary.imageCount.toLocaleString('en-US')}</dd>
        <dt>Channels</dt>
        <dd>{summary.channels === 1 ? '1 (gray)' : '3 (RGB)'}</dd>
        <dt>Sizes</dt>
        <dd data-testid="data-sizes">
          {sizes
            .map((s) => `${s.height}×${s.width}${sizes.length > 1 ? ` (${s.count})` : ''}`)
            .join(', ')}
          {sizes.length > 1 ? ': mixed, a Resize makes them one size' : ''}
        </dd>
        {summary.skippedCount > 0 && (
          <>
            <dt>Left out</dt>
            <dd title={summary.skipped.map((f) => `${f.path}: ${f.reason}`).join('\n')}>
              {summary.skippedCount} {summary.skippedCount === 1 ? 'file' : 'files'} (
              {summary.skipped
                .slice(0, 3)
                .map((f) => f.path)
                .join(', ')}
              {summary.skippedCount > 3 ? ', …' : ''}): not images of a class
            </dd>
          </>
        )}
      </dl>
      <h3>Classes</h3>
      <ClassBars classes={summary.classes} counts={summary.counts} />
    </>
  )
}

/** Header row, skip rows and target of a CSV file, read again when changed. */
function CsvOptions({ node, summary }: { node: GraphNode; summary: CsvSummary }) {
  const rescan = useStudio((s) => s.rescanCsv)
  const [busy, setBusy] = useState(false)
  const change = async (patch: Partial<{ header: boolean; skipRows: number; target: string }>) => {
    setBusy(true)
    await rescan(node.id, {
      header: summary.header,
      skipRows: summary.skipRows,
      target: summary.target,
      ...patch,
    })
    setBusy(false)
  }
  return (
    <div className="csv-options" data-testid="csv-options">
      <label>
        <input
          type="checkbox"
          checked={summary.header}
          disabled={busy}
          data-testid="csv-header"
          onChange={(e) => void change({ header: e.target.checked, target: '' })}
        />{' '}
        First row names the columns
      </label>
      <label>
        Skip rows{' '}
        <input
          type="number"
          min={0}
          max={1000}
          value={summary.skipRows}
          disabled={busy}
          data-testid="csv-skip-rows"
          onChange={(e) => {
            const n = Number(e.target.value)
            if (Number.isInteger(n) && n >= 0 && n <= 1000) void change({ skipRows: n, target: '' })
          }}
        />
      </label>
      <label>
        Target{' '}
        <select
          value={summary.target}
          disabled={busy}
          data-testid="csv-target"
          onChange={(e) => void change({ target: e.target.value })}
        >
          {summary.columns.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </label>
    </div>
  )
}

function CsvFacts({ node, summary }: { node: GraphNode; summary: CsvSummary }) {
  const targetIndex = summary.columns.indexOf(summary.target)
  const rows = summary.header ? summary.preview.slice(1) : summary.preview
  return (
    <>
      <CsvOptions node={node} summary={summary} />
      {summary.detected && (
        <p className="lead" data-testid="csv-detected">
          {summary.detected}
        </p>
      )}
      <dl className="kv data-facts">
        <dt>Rows</dt>
        <dd>{summary.rowCount.toLocaleString('en-US')}</dd>
        <dt>Features</dt>
        <dd>{summary.features.join(', ') || 'none: no numeric column besides the target'}</dd>
        <dt>Target</dt>
        <dd>
          {summary.target} (
          {summary.task === 'regression'
            ? 'numbers: regression'
            : `${summary.classes.length} classes`}
          )
        </dd>
      </dl>
      <div className="data-table-wrap">
        <table className="data-table" data-testid="csv-preview">
          <thead>
            <tr>
              {summary.columns.map((c, i) => (
                <th key={c} className={i === targetIndex ? 'label' : ''}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, k) => (
              <tr key={k}>
                {r.map((cell, i) => (
                  <td key={i} className={i === targetIndex ? 'label' : ''}>
                    {i === targetIndex ? (summary.labelNames[cell.trim()] ?? cell) : cell}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {summary.task === 'classification' && (
        <>
          <h3>Classes</h3>
          <ClassBars classes={summary.classes} counts={summary.counts} names={summary.labelNames} />
        </>
      )}
    </>
  )
}

/** Where a block's data comes from, and what is known about it before any training. */
function DataSource({ node }: { node: GraphNode }) {
  const source = (node.params as { source?: unknown }).source
  const meta = useStudio((s) => {
    if (node.type === 'FashionMNIST') return s.localData[builtinId('FashionMNIST')]
    if (node.type === 'CIFAR10') return s.localData[builtinId('CIFAR10')]
    return typeof source === 'string' ? s.localData[source] : undefined
  })
  const config = useStudio((s) => s.datasetConfig)
  const fetched = useStudio((s) => s.fetched.FashionMNIST)
  const retry = useStudio((s) => s.retryDownload)
  switch (node.type) {
    case 'MNIST':
      return <p className="lead">Ships with the studio: nothing is downloaded.</p>
    case 'Toy2D':
      return (
        <p className="lead">
          Generated in your browser from its seed; while training, the Train panel draws the
          decision boundary.
        </p>
      )
    case 'FashionMNIST': {
      if (config.FashionMNIST.bundled) {
        return <p className="lead">Ships with this build of the studio: nothing is downloaded.</p>
      }
      if (meta) return <KeptIn meta={meta} />
      const mirror = config.FashionMNIST.download?.mirrors[0]
      return (
        <div className="data-summary" data-testid="fashion-source">
          {fetched?.state === 'failed' ? (
            <button
              type="button"
              className="btn small"
              data-testid="download-retry"
              onClick={() => retry('FashionMNIST')}
            >
              Try the download again
            </button>
          ) : fetched?.state === 'downloading' ? (
            <p className="lead" data-testid="download-progress">
              Downloading… {mb(fetched.loaded ?? 0)}
              {fetched.total ? ` of ${mb(fetched.total)}` : ''}
            </p>
          ) : (
            <p className="lead">
              {fetched?.state === 'ready' ? 'Downloaded' : 'Downloaded on first use (30 MB)'}
              {mirror ? ` from ${hostOf(mirror)}` : ''}, checked against torchvision's MD5 sums and
              kept in this browser's Cache Storage.
            </p>
          )}
          <DropZone
            nodeId={node.id}
            into="FashionMNIST"
            text="Or drop its four IDX files here (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz, or a .zip of them)."
            buttons={[{ label: 'Choose the IDX files…', kind: 'file', testId: 'pick-idx' }]}
          />
        </div>
      )
    }
    case 'CIFAR10':
      return meta ? (
        <KeptIn meta={meta} />
      ) : (
        <DropZone
          nodeId={node.id}
          into="CIFAR10"
          text="Drop cifar-10-python.tar.gz here (163 MB, from https://www.cs.toronto.edu/~kriz/cifar.html): the studio does not download it. It is kept in this browser."
          buttons={[{ label: 'Choose the archive…', kind: 'file', testId: 'pick-cifar' }]}
        />
      )
    case 'ImageFolder':
    case 'CSVDataset':
      if (!meta) {
        return (
          <DropZone
            nodeId={node.id}
            text={
              node.type === 'ImageFolder'
                ? 'Drop a folder of images here, one subfolder per class (or a .zip of one). It stays in this browser: nothing is uploaded.'
                : 'Drop a .csv file here. It stays in this browser: nothing is uploaded.'
            }
            buttons={
              node.type === 'ImageFolder'
                ? [
                    { label: 'Choose a folder…', kind: 'folder', testId: 'pick-folder' },
                    { label: 'Choose a .zip…', kind: 'file', testId: 'pick-file' },
                  ]
                : [{ label: 'Choose a .csv file…', kind: 'file', testId: 'pick-file' }]
            }
          />
        )
      }
      return (
        <div className="data-summary" data-testid="data-summary">
          <KeptIn meta={meta} />
          {meta.summary.kind === 'images' && <ImagesFacts summary={meta.summary} />}
          {meta.summary.kind === 'csv' && <CsvFacts node={node} summary={meta.summary} />}
        </div>
      )
    default:
      return null
  }
}

/** A grid of the dataset's images (or a table of its rows) with their classes, and value statistics. */
function SamplesView({ node, isDataset }: { node: GraphNode; isDataset: boolean }) {
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

/**
 * The Block panel's data section for a dataset block: where the data is (shipped, downloaded,
 * kept in this browser, or still to be dropped in), what a scan found (classes and their counts,
 * sizes, the table's columns with its header and target), and a preview of samples. Other data
 * blocks (transforms, DataLoader) show the graph's dataset's samples.
 */
export function DataPreview({ node }: { node: GraphNode }) {
  const isDataset = [
    'MNIST',
    'FashionMNIST',
    'CIFAR10',
    'ImageFolder',
    'CSVDataset',
    'Toy2D',
  ].includes(node.type)
  return (
    <section className="section" data-testid="data-preview">
      <h3>Data</h3>
      {isDataset && <DataSource node={node} />}
      <div style={{ marginTop: 10 }}>
        <SamplesView node={node} isDataset={isDataset} />
      </div>
    </section>
  )
}
