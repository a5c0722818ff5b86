import type { NodeType } from '@tensorloom/graph'
import { categories, nodeSpecs } from '@tensorloom/graph'
import { useReactFlow } from '@xyflow/react'
import { useState } from 'react'
import { NODE_SIZE } from '../lib/autoLayout'
import { useStudio } from '../store/useStudio'

/** The drag payload type for a palette block. */
export const BLOCK_MIME = 'application/x-tensorloom-block'

function firstSentence(text: string): string {
  const end = text.indexOf('. ')
  return end === -1 ? text : text.slice(0, end + 1)
}

function PaletteBlock({ type }: { type: NodeType }) {
  const spec = nodeSpecs[type]
  const addNode = useStudio((s) => s.addNode)
  const flow = useReactFlow()
  const addAtCentre = () => {
    const pane = document.querySelector('.react-flow')?.getBoundingClientRect()
    const centre = pane
      ? flow.screenToFlowPosition({ x: pane.x + pane.width / 2, y: pane.y + pane.height / 2 })
      : { x: 0, y: 0 }
    addNode(type, { x: centre.x - NODE_SIZE.width / 2, y: centre.y - NODE_SIZE.height / 2 })
  }
  return (
    <button
      type="button"
      className={`palette-block cat-${spec.category}`}
      draggable
      data-testid={`palette-${type}`}
      title={`${spec.description}\nDrag onto the canvas, or click to add it in the middle.`}
      onDragStart={(e) => {
        e.dataTransfer.setData(BLOCK_MIME, type)
        e.dataTransfer.effectAllowed = 'move'
      }}
      onClick={addAtCentre}
    >
      <strong>{type}</strong>
      <span>{firstSentence(spec.description)}</span>
    </button>
  )
}

/** The blocks by category, with a search box; blocks are dragged onto the canvas. */
export function Palette() {
  const [query, setQuery] = useState('')
  const q = query.trim().toLowerCase()
  const types = (Object.keys(nodeSpecs) as NodeType[]).filter(
    (type) =>
      q === '' ||
      type.toLowerCase().includes(q) ||
      nodeSpecs[type].description.toLowerCase().includes(q),
  )
  return (
    <aside className="palette" aria-label="Blocks">
      <input
        className="palette-search"
        type="search"
        placeholder="Search blocks…"
        aria-label="Search blocks"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <div className="palette-list">
        {categories.map((cat) => {
          const inCat = types.filter((t) => nodeSpecs[t].category === cat.id)
          if (inCat.length === 0) return null
          return (
            <section key={cat.id} className="palette-category">
              <h3>{cat.label}</h3>
              {inCat.map((type) => (
                <PaletteBlock key={type} type={type} />
              ))}
            </section>
          )
        })}
        {types.length === 0 && <p className="palette-empty">No block matches “{query}”.</p>}
      </div>
      <p className="palette-hint">Drag a block onto the canvas, then connect its handles.</p>
    </aside>
  )
}
