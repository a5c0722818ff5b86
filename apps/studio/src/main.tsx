import './lib/cspSafe'
import '@xyflow/react/dist/style.css'
import './styles.css'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { openDataStorage } from './data/storage'
import { readLaunchOptions } from './lib/launchOptions'
import { nextFrame } from './lib/nextFrame'
import { decodeGraph, sharedGraphFromHash } from './lib/share'
import { createStudioStore } from './store/createStudioStore'
import {
  autosave,
  loadBackendChoice,
  loadInitialGraph,
  loadLastRun,
  loadTourDone,
  newDocumentId,
  persistBackendChoice,
  persistLastRun,
  persistTour,
} from './store/persistence'
import { StudioContext } from './store/useStudio'
import { createTrainerClient } from './worker/trainerClient'

const trainer = createTrainerClient(
  () => new Worker(new URL('./worker/trainer.worker.ts', import.meta.url), { type: 'module' }),
)
const launch = readLaunchOptions(window.location.search)
const initial = loadInitialGraph(window.localStorage, window.sessionStorage, window.location.hash)
const store = createStudioStore({
  initialDoc: initial.doc,
  docId: initial.id,
  history: { past: initial.past, future: initial.future },
  trainer,
  maxSteps: launch.maxSteps,
  backendChoice: launch.backend ?? loadBackendChoice(window.localStorage) ?? 'auto',
  loseWebGLContextAt: launch.loseWebGLContextAt,
  lastRun: loadLastRun(window.localStorage),
  // Worker messages reach the store at most once a frame: one render however many arrive.
  schedule: nextFrame,
})
const sharedNotice = (name: string) =>
  `Opened the shared graph “${name}” as a new document; your other graphs are under File.`
if (initial.source === 'link') {
  // The link has done its job; from here on the autosave keeps the edits.
  history.replaceState(null, '', window.location.pathname + window.location.search)
  store.getState().notify('info', sharedNotice(initial.doc.name))
}
if (initial.problem) store.getState().notify('error', initial.problem)
autosave(store, window.localStorage, window.sessionStorage, window)
persistTour(store, window.localStorage)
// The guided tour, once, for someone who opens the studio for the first time (on the lesson).
if (!loadTourDone(window.localStorage) && initial.source === 'template') store.getState().setTour(0)
persistBackendChoice(store, window.localStorage)
// Closing or reloading mid-run ends the worker at once (the next run starts a fresh one).
window.addEventListener('pagehide', () => trainer.dispose())
persistLastRun(store, window.localStorage)
// The datasets dropped in earlier are still in this browser's storage: list them.
openDataStorage()
  .then(async (storage) => store.getState().setLocalData(await storage.list(), storage.kind))
  .catch(() => store.getState().setLocalData([], 'none'))
// A share link pasted into an open studio opens as a new document; the current one stays saved.
window.addEventListener('hashchange', () => {
  const shared = sharedGraphFromHash(window.location.hash)
  if (!shared) return
  history.replaceState(null, '', window.location.pathname + window.location.search)
  const decoded = decodeGraph(shared)
  if (!decoded.ok) {
    store.getState().notify('error', `The shared link could not be opened: ${decoded.message}`)
    return
  }
  store.getState().openDocument(newDocumentId(), decoded.doc)
  store.getState().notify('info', sharedNotice(decoded.doc.name))
})

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StudioContext.Provider value={store}>
      <App />
    </StudioContext.Provider>
  </StrictMode>,
)
