import { useEffect, useRef } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { axisWidth, formatTick, type MeasureText, TICK_INCREMENTS } from '../lib/axisTicks'

export interface ChartSeries {
  label: string
  color: string
  values: (number | null)[]
  width?: number
  dash?: number[]
}

const AXIS_FONT = '11px system-ui'
let measurer: CanvasRenderingContext2D | null | undefined

/** Label widths in the axis font, from a canvas of its own; `undefined` where none can be made. */
function measureAxisText(): MeasureText | undefined {
  measurer ??= document.createElement('canvas').getContext('2d')
  const ctx = measurer
  if (!ctx) return undefined
  ctx.font = AXIS_FONT
  return (label) => ctx.measureText(label).width
}

/** A small uPlot line chart that follows its data as it grows. */
export function LineChart(props: {
  x: number[]
  series: ChartSeries[]
  height?: number
  xLabel: string
  yRange?: [number, number]
  xRange?: [number, number]
  testId?: string
}) {
  const { x, series, height = 150, xLabel, yRange, xRange } = props
  const container = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  const shape = series.map((s) => s.label).join('|')

  useEffect(() => {
    const el = container.current
    if (!el) return
    const opts: uPlot.Options = {
      width: el.clientWidth || 340,
      height,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: false, ...(xRange ? { range: xRange } : {}) },
        ...(yRange ? { y: { range: yRange } } : {}),
      },
      axes: [
        {
          label: xLabel,
          labelSize: 18,
          size: 32,
          font: AXIS_FONT,
          labelFont: AXIS_FONT,
          stroke: '#5d6878',
          grid: { stroke: '#eef0f3' },
        },
        {
          // Sized to its labels: a diverged run's loss reaches millions and more.
          size: (_self, values) => axisWidth(values ?? [], measureAxisText()),
          values: (_self, splits) => splits.map(formatTick),
          incrs: TICK_INCREMENTS as number[],
          font: AXIS_FONT,
          stroke: '#5d6878',
          grid: { stroke: '#eef0f3' },
        },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: s.width ?? 1.5,
          points: { show: x.length < 12 },
          ...(s.dash ? { dash: s.dash } : {}),
        })),
      ],
    }
    plot.current = new uPlot(opts, [x, ...series.map((s) => s.values)] as uPlot.AlignedData, el)
    const resize = new ResizeObserver(() => {
      plot.current?.setSize({ width: el.clientWidth, height })
    })
    resize.observe(el)
    return () => {
      resize.disconnect()
      plot.current?.destroy()
      plot.current = null
    }
  }, [shape, height, xLabel, xRange?.[0], xRange?.[1]])

  useEffect(() => {
    plot.current?.setData([x, ...series.map((s) => s.values)] as uPlot.AlignedData)
  }, [x, series])

  return <div ref={container} data-testid={props.testId} />
}
