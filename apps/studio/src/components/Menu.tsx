import type { ReactNode } from 'react'
import { useEffect, useRef, useState } from 'react'

/** A button that opens a list of actions; closes on choice, outside click or Escape. */
export function Menu(props: {
  label: ReactNode
  title?: string
  /** The button's accessible name, when its label is an icon on a narrow screen. */
  ariaLabel?: string
  align?: 'left' | 'right'
  testId?: string
  children: (close: () => void) => ReactNode
}) {
  const [open, setOpen] = useState(false)
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => {
    if (!open) return
    const onDown = (event: PointerEvent) => {
      if (!ref.current?.contains(event.target as Node)) setOpen(false)
    }
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setOpen(false)
    }
    window.addEventListener('pointerdown', onDown)
    window.addEventListener('keydown', onKey)
    return () => {
      window.removeEventListener('pointerdown', onDown)
      window.removeEventListener('keydown', onKey)
    }
  }, [open])
  return (
    <div className="menu" ref={ref}>
      <button
        type="button"
        className="btn"
        aria-haspopup="menu"
        aria-expanded={open}
        title={props.title}
        aria-label={props.ariaLabel}
        data-testid={props.testId}
        onClick={() => setOpen(!open)}
      >
        {props.label}{' '}
        <span className="caret" aria-hidden>
          ▾
        </span>
      </button>
      {open && (
        <div className={`menu-list ${props.align ?? 'left'}`} role="menu">
          {props.children(() => setOpen(false))}
        </div>
      )}
    </div>
  )
}

/** One entry of a menu. */
export function MenuItem(props: {
  onSelect: () => void
  close: () => void
  hint?: string
  disabled?: boolean
  testId?: string
  children: ReactNode
}) {
  return (
    <button
      type="button"
      role="menuitem"
      className="menu-item"
      data-testid={props.testId}
      disabled={props.disabled}
      onClick={() => {
        props.close()
        props.onSelect()
      }}
    >
      {props.children}
      {props.hint && <small>{props.hint}</small>}
    </button>
  )
}
