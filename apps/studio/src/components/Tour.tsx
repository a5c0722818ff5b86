import { useEffect } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { realErrors } from '../lib/issues'
import type { StudioState } from '../store/types'
import { useStudio, useStudioStore } from '../store/useStudio'

interface Step {
  title: string
  text: string
  /** The element to point at, if it is on screen. */
  spot?: string
  /** True once the user did what the step asks: the tour moves on by itself. */
  done?: (s: StudioState) => boolean
  /** Skip this step (the graph is not the lesson's any more, say). */
  skip?: (s: StudioState) => boolean
}

const hasFlatten = (s: StudioState) => s.doc.nodes.some((n) => n.type === 'Flatten')
const linearError = (s: StudioState) =>
  realErrors(s.inference.issues).some((i) => i.code === 'LINEAR_SHAPE_MISMATCH')
const running = (s: StudioState) => s.run.status !== 'idle' && s.run.status !== 'failed'

/** The tour: shapes on the wires, PyTorch's error and its fix, training, a drawn digit. */
export const TOUR: Step[] = [
  {
    title: 'Every wire shows its tensor shape',
    text: 'The numbers on the wires are the shapes flowing through the network, batch first: (64, 784) is 64 images of 784 pixels each, after Flatten.',
    spot: '[data-testid="edge-shape"][data-edge-from="Flatten"][data-edge-to="Linear"]',
  },
  {
    title: 'Meet PyTorch’s error',
    text: 'Select the Flatten block and press Delete (or its Delete button). Linear then gets images instead of vectors, and says so the way PyTorch would.',
    spot: '[data-testid="block-Flatten"]',
    done: (s) => !hasFlatten(s) && linearError(s),
    skip: (s) => !hasFlatten(s) && !linearError(s),
  },
  {
    title: 'Fix it with one click',
    text: 'Click “⚡ Insert Flatten before this node” on the red block: the shapes are right again.',
    spot: '.block.has-error [data-testid="fix-button"]',
    done: (s) => realErrors(s.inference.issues).length === 0,
  },
  {
    title: 'Train it',
    text: 'Open Train and press Start training. It trains here, in your browser, on the backend that runs this network fastest.',
    spot: '[data-testid="train-start"], [data-testid="tab-train"], [data-testid="mobile-train"]',
    done: (s) => running(s),
  },
  {
    title: 'Draw a digit',
    text: 'When training is done, open Draw and draw a digit from 0 to 9: the model you just trained reads it as you draw.',
    spot: '[data-testid="tab-draw"], [data-testid="mobile-draw"]',
  },
]

/** Points at a step's element with an outline while the step is shown. */
function useSpot(selector: string | undefined) {
  useEffect(() => {
    if (!selector) return
    let marked: Element[] = []
    const mark = () => {
      for (const el of marked) el.classList.remove('tour-spot')
      const first = [...document.querySelectorAll(selector)].find(
        (el) => (el as HTMLElement).offsetParent !== null,
      )
      marked = first ? [first] : []
      for (const el of marked) el.classList.add('tour-spot')
    }
    mark()
    // Elements come and go (a block deleted, a panel opened): look again now and then.
    const timer = setInterval(mark, 500)
    return () => {
      clearInterval(timer)
      for (const el of marked) el.classList.remove('tour-spot')
    }
  }, [selector])
}

/**
 * A short guided tour on first open: a card that does not block the canvas, moves on when the
 * user does what it says, and can be skipped; once finished or skipped it is not shown again.
 */
export function Tour() {
  const step = useStudio((s) => s.tour)
  if (step === null) return null
  return <TourCard index={step} />
}

function TourCard({ index }: { index: number }) {
  const store = useStudioStore()
  const { setTour, endTour } = useStudio(
    useShallow((s) => ({ setTour: s.setTour, endTour: s.endTour })),
  )
  const step = TOUR[index]!
  useSpot(step.spot)
  // Moves on once the user has done what the step asks (or it no longer applies).
  useEffect(() => {
    const check = (s: StudioState) => {
      if (s.tour !== index) return
      if (step.done?.(s) || step.skip?.(s)) {
        if (index + 1 < TOUR.length) s.setTour(index + 1)
      }
    }
    check(store.getState())
    return store.subscribe(check)
  }, [store, index, step])
  const last = index === TOUR.length - 1
  return (
    <section className="tour" aria-label="Guided tour" aria-live="polite" data-testid="tour">
      <div className="tour-count">
        {index + 1} of {TOUR.length}
      </div>
      <h2 className="tour-title">{step.title}</h2>
      <p className="tour-text">{step.text}</p>
      <div className="tour-actions">
        <button type="button" className="btn small" onClick={endTour} data-testid="tour-skip">
          {last ? 'Close' : 'Skip the tour'}
        </button>
        {index > 0 && (
          <button type="button" className="btn small" onClick={() => setTour(index - 1)}>
            Back
          </button>
        )}
        <button
          type="button"
          className="btn small primary"
          data-testid="tour-next"
          onClick={() => (last ? endTour() : setTour(index + 1))}
        >
          {last ? 'Done' : step.done ? 'Skip this step' : 'Next'}
        </button>
      </div>
    </section>
  )
}
