import { toPyTorch, toTypeScript } from '@tensorloom/graph'
import { useRef, useState } from 'react'
import { download, slug } from '../lib/download'
import { isUnfinished, realErrors } from '../lib/issues'
import { shareUrl } from '../lib/share'
import type { TemplateName } from '../store/graphSlice'
import { useStudio, useStudioStore } from '../store/useStudio'
import { CodeDialog } from './CodeDialog'
import { Menu, MenuItem } from './Menu'

const TEMPLATES: { name: TemplateName; label: string; hint: string }[] = [
  {
    name: 'lesson',
    label: 'Lesson: MNIST MLP',
    hint: 'Flatten → Linear(784, 128) → ReLU → Linear(128, 10)',
  },
  { name: 'deepMlp', label: 'Deeper MLP', hint: 'Two hidden layers with BatchNorm1d and Dropout' },
  { name: 'smallCnn', label: 'Small CNN', hint: 'Conv2d → ReLU → MaxPool2d → Linear' },
  {
    name: 'residualMlp',
    label: 'Residual MLP',
    hint: 'Two Linear(128, 128) added back to their input: x + identity',
  },
  {
    name: 'twoTower',
    label: 'Two towers',
    hint: 'A wide and a narrow tower over the image, joined by Concat',
  },
  {
    name: 'smallResNet',
    label: 'Small ResNet',
    hint: 'Conv2d stem, two residual blocks, global average pooling',
  },
  { name: 'empty', label: 'Empty canvas', hint: 'Start from nothing' },
]

function Logo() {
  return (
    <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden>
      <rect width="32" height="32" rx="7" fill="#4f46e5" />
      <path
        d="M8 10h16M8 16h16M8 22h16M11 7v18M21 7v18"
        stroke="white"
        strokeWidth="2.2"
        strokeLinecap="round"
      />
    </svg>
  )
}

function GraphName() {
  const name = useStudio((s) => s.doc.name)
  const rename = useStudio((s) => s.rename)
  return (
    <input
      className="graph-name"
      aria-label="Graph name"
      value={name}
      onChange={(e) => rename(e.target.value)}
      spellCheck={false}
    />
  )
}

function TemplateMenu() {
  const loadTemplate = useStudio((s) => s.loadTemplate)
  return (
    <Menu label="Templates" testId="template-menu">
      {(close) =>
        TEMPLATES.map((t) => (
          <MenuItem key={t.name} close={close} hint={t.hint} onSelect={() => loadTemplate(t.name)}>
            {t.label}
          </MenuItem>
        ))
      }
    </Menu>
  )
}

function ParamTotal() {
  const total = useStudio((s) => s.inference.totalParams)
  return (
    <div className="param-total" data-testid="total-params" title="Trainable parameters">
      <strong>{total.toLocaleString('en-US')}</strong>
      <span>parameters</span>
    </div>
  )
}

function IssueCount() {
  const store = useStudioStore()
  const errors = useStudio((s) => realErrors(s.inference.issues).length)
  const unfinished = useStudio(
    (s) => s.inference.issues.filter((i) => i.severity === 'error' && isUnfinished(i)).length,
  )
  const empty = useStudio((s) => s.doc.nodes.length === 0)
  // Click: the first block with an error (or one left unfinished), panned and zoomed to.
  const show = () => {
    const { inference, focusNode, setPanel } = store.getState()
    const first =
      realErrors(inference.issues).find((i) => i.nodeId) ??
      inference.issues.find((i) => i.nodeId && i.severity === 'error')
    if (first) focusNode(first.nodeId)
    else setPanel('block')
  }
  if (errors > 0) {
    return (
      <button
        type="button"
        className="issue-count error"
        data-testid="issue-count"
        onClick={show}
        title="Show the first block with an error"
      >
        {errors} {errors === 1 ? 'error' : 'errors'}
      </button>
    )
  }
  if (empty || unfinished > 0) {
    return (
      <button
        type="button"
        className="issue-count todo"
        data-testid="issue-count"
        onClick={show}
        title="What the network still needs before it can train"
      >
        {empty ? 'Empty canvas' : `${unfinished} to finish`}
      </button>
    )
  }
  return (
    <span className="issue-count ok" data-testid="issue-count">
      Shapes OK
    </span>
  )
}

function UndoRedo() {
  const canUndo = useStudio((s) => s.past.length > 0)
  const canRedo = useStudio((s) => s.future.length > 0)
  const undo = useStudio((s) => s.undo)
  const redo = useStudio((s) => s.redo)
  return (
    <div className="btn-group">
      <button
        type="button"
        className="btn icon"
        onClick={undo}
        disabled={!canUndo}
        title="Undo (Ctrl+Z)"
        aria-label="Undo"
      >
        ↶
      </button>
      <button
        type="button"
        className="btn icon"
        onClick={redo}
        disabled={!canRedo}
        title="Redo (Ctrl+Shift+Z)"
        aria-label="Redo"
      >
        ↷
      </button>
    </div>
  )
}

function FileMenu() {
  const store = useStudioStore()
  const hasWeights = useStudio((s) => s.run.results !== null)
  const fileInput = useRef<HTMLInputElement>(null)
  const [code, setCode] = useState<{ title: string; text: string; fileName: string } | null>(null)

  const open = async (file: File) => {
    const result = store.getState().importGraph(await file.text())
    if (result.ok) store.getState().notify('success', `Opened ${file.name}.`)
    else store.getState().notify('error', `Could not open ${file.name}: ${result.message}`)
  }
  const doc = () => store.getState().doc
  const name = () => slug(doc().name)

  const actions = {
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
      setCode({ title: 'PyTorch script', text: toPyTorch(doc()), fileName: `${name()}.py` }),
    typescript: () =>
      setCode({ title: 'TypeScript program', text: toTypeScript(doc()), fileName: `${name()}.ts` }),
    weights: async () => {
      try {
        const reply = await store.getState().exportWeights()
        download(reply.fileName, reply.bytes, 'application/octet-stream')
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
              disabled={!hasWeights}
              hint={hasWeights ? 'safetensors, loadable in PyTorch' : 'Train the model first'}
            >
              Export trained weights
            </MenuItem>
          </>
        )}
      </Menu>
      <input
        ref={fileInput}
        type="file"
        accept=".json,application/json"
        hidden
        data-testid="import-input"
        onChange={(e) => {
          const file = e.target.files?.[0]
          e.target.value = ''
          if (file) void open(file)
        }}
      />
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

/** The top bar: name, templates, parameter total, shape status, undo/redo and the file menu. */
export function Header() {
  return (
    <header className="header">
      <h1 className="brand">
        <Logo />
        Tensorloom <small>Studio</small>
      </h1>
      <GraphName />
      <TemplateMenu />
      <div className="header-spacer" />
      <IssueCount />
      <ParamTotal />
      <UndoRedo />
      <FileMenu />
    </header>
  )
}
