import { useShallow } from 'zustand/react/shallow'
import { useStudio } from '../store/useStudio'

/** The icon of the canvas controls' fit-view button. */
export function FitIcon() {
  return (
    <svg viewBox="0 0 32 30" aria-hidden="true">
      <path d="M3.692 4.63c0-.53.4-.938.939-.938h5.215V0H4.708C2.13 0 0 2.054 0 4.63v5.216h3.692V4.631zM27.354 0h-5.2v3.692h5.17c.53 0 .984.4.984.939v5.215H32V4.631A4.624 4.624 0 0027.354 0zm.954 24.83c0 .532-.4.94-.939.94h-5.215v3.768h5.215c2.577 0 4.631-2.13 4.631-4.707v-5.139h-3.692v5.139zm-23.677.94c-.531 0-.939-.4-.939-.94v-5.138H0v5.139c0 2.577 2.13 4.707 4.708 4.707h5.138V25.77H4.631z" />
    </svg>
  )
}

/** Buttons over the canvas: auto-layout, delete and duplicate the selection. */
export function CanvasToolbar({
  sizes,
}: {
  sizes: () => Record<string, { width: number; height: number }>
}) {
  const hasSelection = useStudio((s) => s.selection.nodes.length + s.selection.edges.length > 0)
  const hasNodes = useStudio((s) => s.selection.nodes.length > 0)
  const { autoLayout, deleteSelection, duplicateSelection } = useStudio(
    useShallow((s) => ({
      autoLayout: s.autoLayout,
      deleteSelection: s.deleteSelection,
      duplicateSelection: s.duplicateSelection,
    })),
  )
  return (
    <div className="canvas-toolbar">
      <button
        type="button"
        className="btn small"
        onClick={() => {
          autoLayout(sizes())
        }}
        title="Arrange the blocks top to bottom"
      >
        Auto-layout
      </button>
      <button
        type="button"
        className="btn small"
        onClick={duplicateSelection}
        disabled={!hasNodes}
        title="Duplicate the selection (Ctrl+D)"
      >
        Duplicate
      </button>
      <button
        type="button"
        className="btn small danger"
        onClick={deleteSelection}
        disabled={!hasSelection}
        title="Delete the selection (Delete)"
        data-testid="delete-selection"
      >
        Delete
      </button>
    </div>
  )
}
