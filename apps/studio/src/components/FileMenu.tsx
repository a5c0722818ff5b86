import { npmPackageProblem, templates, toPyTorch, toTypeScript } from '@tensorloom/graph'
import { useMemo, useRef, useState } from 'react'
import { withOriginalNames } from '../data/placeDataset'
import { download, slug } from '../lib/download'
import { graphChanges, summarizeChanges } from '../lib/graphDiff'
import { readGraphFile, shareUrl } from '../lib/share'
import { listDocuments, newDocumentId, readDocument, readHistory } from '../store/persistence'
import { useStudio, useStudioStore } from '../store/useStudio'
import { CodeDialog } from './CodeDialog'
import { pickData } from './DataDrop'
import { ExportPackageDialog } from './ExportPackageDialog'
import { Menu, MenuItem } from './Menu'

function timeAgo(iso: string): string {
  const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000)
  if (seconds < 60) return 'just now'
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`
  return new Date(iso).toLocaleDateString('en-US')
}

/** The documents saved in this browser, most recent first: click one to open it. */
function RecentDocuments({ close }: { close: () => void }) {
  const store = useStudioStore()
  const current = useStudio((s) => s.docId)
  const entries = listDocuments(window.localStorage).slice(0, 8)
  if (entries.length <= 1) return null
  const open = (id: string) => {
    const saved = readDocument(window.localStorage, id)
    if (!saved || !('doc' in saved)) {
      store.getState().notify('error', 'That graph could not be opened: it is missing or damaged.')
      return
    }
    store.getState().openDocument(id, saved.doc, readHistory(window.sessionStorage, id))
  }
  return (
    <>
      <div className="menu-sep" />
      <div className="menu-heading" id="recent-heading">
        Recent graphs
      </div>
      {entries.map((e) => (
        <MenuItem
          key={e.id}
          close={close}
          onSelect={() => open(e.id)}
          disabled={e.id === current}
          hint={e.id === current ? 'open in this tab' : `changed ${timeAgo(e.updatedAt)}`}
          testId="recent-graph"
        >
          {e.name || 'Untitled'}
        </MenuItem>
      ))}
    </>
  )
}

/** The File menu: documents (new, open, recent), graph files and links, data, and code exports. */
export function FileMenu() {
  const store = useStudioStore()
  const model = useStudio((s) => s.model)
  const onCanvas = useStudio((s) => s.doc)
  const changes = useMemo(() => (model ? graphChanges(model.doc, onCanvas) : []), [model, onCanvas])
  const notPackable = useMemo(
    () => (model ? npmPackageProblem(model.doc) !== null : false),
    [model],
  )
  const fileInput = useRef<HTMLInputElement>(null)
  const [code, setCode] = useState<{ title: string; text: string; fileName: string } | null>(null)
  const [packaging, setPackaging] = useState(false)

  const open = async (file: File) => {
    const read = await readGraphFile(file)
    if (!read.ok) {
      store.getState().notify('error', `Could not open ${file.name}: ${read.message}`)
      return
    }
    const result = store.getState().importGraph(read.text)
    if (result.ok) store.getState().notify('success', `Opened ${file.name}.`)
    else store.getState().notify('error', `Could not open ${file.name}: ${result.message}`)
  }
  const doc = () => store.getState().doc
  // Exports name a dropped-in dataset by the folder or file it came from (the default --data-root).
  const exported = () => withOriginalNames(doc(), store.getState().localData)
  const name = () => slug(doc().name)

  const actions = {
    newGraph: () => {
      store.getState().openDocument(newDocumentId(), structuredClone(templates.empty))
      store.getState().notify('info', 'A new graph. The one before is under File, Recent graphs.')
    },
    save: () =>
      download(`${name()}.tensorloom.json`, JSON.stringify(doc(), null, 2), 'application/json'),
    share: async () => {
      const url = shareUrl(doc(), window.location)
      try {
        await navigator.clipboard.writeText(url)
        store.getState().notify('success', 'Share link copied to the clipboard.')
      } catch {
        setCode({ title: 'Share link', text: url, fileName: '' })
      }
    },
    pytorch: () =>
      setCode({ title: 'PyTorch script', text: toPyTorch(exported()), fileName: `${name()}.py` }),
    typescript: () =>
      setCode({
        title: 'TypeScript program',
        text: toTypeScript(exported()),
        fileName: `${name()}.ts`,
      }),
    weights: async () => {
      try {
        const reply = await store.getState().exportWeights()
        download(reply.fileName, reply.bytes, 'application/octet-stream')
        store
          .getState()
          .notify(
            'success',
            `Saved the trained weights of “${model?.doc.name}” as ${reply.fileName}.`,
          )
      } catch (error) {
        store.getState().notify('error', (error as Error).message)
      }
    },
  }

  return (
    <>
      <Menu label="File" align="right" testId="file-menu">
        {(close) => (
          <>
            <MenuItem
              close={close}
              onSelect={actions.newGraph}
              hint="An empty canvas; this graph stays saved"
              testId="new-graph"
            >
              New graph
            </MenuItem>
            <RecentDocuments close={close} />
            <div className="menu-sep" />
            <MenuItem
              close={close}
              onSelect={() => fileInput.current?.click()}
              hint="A .json graph file"
            >
              Open graph file…
            </MenuItem>
            <MenuItem close={close} onSelect={actions.save} hint="Download the graph as JSON">
              Save graph file
            </MenuItem>
            <MenuItem
              close={close}
              onSelect={actions.share}
              hint="The graph, compressed into a URL"
            >
              Copy share link
            </MenuItem>
            <div className="menu-sep" />
            <MenuItem
              close={close}
              onSelect={() => pickData('folder')}
              hint="One subfolder per class; kept in this browser"
            >
              Add a folder of images…
            </MenuItem>
            <MenuItem
              close={close}
              onSelect={() => pickData('file')}
              hint="A .zip of class folders, or a .csv table"
            >
              Add a .zip or .csv file…
            </MenuItem>
            <div className="menu-sep" />
            <MenuItem
              close={close}
              onSelect={actions.pytorch}
              hint="torch.nn code for this network"
            >
              Export PyTorch script
            </MenuItem>
            <MenuItem
              close={close}
              onSelect={actions.typescript}
              hint="The same program with Tensorloom"
            >
              Export TypeScript program
            </MenuItem>
            <MenuItem
              close={close}
              onSelect={actions.weights}
              disabled={!model}
              testId="export-weights"
              hint={
                !model
                  ? 'Train the model first'
                  : changes.length > 0
                    ? `Trained before the canvas changed (${summarizeChanges(changes, 2)}): the weights of “${model.doc.name}” as trained`
                    : 'safetensors, loadable in PyTorch'
              }
            >
              {model ? `Export trained weights of “${model.doc.name}”` : 'Export trained weights'}
            </MenuItem>
            <div className="menu-sep" />
            <MenuItem
              close={close}
              onSelect={() => store.getState().setTour(0)}
              hint="Shapes, PyTorch's error and its fix, training, a drawn digit"
              testId="start-tour"
            >
              Guided tour
            </MenuItem>
            <MenuItem
              close={close}
              onSelect={() => setPackaging(true)}
              disabled={!model || notPackable}
              hint={
                !model
                  ? 'Train the model first'
                  : notPackable
                    ? 'Image classifiers only: export this one to PyTorch or TypeScript'
                    : changes.length > 0
                      ? `“${model.doc.name}” as trained, not the canvas (${summarizeChanges(changes, 2)})`
                      : 'A .tgz to npm publish: predict(), weights, README'
              }
            >
              {model ? `Export “${model.doc.name}” as npm package…` : 'Export as npm package…'}
            </MenuItem>
          </>
        )}
      </Menu>
      <input
        ref={fileInput}
        type="file"
        accept=".json,application/json,.gz,application/gzip"
        hidden
        data-testid="import-input"
        onChange={(e) => {
          const file = e.target.files?.[0]
          e.target.value = ''
          if (file) void open(file)
        }}
      />
      {packaging && <ExportPackageDialog onClose={() => setPackaging(false)} />}
      {code && (
        <CodeDialog
          title={code.title}
          text={code.text}
          fileName={code.fileName}
          onClose={() => setCode(null)}
        />
      )}
    </>
  )
}
