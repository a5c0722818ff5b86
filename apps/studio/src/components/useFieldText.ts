import type { FocusEvent, KeyboardEvent } from 'react'
import { useEffect, useRef, useState } from 'react'
import { useStudioStore } from '../store/useStudio'

/** Puts the focus on the selected block on the canvas (or the canvas), for the keyboard. */
export function focusSelectedBlock(): void {
  const target =
    document.querySelector<HTMLElement>('.react-flow__node.selected') ??
    document.querySelector<HTMLElement>('.react-flow__node')
  target?.focus()
}

/**
 * Puts the focus on block `id` on the canvas once it is there (it may have just been added), so
 * the keyboard goes on from it: A adds after it, E edits it, Tab moves to the next.
 */
export function focusBlock(id: string, tries = 30): void {
  const el = document.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(id)}"]`)
  // React Flow shows a block once it has measured it: until then it cannot take the focus.
  if (el && getComputedStyle(el).visibility !== 'hidden') el.focus({ preventScroll: true })
  if (document.activeElement !== el && tries > 0) {
    requestAnimationFrame(() => focusBlock(id, tries - 1))
  }
}

/**
 * The text of a field that commits only a complete, valid value: on Enter or when the field loses
 * focus, never keystroke by keystroke (typing `1e309` must not apply `1e3` on the way). While the
 * text is not valid its problem is shown at once, the last valid value stays applied, and the
 * problem is registered in the store under `errorKey` (Start training is disabled meanwhile).
 * Escape puts the committed value back.
 */
export function useFieldText<T>(options: {
  /** The committed value, as the document holds it. */
  value: T
  format: (value: T) => string
  /** Reads the text: the value to commit, or why it cannot be. */
  read: (text: string) => { value: unknown; problem: string | null }
  /** Applies a valid value; may still refuse it with a message. */
  commit: (value: unknown) => string | null
  /** Key and label of the field in the store's list of invalid fields. */
  errorKey: string
  label: string
}) {
  const { value, format, read, commit, errorKey, label } = options
  const store = useStudioStore()
  const [text, setText] = useState(() => format(value))
  const [error, setError] = useState<string | null>(null)
  const committed = useRef(value)

  // Undo, redo or a fix changed the value from outside: show it.
  useEffect(() => {
    if (value !== committed.current) {
      committed.current = value
      setText(format(value))
      setError(null)
    }
  }, [value, format])

  useEffect(() => {
    store.getState().setFieldError(errorKey, error === null ? null : { label, message: error })
  }, [store, errorKey, label, error])
  // A field that goes away takes its problem with it.
  useEffect(() => () => store.getState().setFieldError(errorKey, null), [store, errorKey])

  const apply = (current: string) => {
    const parsed = read(current)
    const same = parsed.problem === null && Object.is(parsed.value, committed.current)
    const problem = parsed.problem ?? (same ? null : commit(parsed.value))
    setError(problem)
    if (problem === null) {
      committed.current = parsed.value as T
      setText(format(parsed.value as T))
    }
  }

  return {
    text,
    error,
    inputProps: {
      value: text,
      'aria-invalid': error ? true : undefined,
      onChange: (e: { target: { value: string } }) => {
        setText(e.target.value)
        setError(read(e.target.value).problem)
      },
      onBlur: (e: FocusEvent<HTMLInputElement>) => {
        if (e.target.value !== format(committed.current)) apply(e.target.value)
      },
      onKeyDown: (e: KeyboardEvent<HTMLInputElement>) => {
        if (e.key === 'Enter') {
          e.preventDefault()
          apply(e.currentTarget.value)
        } else if (e.key === 'Escape') {
          // Escape puts the value back; pressed again (nothing to put back) it returns to the
          // selected block on the canvas, so the keyboard can go on there.
          const unchanged = e.currentTarget.value === format(committed.current)
          setText(format(committed.current))
          setError(null)
          if (unchanged) focusSelectedBlock()
        }
      },
    },
  }
}
