import * as tf from '@tensorflow/tfjs-core'
import type { Module } from '@tensorloom/layers'
import type { TableLike } from './inspect'
import type { Boundary, BoundaryPoints } from './protocol'

/** Grid cells along each side of the decision-boundary picture. */
export const GRID = 64
/** Points drawn over it, at most. */
const MAX_POINTS = 1500
/** The picture is redrawn at most this often while training (ms). */
const EVERY_MS = 300

/**
 * The decision boundary of a model on 2-D points, as TensorFlow Playground draws it: the class
 * the model picks on a grid over the points (with 10% margin), evaluated in eval mode between two
 * batches — one forward pass of 4,096 points — and read back without holding up training.
 */
export class BoundaryWatch {
  readonly bounds: [number, number, number, number]
  private readonly grid: Float32Array
  private inFlight = false
  private lastAt = Number.NEGATIVE_INFINITY

  constructor(
    private readonly table: TableLike,
    private readonly classes: number,
  ) {
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity]
    const f = table.features
    for (let i = 0; i + 1 < f.length; i += 2) {
      x0 = Math.min(x0, f[i]!)
      x1 = Math.max(x1, f[i]!)
      y0 = Math.min(y0, f[i + 1]!)
      y1 = Math.max(y1, f[i + 1]!)
    }
    const mx = (x1 - x0 || 1) * 0.1
    const my = (y1 - y0 || 1) * 0.1
    this.bounds = [x0 - mx, x1 + mx, y0 - my, y1 + my]
    const [bx0, bx1, by0, by1] = this.bounds
    this.grid = new Float32Array(GRID * GRID * 2)
    for (let r = 0; r < GRID; r++) {
      // Row 0 is the top of the picture: the largest y.
      const y = by1 - ((r + 0.5) / GRID) * (by1 - by0)
      for (let c = 0; c < GRID; c++) {
        const k = (r * GRID + c) * 2
        this.grid[k] = bx0 + ((c + 0.5) / GRID) * (bx1 - bx0)
        this.grid[k + 1] = y
      }
    }
  }

  /** The points to draw (a sample of them when there are many), test points marked. */
  points(testIndices: ArrayLike<number> | null): BoundaryPoints {
    const n = this.table.length
    const step = Math.max(1, Math.ceil(n / MAX_POINTS))
    const test = new Set<number>(testIndices ? Array.from(testIndices) : [])
    const picked: number[] = []
    for (let i = 0; i < n; i += step) picked.push(i)
    const f = this.table.features
    return {
      x: Float32Array.from(picked, (i) => f[i * 2]!),
      y: Float32Array.from(picked, (i) => f[i * 2 + 1]!),
      labels: Uint8Array.from(picked, (i) => this.table.targets[i]!),
      test: Uint8Array.from(picked, (i) => (test.has(i) ? 1 : 0)),
    }
  }

  /** The model's picture now. */
  async evaluate(
    model: Module,
    toProbabilities: (out: tf.Tensor) => tf.Tensor,
    globalStep: number,
  ): Promise<Boundary> {
    const modes = model.modules().map((m) => [m, m.training] as const)
    let predicted: tf.Tensor
    let confidence: tf.Tensor
    try {
      model.eval()
      ;[predicted, confidence] = tf.tidy(() => {
        const probs = toProbabilities(model.call(tf.tensor2d(this.grid, [GRID * GRID, 2])))
        return [tf.argMax(probs, 1), tf.max(probs, 1)]
      })
    } finally {
      for (const [m, mode] of modes) m.training = mode
    }
    const [p, c] = await Promise.all([predicted.data(), confidence.data()])
    tf.dispose([predicted, confidence])
    return {
      globalStep,
      width: GRID,
      height: GRID,
      bounds: this.bounds,
      classes: this.classes,
      predicted: Uint8Array.from(p as ArrayLike<number>),
      confidence: Uint8Array.from(c as ArrayLike<number>, (v) => Math.round(v * 255)),
    }
  }

  /** Evaluates at most every 300 ms and one at a time; `send` gets each picture. */
  maybe(
    model: Module,
    toProbabilities: (out: tf.Tensor) => tf.Tensor,
    globalStep: number,
    send: (boundary: Boundary) => void,
  ): void {
    const now = performance.now()
    if (this.inFlight || now - this.lastAt < EVERY_MS) return
    this.inFlight = true
    this.lastAt = now
    this.evaluate(model, toProbabilities, globalStep)
      .then(send, () => {})
      .finally(() => {
        this.inFlight = false
      })
  }
}
