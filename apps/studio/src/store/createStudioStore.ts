import type { GraphDocument } from '@tensorloom/graph'
import { createStore } from 'zustand/vanilla'
import type { BackendChoiceName, FromWorker } from '../worker/protocol'
import { attachDataIssues } from './dataIssues'
import { createDataSlice } from './dataSlice'
import { createGraphSlice } from './graphSlice'
import { newDocumentId } from './persistence'
import type { ResultsSummary } from './trainingSlice'
import { createTrainingSlice } from './trainingSlice'
import type { StudioDeps, StudioState } from './types'
import { createUiSlice } from './uiSlice'

export interface StudioStoreOptions extends StudioDeps {
  initialDoc: GraphDocument
  /** The id the document is saved under (default: a new one). */
  docId?: string
  /** Undo and redo steps restored with the document (after a reload). */
  history?: { past: GraphDocument[]; future: GraphDocument[] }
  maxSteps?: number | null
  /** The backend to train on (default `auto`: the fastest, timed). */
  backendChoice?: BackendChoiceName
  /** Test hook passed to every run: lose the WebGL context after this many batches. */
  loseWebGLContextAt?: number | null
  /** The last finished run's numbers, restored from storage. */
  lastRun?: ResultsSummary | null
}

/**
 * The one studio store, built from the graph, training and UI slices. It is a vanilla zustand store:
 * tests drive it with `store.getState().addNode(...)`; React reads it through `useStudio`.
 */
export function createStudioStore(options: StudioStoreOptions) {
  const {
    initialDoc,
    docId = newDocumentId(),
    history,
    maxSteps = null,
    backendChoice = 'auto',
    lastRun = null,
    loseWebGLContextAt = null,
    ...deps
  } = options
  const store = createStore<StudioState>()((...a) => ({
    ...createGraphSlice({ doc: initialDoc, docId, ...history }, deps)(...a),
    ...createTrainingSlice(deps, { maxSteps, backendChoice, lastRun, loseWebGLContextAt })(...a),
    ...createUiSlice(...a),
    ...createDataSlice(deps)(...a),
  }))
  attachDataIssues(store)
  const { schedule } = deps
  const pending: FromWorker[] = []
  const fold = (message: FromWorker) => {
    store.getState().receive(message)
    store.getState().receiveData(message)
  }
  deps.trainer?.subscribe((message) => {
    if (!schedule) return fold(message)
    pending.push(message)
    if (pending.length === 1) {
      schedule(() => {
        for (const queued of pending.splice(0)) fold(queued)
      })
    }
  })
  return store
}

export type StudioStore = ReturnType<typeof createStudioStore>
