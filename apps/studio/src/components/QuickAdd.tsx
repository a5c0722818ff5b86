import type { NodeType } from '@tensorloom/graph'
import { categories, nodeSpecs } from '@tensorloom/graph'
import { useEffect, useId, useMemo, useRef, useState } from 'react'
import { NODE_SIZE } from '../lib/autoLayout'
import { useStudio, useStudioStore } from '../store/useStudio'
import { focusBlock } from './useFieldText'

const ORDER = new Map(categories.map((c, i) => [c.id, i]))
const ALL = (Object.keys(nodeSpecs) as NodeType[]).sort(
  (a, b) => (ORDER.get(nodeSpecs[a].category) ?? 0) - (ORDER.get(nodeSpecs[b].category) ?? 0),
)

/** Blocks matching `query`: names starting with it first, then names and descriptions with it. */
export function searchBlocks(query: string): NodeType[] {
  const q = query.trim().toLowerCase()
  if (q === '') return ALL
  const starts = ALL.filter((t) => t.toLowerCase().startsWith(q))
  const contains = ALL.filter(
    (t) =>
      !starts.includes(t) &&
      (t.toLowerCase().includes(q) || nodeSpecs[t].description.toLowerCase().includes(q)),
  )
  return [...starts, ...contains]
}

const PICKER = { width: 320, height: 360 }

/**
 * The quick-add picker: a search box over every block, opened by a double-click on the canvas
 * (the block goes there) or by the `A` or `/` key (after the selected block, wired in when the
 * shapes allow). Arrow keys move through the list, Enter adds, Escape closes.
 */
export function QuickAdd() {
  const at = useStudio((s) => s.quickAdd)
  if (!at) return null
  return <Picker />
}

function Picker() {
  const store = useStudioStore()
  const at = useStudio((s) => s.quickAdd)!
  const after = useStudio((s) =>
    s.selection.nodes.length === 1
      ? s.doc.nodes.find((n) => n.id === s.selection.nodes[0])
      : undefined,
  )
  const [query, setQuery] = useState('')
  const [active, setActive] = useState(0)
  const input = useRef<HTMLInputElement>(null)
  const list = useRef<HTMLDivElement>(null)
  const listId = useId()
  const results = useMemo(() => searchBlocks(query), [query])
  const current = results[Math.min(active, results.length - 1)]

  useEffect(() => input.current?.focus(), [])
  useEffect(() => {
    list.current?.querySelector('[aria-selected="true"]')?.scrollIntoView?.({ block: 'nearest' })
  }, [current])

  const close = () => store.getState().closeQuickAdd()
  const choose = (type: NodeType) => {
    const s = store.getState()
    s.closeQuickAdd()
    const flow = at.flow
    const result = s.addBlock(
      type,
      flow
        ? {
            at: { x: flow.x - NODE_SIZE.width / 2, y: flow.y - NODE_SIZE.height / 2 },
            after: null,
          }
        : {},
    )
    if (result.problem) {
      s.notify('info', `${type} was added without a wire: ${result.problem}`)
    }
    s.focusNode(result.id, { zoom: false })
    focusBlock(result.id)
  }

  const style = at.screen
    ? {
        left: Math.max(8, Math.min(at.screen.x, window.innerWidth - PICKER.width - 8)),
        top: Math.max(8, Math.min(at.screen.y, window.innerHeight - PICKER.height - 8)),
      }
    : undefined

  return (
    <div
      className="quick-add-backdrop"
      onPointerDown={(e) => {
        if (e.target === e.currentTarget) close()
      }}
    >
      <div
        className={`quick-add ${at.screen ? 'at-point' : 'centred'}`}
        style={style}
        role="dialog"
        aria-modal="true"
        aria-label="Add a block"
        data-testid="quick-add"
      >
        <div className="quick-add-head">
          <label htmlFor={`${listId}-search`}>
            {after ? `Add after ${after.type}` : 'Add a block'}
          </label>
          <kbd>Esc</kbd>
        </div>
        <input
          id={`${listId}-search`}
          ref={input}
          className="quick-add-search"
          type="text"
          role="combobox"
          aria-expanded="true"
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={current ? `${listId}-${current}` : undefined}
          placeholder="Search blocks…"
          autoComplete="off"
          spellCheck={false}
          value={query}
          onChange={(e) => {
            setQuery(e.target.value)
            setActive(0)
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault()
              setActive((i) => Math.min(i + 1, results.length - 1))
            } else if (e.key === 'ArrowUp') {
              e.preventDefault()
              setActive((i) => Math.max(i - 1, 0))
            } else if (e.key === 'Enter') {
              e.preventDefault()
              if (current) choose(current)
            } else if (e.key === 'Escape') {
              e.preventDefault()
              e.stopPropagation()
              close()
            }
          }}
        />
        <div className="quick-add-list" id={listId} role="listbox" ref={list} aria-label="Blocks">
          {results.map((type, i) => (
            // The search box keeps the focus and names the active option; a click chooses one.
            // biome-ignore lint/a11y/useKeyWithClickEvents: the combobox above handles the keys
            <div
              key={type}
              tabIndex={-1}
              id={`${listId}-${type}`}
              role="option"
              aria-selected={type === current}
              className={`quick-add-option cat-${nodeSpecs[type].category}`}
              data-testid={`quick-add-${type}`}
              onPointerMove={() => setActive(i)}
              onClick={() => choose(type)}
            >
              <strong>{type}</strong>
              <span className="quick-add-desc">{nodeSpecs[type].description}</span>
            </div>
          ))}
        </div>
        {results.length === 0 && <p className="quick-add-empty">No block matches.</p>}
      </div>
    </div>
  )
}
