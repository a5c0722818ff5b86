import type { GraphNode } from '@tensorloom/graph'
import type { DragEvent } from 'react'
import { useState } from 'react'
import { takeDrop } from '../data/collectFiles'
import type { StoredMeta } from '../data/summary'
import { builtinId } from '../data/summary'
import { describeMeta } from '../store/dataSlice'
import { useStudio, useStudioStore } from '../store/useStudio'
import type { FetchedDataset } from '../worker/protocol'
import { pickData } from './DataDrop'
import { CsvFacts, ImagesFacts } from './DatasetFacts'

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

/** Where a block's data comes from, and what is known about it before any training. */
export function DataSource({ node }: { node: GraphNode }) {
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
