import type { ReactNode } from 'react'
import { useEffect } from 'react'

/** A modal with a title, a scrolling body and optional actions; Escape or the backdrop closes it. */
export function Dialog(props: {
  title: string
  onClose: () => void
  actions?: ReactNode
  children: ReactNode
  testId?: string
}) {
  const { onClose } = props
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [onClose])
  return (
    <div
      className="dialog-backdrop"
      onPointerDown={(e) => {
        if (e.target === e.currentTarget) onClose()
      }}
    >
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-label={props.title}
        data-testid={props.testId}
      >
        <div className="dialog-head">
          <h2>{props.title}</h2>
          <button type="button" className="btn small" onClick={onClose}>
            Close
          </button>
        </div>
        <div className="dialog-body">{props.children}</div>
        {props.actions && <div className="dialog-actions">{props.actions}</div>}
      </div>
    </div>
  )
}
