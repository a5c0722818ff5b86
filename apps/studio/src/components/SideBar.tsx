import { fitsDigitPad } from '../data/placeDataset'
import type { Panel } from '../store/uiSlice'
import { useStudio } from '../store/useStudio'
import { DrawPanel } from './DrawPanel'
import { Inspector } from './Inspector'
import { ResultsPanel } from './ResultsPanel'
import { TrainingPanel } from './TrainingPanel'

const TABS: { id: Panel; label: string }[] = [
  { id: 'block', label: 'Block' },
  { id: 'train', label: 'Train' },
  { id: 'results', label: 'Results' },
  { id: 'draw', label: 'Draw' },
]

/** The right-hand side: inspector, training, results and draw-a-digit, as tabs. */
export function SideBar() {
  const panel = useStudio((s) => s.panel)
  const setPanel = useStudio((s) => s.setPanel)
  const training = useStudio((s) => s.run.status === 'training' || s.run.status === 'starting')
  const hasResults = useStudio((s) => s.model !== null)
  const setDrawer = useStudio((s) => s.setDrawer)
  // The digit pad only makes sense for 28x28 gray images in 10 classes (the trained network's).
  const drawable = useStudio((s) => fitsDigitPad(s.model?.doc ?? s.doc))
  return (
    <aside className="side" aria-label="Details" id="side-panel">
      <div className="tabs-row">
        <div className="tabs" role="tablist">
          {TABS.filter((tab) => tab.id !== 'draw' || drawable).map((tab) => (
            <button
              key={tab.id}
              type="button"
              role="tab"
              className="tab"
              aria-selected={panel === tab.id}
              aria-controls="side-tabpanel"
              id={`side-tab-${tab.id}`}
              data-testid={`tab-${tab.id}`}
              onClick={() => setPanel(tab.id)}
            >
              {tab.label}
              {tab.id === 'train' && training && <span className="dot" aria-hidden="true" />}
              {tab.id === 'results' && hasResults && panel !== 'results' && (
                <span className="dot" aria-hidden="true" />
              )}
            </button>
          ))}
        </div>
        <button
          type="button"
          className="btn small drawer-close"
          aria-label="Close the panel"
          data-testid="close-side"
          onClick={() => setDrawer(null)}
        >
          ✕
        </button>
      </div>
      <div
        className="side-body"
        role="tabpanel"
        id="side-tabpanel"
        aria-labelledby={`side-tab-${panel}`}
      >
        {panel === 'block' && <Inspector />}
        {panel === 'train' && <TrainingPanel />}
        {panel === 'results' && <ResultsPanel />}
        {panel === 'draw' &&
          (drawable ? (
            <DrawPanel />
          ) : (
            <div className="empty-state">
              Draw works for networks on 28×28 gray images in 10 classes, like MNIST.
            </div>
          ))}
      </div>
    </aside>
  )
}
