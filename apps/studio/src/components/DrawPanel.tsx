import type { PointerEvent } from 'react'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { DigitSteps, Gray } from '../lib/preprocess'
import { preprocessDigit } from '../lib/preprocess'
import { useStudio } from '../store/useStudio'
import { DigitImage, diverging } from './DigitImage'
import { ModelNote } from './ModelNote'

const PAD = 280
const STROKE = 20

function readPad(canvas: HTMLCanvasElement): Gray {
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!
  const { data } = ctx.getImageData(0, 0, PAD, PAD)
  const gray = new Float32Array(PAD * PAD)
  for (let i = 0; i < gray.length; i++) gray[i] = data[i * 4]! / 255
  return { width: PAD, height: PAD, data: gray }
}

/** The trained graph's Normalize mean and std (single channel), if it has one. */
function useNormalize(): { mean: number; std: number } | null {
  const doc = useStudio((s) => s.model?.doc)
  return useMemo(() => {
    if (!doc) return null
    const node = doc.nodes.find((n) => n.type === 'Normalize')
    const mean = (node?.params.mean as number[] | undefined)?.[0]
    const std = (node?.params.std as number[] | undefined)?.[0]
    return mean !== undefined && std !== undefined ? { mean, std } : null
  }, [doc])
}

/** Pads an image with background to a square, centred, so steps show without stretching. */
function square(image: Gray): Gray {
  const side = Math.max(image.width, image.height)
  if (image.width === image.height) return image
  const data = new Float32Array(side * side)
  const dx = Math.floor((side - image.width) / 2)
  const dy = Math.floor((side - image.height) / 2)
  for (let y = 0; y < image.height; y++) {
    data.set(image.data.subarray(y * image.width, (y + 1) * image.width), (y + dy) * side + dx)
  }
  return { width: side, height: side, data }
}

function Step(props: { title: string; image: Gray; colorMap?: ReturnType<typeof diverging> }) {
  const image = useMemo(() => square(props.image), [props.image])
  return (
    <div className="step">
      <DigitImage
        values={image.data}
        width={image.width}
        height={image.height}
        {...(props.colorMap ? { colorMap: props.colorMap } : {})}
      />
      {props.title}
    </div>
  )
}

function PreprocessingSteps({ steps }: { steps: DigitSteps }) {
  const norm = useNormalize()
  const normalized = useMemo(() => {
    if (!norm) return null
    const data = steps.centred.data.map((v) => (v - norm.mean) / norm.std)
    return { width: 28, height: 28, data }
  }, [steps, norm])
  const range = normalized ? [Math.min(...normalized.data), Math.max(...normalized.data)] : null
  return (
    <section className="section">
      <h3>Preprocessing, the MNIST way</h3>
      <div className="steps" data-testid="preprocess-steps">
        <Step title="1 · cropped to the ink" image={steps.cropped} />
        <Step
          title={`2 · scaled to ${steps.scaled.width}×${steps.scaled.height}`}
          image={steps.scaled}
        />
        <Step title="3 · centred in 28×28" image={steps.centred} />
        {normalized && range && (
          <Step
            title={`4 · Normalize: ${range[0]!.toFixed(2)} … ${range[1]!.toFixed(2)}`}
            image={normalized}
            colorMap={diverging(Math.max(Math.abs(range[0]!), Math.abs(range[1]!)))}
          />
        )}
      </div>
    </section>
  )
}

function Probabilities({ probabilities }: { probabilities: number[] }) {
  const top = probabilities.indexOf(Math.max(...probabilities))
  return (
    <section className="section">
      <h3>
        The model says <span data-testid="predicted-digit">{top}</span>
      </h3>
      <div className="probs" data-testid="probabilities">
        {probabilities.map((p, digit) => (
          <div key={digit} className={`prob ${digit === top ? 'top' : ''}`}>
            <span>{digit}</span>
            <div className="prob-bar">
              <div style={{ width: `${p * 100}%` }} />
            </div>
            <span>{(p * 100).toFixed(1)}%</span>
          </div>
        ))}
      </div>
    </section>
  )
}

/** Draw a digit and watch the trained model classify it, with every preprocessing step shown. */
export function DrawPanel() {
  const canvas = useRef<HTMLCanvasElement>(null)
  const drawing = useRef(false)
  const last = useRef<{ x: number; y: number } | null>(null)
  const [steps, setSteps] = useState<DigitSteps | null>(null)
  const [probabilities, setProbabilities] = useState<number[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const trained = useStudio((s) => s.model !== null)
  const predict = useStudio((s) => s.predict)
  const inFlight = useRef(false)
  const queued = useRef<Float32Array | null>(null)

  const clear = useCallback(() => {
    const ctx = canvas.current?.getContext('2d')
    if (!ctx) return
    ctx.fillStyle = 'black'
    ctx.fillRect(0, 0, PAD, PAD)
    setSteps(null)
    setProbabilities(null)
  }, [])

  useEffect(clear, [clear])

  const send = useCallback(
    async (pixels: Float32Array) => {
      if (inFlight.current) {
        queued.current = pixels
        return
      }
      inFlight.current = true
      try {
        const reply = await predict(pixels)
        setProbabilities(reply.probabilities)
        setError(null)
      } catch (e) {
        setError((e as Error).message)
      } finally {
        inFlight.current = false
        const next = queued.current
        queued.current = null
        if (next) void send(next)
      }
    },
    [predict],
  )

  const update = useCallback(() => {
    if (!canvas.current) return
    const result = preprocessDigit(readPad(canvas.current))
    setSteps(result)
    if (result && trained) void send(result.centred.data.slice())
  }, [trained, send])

  const point = (e: PointerEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect()
    return {
      x: ((e.clientX - rect.left) / rect.width) * PAD,
      y: ((e.clientY - rect.top) / rect.height) * PAD,
    }
  }

  const stroke = (to: { x: number; y: number }) => {
    const ctx = canvas.current?.getContext('2d')
    if (!ctx) return
    const from = last.current ?? to
    ctx.strokeStyle = 'white'
    ctx.lineWidth = STROKE
    ctx.lineCap = 'round'
    ctx.lineJoin = 'round'
    ctx.beginPath()
    ctx.moveTo(from.x, from.y)
    ctx.lineTo(to.x, to.y)
    ctx.stroke()
    last.current = to
  }

  return (
    <div data-testid="draw-panel">
      <section className="section">
        <h2>Draw a digit</h2>
        <p className="lead">
          {trained
            ? 'Draw a digit from 0 to 9 in the black square. The trained model classifies it as you draw.'
            : 'Train the network first; until then you can still watch the preprocessing.'}
        </p>
        <ModelNote what="The predictions" />
        <div className="pad-wrap">
          <canvas
            ref={canvas}
            className="pad"
            width={PAD}
            height={PAD}
            data-testid="draw-pad"
            aria-label="Drawing pad"
            onPointerDown={(e) => {
              e.currentTarget.setPointerCapture(e.pointerId)
              drawing.current = true
              last.current = null
              stroke(point(e))
            }}
            onPointerMove={(e) => {
              if (!drawing.current) return
              stroke(point(e))
            }}
            onPointerUp={() => {
              drawing.current = false
              last.current = null
              update()
            }}
          />
          <button type="button" className="btn small" onClick={clear}>
            Clear
          </button>
        </div>
        {error && <div className="field-error">{error}</div>}
      </section>
      {steps && <PreprocessingSteps steps={steps} />}
      {probabilities && <Probabilities probabilities={probabilities} />}
    </div>
  )
}
