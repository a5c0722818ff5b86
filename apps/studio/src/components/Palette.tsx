import type { NodeType } from '@tensorloom/graph'
import { categories, nodeSpecs } from '@tensorloom/graph'
import { useReactFlow } from '@xyflow/react'
import { useState } from 'react'
import { NODE_SIZE } from '../lib/autoLayout'
import { useStudioStore } from '../store/useStudio'

/** The drag payload type for a palette block. */
export const BLOCK_MIME = 'application/x-tensorloom-block'

function firstSentence(text: string): string {
  const end = text.indexOf('. ')
  return end === -1 ? text : text.slice(0, end + 1)
}

function PaletteBlock({ type }: { type: NodeType }) {
  const spec = nodeSpecs[type]
  const store = useStudioStore()
  const flow = useReactFlow()
  // After the selected block (wired in when the shapes allow), else in the middle of the view.
  const add = () => {
    const pane = document.querySelector('.react-flow')?.getBoundingClientRect()
    const centre = pane
      ? flow.screenToFlowPosition({ x: pane.x + pane.width / 2, y: pane.y + pane.height / 2 })
      : { x: 0, y: 0 }
    const s = store.getState()
    const result = s.addBlock(type, {
      at: { x: centre.x - NODE_SIZE.width / 2, y: centre.y - NODE_SIZE.height / 2 },
    })
    if (result.problem) s.notify('info', `${type} was added without a wire: ${result.problem}`)
    s.setDrawer(null)
    s.focusNode(result.id, { zoom: false })
  }
  return (
    <button
      type="button"
      className={`palette-block cat-${spec.category}`}
      draggable
      data-testid={`palette-${type}`}
      title={`${spec.description}\nDrag onto the canvas (onto a wire to put it in between), or click to add it after the selected block.`}
      onDragStart={(e) => {
        e.dataTransfer.setData(BLOCK_MIME, type)
        e.dataTransfer.effectAllowed = 'move'
      }}
      onClick={add}
    >
      <strong>{type}</strong>
      <span>{firstSentence(spec.description)}</span>
    </button>
  )
}

/** The blocks by category, with a search box; blocks are dragged onto the canvas. */
export function Palette() {
  const store = useStudioStore()
  const [query, setQuery] = useState('')
  const q = query.trim().toLowerCase()
  const types = (Object.keys(nodeSpecs) as NodeType[]).filter(
    (type) =>
      q === '' ||
      type.toLowerCase().includes(q) ||
      nodeSpecs[type].description.toLowerCase().includes(q),
  )
  return (
    <aside className="palette" aria-label="Blocks" id="palette">
      <div className="palette-head">
        <input
          className="palette-search"
          type="search"
          placeholder="Search blocks…"
          aria-label="Search blocks"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <button
          type="button"
          className="btn small drawer-close"
          aria-label="Close the blocks"
          onClick={() => store.getState().setDrawer(null)}
        >
          ✕
        </button>
      </div>
      <div className="palette-list">
        {categories.map((cat) => {
          const inCat = types.filter((t) => nodeSpecs[t].category === cat.id)
          if (inCat.length === 0) return null
          return (
            <section key={cat.id} className="palette-category">
              <h2>{cat.label}</h2>
              {inCat.map((type) => (
                <PaletteBlock key={type} type={type} />
              ))}
            </section>
          )
        })}
        {types.length === 0 && <p className="palette-empty">No block matches “{query}”.</p>}
      </div>
      <p className="palette-hint">
        Drag a block onto the canvas or onto a wire, or click it to add it after the selected block.
        Double-click the canvas or press A to search.
      </p>
    </aside>
  )
}
