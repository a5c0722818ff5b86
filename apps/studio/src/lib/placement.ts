import type { GraphDocument } from '@tensorloom/graph'
import { blockSize } from './autoLayout'

/** Room kept between a placed block and its neighbours. */
const GAP = { x: 24, y: 28 }
const STEP = { x: 132, y: 46 }

type Point = { x: number; y: number }

/** True when a block at `at` (its top-left) would touch no block of `doc` but those in `except`. */
export function isFree(doc: GraphDocument, at: Point, except: ReadonlySet<string> = new Set()) {
  return doc.nodes.every((n) => {
    if (except.has(n.id)) return true
    const size = blockSize(n)
    return (
      at.x >= n.position.x + size.width + GAP.x ||
      at.x + size.width + GAP.x <= n.position.x ||
      at.y >= n.position.y + size.height + GAP.y ||
      at.y + size.height + GAP.y <= n.position.y
    )
  })
}

/**
 * The free place nearest to `at` for a new block, so it never lands on another one. Places below
 * `at` count as nearer than those above it, and those beside it as a little farther: a block added
 * after another goes under it when it can.
 */
export function freeSpot(doc: GraphDocument, at: Point, except: ReadonlySet<string> = new Set()) {
  if (isFree(doc, at, except)) return { x: at.x, y: at.y }
  const candidates: { p: Point; cost: number }[] = []
  for (let i = -8; i <= 8; i++) {
    for (let j = -12; j <= 24; j++) {
      const dx = i * STEP.x
      const dy = j * STEP.y
      candidates.push({
        p: { x: at.x + dx, y: at.y + dy },
        cost: Math.abs(dx) * 1.4 + (dy < 0 ? -dy * 1.6 : dy),
      })
    }
  }
  candidates.sort((a, b) => a.cost - b.cost)
  for (const { p } of candidates) if (isFree(doc, p, except)) return p
  // A crowded canvas: below everything.
  const bottom = Math.max(...doc.nodes.map((n) => n.position.y + blockSize(n).height))
  return { x: at.x, y: bottom + GAP.y * 2 }
}
