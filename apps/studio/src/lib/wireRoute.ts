/** A point on the canvas, in flow coordinates. */
export type Point = [x: number, y: number]

/** The ends of a wire: its handles, and the right edge of its source and left edge of its target. */
export interface WireEnds {
  sourceX: number
  sourceY: number
  targetX: number
  targetY: number
  sourceRight: number
  targetLeft: number
}

/** Where the handle of port `index` of `count` sits along a block's top edge (0 to 1). */
export function portOffset(index: number, count: number): number {
  return (index + 1) / (count + 1)
}

/** How far a wire leaves its handle before it turns. */
export const WIRE_OFFSET = 24
/** A downward wire turns this far above its target (in the gap between rows) or halfway. */
const TURN_ABOVE = 32
/** How far right of its block a wire climbing to the next column runs (lanes are 150 apart). */
const CHANNEL = 75

/**
 * The route of a wire as right-angled points, and where its shape label sits; null where React
 * Flow's smooth step should draw it (a target beside or above its source, not to the right).
 *
 * A downward wire turns just above its target, in the gap between rows, so a long skip
 * connection runs straight down its own column and its label sits by the port it feeds. A wire
 * climbing to the top of the next column (the data pipeline into the model, a wrapped model)
 * runs up through the gap right of its source rather than halfway across, where a branch of the
 * model may sit.
 */
export function wireRoute(ends: WireEnds): { points: Point[]; label: Point } | null {
  const { sourceX: sx, sourceY: sy, targetX: tx, targetY: ty } = ends
  if (ty >= sy + 2 * WIRE_OFFSET) {
    const turn = Math.max((sy + ty) / 2, ty - TURN_ABOVE)
    const points: Point[] =
      sx === tx
        ? [
            [sx, sy],
            [tx, ty],
          ]
        : [
            [sx, sy],
            [sx, turn],
            [tx, turn],
            [tx, ty],
          ]
    return { points, label: [(sx + tx) / 2, turn] }
  }
  if (ends.targetLeft > ends.sourceRight) {
    const x = ends.sourceRight + Math.min(CHANNEL, (ends.targetLeft - ends.sourceRight) / 2)
    const top = ty - WIRE_OFFSET
    const bottom = sy + WIRE_OFFSET
    return {
      points: [
        [sx, sy],
        [sx, bottom],
        [x, bottom],
        [x, top],
        [tx, top],
        [tx, ty],
      ],
      label: [x, (top + bottom) / 2],
    }
  }
  return null
}

/** An SVG path through right-angled `points`, with rounded corners. */
export function roundedPath(points: readonly Point[], radius = 14): string {
  let d = `M ${points[0]![0]} ${points[0]![1]}`
  for (let i = 1; i < points.length - 1; i++) {
    const [px, py] = points[i - 1]!
    const [x, y] = points[i]!
    const [nx, ny] = points[i + 1]!
    const r = Math.min(
      radius,
      (Math.abs(x - px) + Math.abs(y - py)) / 2,
      (Math.abs(nx - x) + Math.abs(ny - y)) / 2,
    )
    const inX = x - Math.sign(x - px) * r
    const inY = y - Math.sign(y - py) * r
    const outX = x + Math.sign(nx - x) * r
    const outY = y + Math.sign(ny - y) * r
    d += ` L ${inX} ${inY} Q ${x} ${y} ${outX} ${outY}`
  }
  const [lx, ly] = points.at(-1)!
  return `${d} L ${lx} ${ly}`
}
