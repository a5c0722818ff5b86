import { useShallow } from 'zustand/react/shallow'
import type { Panel } from '../store/uiSlice'
import { useStudio } from '../store/useStudio'

const PANELS: { id: Panel; label: string }[] = [
  { id: 'block', label: 'Block' },
  { id: 'train', label: 'Train' },
  { id: 'results', label: 'Results' },
  { id: 'draw', label: 'Draw' },
]

/**
 * On a narrow screen (a phone, a tablet held upright) the canvas takes the whole width: this bar
 * at the bottom opens the blocks drawer, quick add, and the side panels as a sheet over the
 * canvas. Hidden on wider screens by CSS.
 */
export function MobileBar() {
  const { drawer, panel, selected, training } = useStudio(
    useShallow((s) => ({
      drawer: s.drawer,
      panel: s.panel,
      selected:
        s.selection.nodes.length === 1
          ? (s.doc.nodes.find((n) => n.id === s.selection.nodes[0])?.type ?? null)
          : null,
      training: s.run.status === 'training' || s.run.status === 'starting',
    })),
  )
  const setDrawer = useStudio((s) => s.setDrawer)
  const setPanel = useStudio((s) => s.setPanel)
  const openQuickAdd = useStudio((s) => s.openQuickAdd)
  return (
    <nav className="mobile-bar" aria-label="Panels">
      <button
        type="button"
        className={`mobile-btn ${drawer === 'palette' ? 'active' : ''}`}
        aria-expanded={drawer === 'palette'}
        aria-controls="palette"
        data-testid="open-palette"
        onClick={() => setDrawer(drawer === 'palette' ? null : 'palette')}
      >
        Blocks
      </button>
      <button
        type="button"
        className="mobile-btn add"
        aria-label="Add a block"
        data-testid="mobile-add"
        onClick={() => {
          setDrawer(null)
          openQuickAdd()
        }}
      >
        +
      </button>
      {PANELS.map((p) => {
        const open = drawer === 'side' && panel === p.id
        return (
          <button
            key={p.id}
            type="button"
            className={`mobile-btn ${open ? 'active' : ''}`}
            aria-expanded={open}
            aria-controls="side-panel"
            data-testid={`mobile-${p.id}`}
            onClick={() => {
              if (open) setDrawer(null)
              else {
                setPanel(p.id)
                setDrawer('side')
              }
            }}
          >
            {p.id === 'block' && selected ? selected : p.label}
            {p.id === 'train' && training && <span className="dot" aria-hidden="true" />}
          </button>
        )
      })}
    </nav>
  )
}
