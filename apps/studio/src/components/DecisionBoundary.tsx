import { useEffect, useRef } from 'react'
import { useStudio } from '../store/useStudio'
import type { Boundary, BoundaryPoints } from '../worker/protocol'
import '../data/data.css'

/** One colour per class (TensorFlow Playground's orange and blue first). */
export const CLASS_COLORS: [number, number, number][] = [
  [245, 147, 34],
  [8, 119, 189],
  [11, 122, 75],
  [200, 50, 31],
  [139, 79, 216],
  [213, 98, 15],
  [3, 105, 161],
  [120, 120, 120],
  [190, 24, 93],
  [101, 163, 13],
]

const SIZE = 320

/**
 * Draws a decision boundary: each grid cell in its class's colour, paler where the model is
 * unsure, with the points on top (training points filled, test points as rings). The grid is
 * 64 x 64, so a redraw costs well under a millisecond of the page's time.
 */
function draw(canvas: HTMLCanvasElement, points: BoundaryPoints | null, picture: Boundary | null) {
  const ctx = canvas.getContext('2d')
  if (!ctx) return
  ctx.clearRect(0, 0, SIZE, SIZE)
  ctx.fillStyle = '#fff'
  ctx.fillRect(0, 0, SIZE, SIZE)
  let bounds = picture?.bounds
  if (picture) {
    const image = new ImageData(picture.width, picture.height)
    for (let i = 0; i < picture.width * picture.height; i++) {
      const [r, g, b] = CLASS_COLORS[picture.predicted[i]! % CLASS_COLORS.length]!
      // Certainty 1/classes (a coin toss) is white; 1 is the class's colour at 60%.
      const floor = 1 / Math.max(2, picture.classes)
      const t = Math.max(0, (picture.confidence[i]! / 255 - floor) / (1 - floor)) * 0.6
      image.data[i * 4] = Math.round(255 - (255 - r) * t)
      image.data[i * 4 + 1] = Math.round(255 - (255 - g) * t)
      image.data[i * 4 + 2] = Math.round(255 - (255 - b) * t)
      image.data[i * 4 + 3] = 255
    }
    const cells = document.createElement('canvas')
    cells.width = picture.width
    cells.height = picture.height
    cells.getContext('2d')?.putImageData(image, 0, 0)
    ctx.imageSmoothingEnabled = true
    ctx.drawImage(cells, 0, 0, SIZE, SIZE)
  }
  if (!points || points.x.length === 0) return
  if (!bounds) {
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity]
    for (let i = 0; i < points.x.length; i++) {
      x0 = Math.min(x0, points.x[i]!)
      x1 = Math.max(x1, points.x[i]!)
      y0 = Math.min(y0, points.y[i]!)
      y1 = Math.max(y1, points.y[i]!)
    }
    const mx = (x1 - x0 || 1) * 0.1
    const my = (y1 - y0 || 1) * 0.1
    bounds = [x0 - mx, x1 + mx, y0 - my, y1 + my]
  }
  const [bx0, bx1, by0, by1] = bounds
  for (let i = 0; i < points.x.length; i++) {
    const px = ((points.x[i]! - bx0) / (bx1 - bx0)) * SIZE
    const py = ((by1 - points.y[i]!) / (by1 - by0)) * SIZE
    const [r, g, b] = CLASS_COLORS[points.labels[i]! % CLASS_COLORS.length]!
    ctx.beginPath()
    ctx.arc(px, py, 2.6, 0, Math.PI * 2)
    if (points.test[i]) {
      ctx.strokeStyle = `rgb(${r} ${g} ${b})`
      ctx.lineWidth = 1.4
      ctx.stroke()
    } else {
      ctx.fillStyle = `rgb(${r} ${g} ${b})`
      ctx.fill()
      ctx.strokeStyle = 'rgb(255 255 255 / 70%)'
      ctx.lineWidth = 0.6
      ctx.stroke()
    }
  }
}

export function BoundaryCanvas(props: {
  points: BoundaryPoints | null
  picture: Boundary | null
  testId?: string
}) {
  const ref = useRef<HTMLCanvasElement>(null)
  useEffect(() => {
    if (ref.current) draw(ref.current, props.points, props.picture)
  }, [props.points, props.picture])
  return (
    <canvas
      ref={ref}
      width={SIZE}
      height={SIZE}
      data-testid={props.testId ?? 'boundary-canvas'}
      data-step={props.picture?.globalStep ?? ''}
      role="img"
      aria-label="Decision boundary: the class the model picks over the plane, with the points"
    />
  )
}

/** The Train panel's decision-boundary picture for 2-D points, updated as the model learns. */
export function DecisionBoundary() {
  const { points, picture } = useStudio((s) => s.boundary)
  const classes = picture?.classes ?? (points ? Math.max(0, ...points.labels) + 1 : 0)
  if (!points && !picture) return null
  return (
    <div className="chart boundary" data-testid="decision-boundary">
      <div className="chart-title">
        Decision boundary{' '}
        <span data-testid="boundary-step">
          {picture ? `after ${picture.globalStep} batches` : 'appears as the model learns'}
        </span>
      </div>
      <BoundaryCanvas points={points} picture={picture} />
      <div className="boundary-legend">
        {Array.from({ length: classes }, (_, c) => {
          const [r, g, b] = CLASS_COLORS[c % CLASS_COLORS.length]!
          return (
            <span key={c}>
              <i style={{ background: `rgb(${r} ${g} ${b})` }} />
              class {c}
            </span>
          )
        })}
        <span>filled: training points · rings: test points</span>
      </div>
    </div>
  )
}
