import { useEffect, useRef } from 'react'

/** Maps a value to RGB; the default is grayscale for values in [0, 1]. */
export type ColorMap = (value: number) => [number, number, number]

export const grayscale: ColorMap = (v) => {
  const g = Math.round(Math.max(0, Math.min(1, v)) * 255)
  return [g, g, g]
}

/** Blue for negative, white for zero, red for positive, scaled by `limit`. */
export function diverging(limit: number): ColorMap {
  return (v) => {
    const t = Math.max(-1, Math.min(1, v / (limit || 1)))
    const fade = (c: number) => Math.round(255 - (255 - c) * Math.abs(t))
    return t >= 0 ? [fade(200), fade(40), fade(40)] : [fade(40), fade(80), fade(210)]
  }
}

/** Draws a small image (e.g. a 28x28 digit) on a canvas, one canvas pixel per value. */
export function DigitImage(props: {
  values: ArrayLike<number>
  width?: number
  height?: number
  /** Divide values by this first (255 for raw bytes). */
  scale?: number
  colorMap?: ColorMap
  label?: string
  className?: string
}) {
  const { values, width = 28, height = 28, scale = 1, colorMap = grayscale } = props
  const ref = useRef<HTMLCanvasElement>(null)
  useEffect(() => {
    const ctx = ref.current?.getContext('2d')
    if (!ctx) return
    const image = ctx.createImageData(width, height)
    for (let i = 0; i < width * height; i++) {
      const [r, g, b] = colorMap((values[i] ?? 0) / scale)
      image.data[i * 4] = r
      image.data[i * 4 + 1] = g
      image.data[i * 4 + 2] = b
      image.data[i * 4 + 3] = 255
    }
    ctx.putImageData(image, 0, 0)
  }, [values, width, height, scale, colorMap])
  return (
    <canvas
      ref={ref}
      width={width}
      height={height}
      className={props.className}
      {...(props.label ? { role: 'img', 'aria-label': props.label } : { 'aria-hidden': true })}
    />
  )
}
