import type { GraphDocument } from '@tensorloom/graph'
import { createStore } from 'zustand/vanilla'
import type { BackendName } from '../worker/protocol'
import { createGraphSlice } from './graphSlice'
import type { ResultsSummary } from './trainingSlice'
import { createTrainingSlice } from './trainingSlice'
import type { StudioDeps, StudioState } from './types'
import { createUiSlice } from './uiSlice'

export interface StudioStoreOptions extends StudioDeps {
  initialDoc: GraphDocument
  maxSteps?: number | null
  preferredBackend?: BackendName | null
  /** The last finished run's numbers, restored from storage. */
  lastRun?: ResultsSummary | null
}

/**
 * The one studio store, built from the graph, training and UI slices. It is a vanilla zustand store:
 * tests drive it with `store.getState().addNode(...)`; React reads it through `useStudio`.
 */
export function createStudioStore(options: StudioStoreOptions) {
  const { initialDoc, maxSteps = null, preferredBackend = null, lastRun = null, ...deps } = options
  const store = createStore<StudioState>()((...a) => ({
    ...createGraphSlice(initialDoc, deps)(...a),
    ...createTrainingSlice(deps, { maxSteps, preferredBackend, lastRun })(...a),
    ...createUiSlice(...a),
  }))
  deps.trainer?.subscribe((message) => store.getState().receive(message))
  return store
}

export type StudioStore = ReturnType<typeof createStudioStore>
