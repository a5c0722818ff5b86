const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumSignificantDigits: 3 })
const plain = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 })

/**
 * A chart tick label that stays short: plain up to 9,999, compact beyond (80M, 1.2B), and
 * exponential once even that is long (a diverged run's loss: 3.4e+38, 1e+35).
 */
export function formatTick(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  const size = Math.abs(value)
  if (size < 1e4) return plain.format(value)
  if (size < 1e15) return compact.format(value)
  return Number(value.toPrecision(2)).toExponential()
}

/** Measures a label's width in CSS pixels (a canvas's `measureText` in the axis font). */
export type MeasureText = (label: string) => number

/** About 6.5px a character of an 11px UI font, for when no canvas can measure. */
const estimate: MeasureText = (label) => label.length * 6.5

/**
 * Pixels a y axis needs so that none of `labels` is clipped at the chart's edge: uPlot's tick
 * (10px) and gap (5px), the widest label, and a little air; never less than 32.
 */
export function axisWidth(labels: readonly string[], measure: MeasureText = estimate): number {
  const widest = labels.reduce((w, label) => Math.max(w, measure(label)), 0)
  return Math.max(32, Math.ceil(widest) + 19)
}

/**
 * Tick spacings from 1e-16 to 5e307 (1, 2, 2.5 and 5 times each power of ten). uPlot's own stop
 * at 5e32, beyond which a diverged loss would get no tick at all.
 */
export const TICK_INCREMENTS: readonly number[] = Array.from({ length: 324 }, (_, i) => i - 16)
  .flatMap((exponent) => [1, 2, 2.5, 5].map((m) => Number(`${m}e${exponent}`)))
  .filter(Number.isFinite)
