import { isUnfinished, realErrors } from '../lib/issues'
import type { TemplateName } from '../store/graphSlice'
import { useStudio, useStudioStore } from '../store/useStudio'
import { FileMenu } from './FileMenu'
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
    <Menu
      label={
        <>
          <span className="wide-only">Templates</span>
          <span className="narrow-only" aria-hidden="true">
            ▤
          </span>
        </>
      }
      ariaLabel="Templates"
      testId="template-menu"
    >
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

/** The top bar: name, templates, parameter total, shape status, undo/redo and the file menu. */
export function Header() {
  return (
    <header className="header">
      <h1 className="brand">
        <Logo />
        <span className="brand-text">
          Tensorloom <small>Studio</small>
        </span>
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
