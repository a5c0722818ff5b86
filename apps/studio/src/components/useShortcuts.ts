import { useEffect } from 'react'
import { useStudioStore } from '../store/useStudio'

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)
}

/** Opens the Block panel and puts the focus on the selected block's first parameter. */
function editSelected(setPanel: (p: 'block') => void, setDrawer: (d: 'side') => void) {
  setPanel('block')
  if (window.matchMedia?.('(max-width: 760px)').matches) setDrawer('side')
  requestAnimationFrame(() => {
    const field = document.querySelector<HTMLElement>(
      '[data-testid="inspector"] [data-param], [data-testid="inspector"] input',
    )
    field?.focus()
  })
}

/**
 * Editor shortcuts: A or / opens the quick-add picker, E edits the selected block, Ctrl+Z / Ctrl+Shift+Z (or Ctrl+Y) undo and redo, Ctrl+C / Ctrl+V copy and
 * paste, Ctrl+D duplicate, Delete / Backspace delete. Typing in a field keeps the field's own keys.
 */
export function useShortcuts() {
  const store = useStudioStore()
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (isTyping(event.target)) return
      const s = store.getState()
      const mod = event.ctrlKey || event.metaKey
      const key = event.key.toLowerCase()
      if (mod && key === 'z') {
        if (event.shiftKey) s.redo()
        else s.undo()
      } else if (mod && key === 'y') s.redo()
      else if (mod && key === 'c') s.copySelection()
      else if (mod && key === 'v') s.pasteClipboard()
      else if (mod && key === 'd') s.duplicateSelection()
      else if (!mod && (key === 'delete' || key === 'backspace')) s.deleteSelection()
      else if (!mod && !event.altKey && (key === 'a' || key === '/') && !s.quickAdd) {
        s.openQuickAdd()
      } else if (!mod && !event.altKey && key === 'e' && s.selection.nodes.length === 1) {
        editSelected(s.setPanel, s.setDrawer)
      } else return
      event.preventDefault()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [store])
}
