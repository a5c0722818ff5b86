import type { GraphDocument } from '@tensorloom/graph'
import { safeParseGraph, templates } from '@tensorloom/graph'
import { withAutoLayout } from '../lib/autoLayout'
import { decodeGraph, sharedGraphFromHash } from '../lib/share'
import type { StudioStore } from './createStudioStore'
import type { ResultsSummary } from './trainingSlice'

/** localStorage key of the autosaved graph. */
export const AUTOSAVE_KEY = 'tensorloom.studio.graph'

/** Where the opening graph came from, and why an earlier source was skipped. */
export interface InitialGraph {
  doc: GraphDocument
  source: 'link' | 'autosave' | 'template'
  problem: string | null
}

/** A shared link wins over the autosave, which wins over the lesson template. */
export function loadInitialGraph(storage: Storage | null, hash: string): InitialGraph {
  let problem: string | null = null
  const shared = sharedGraphFromHash(hash)
  if (shared) {
    const decoded = decodeGraph(shared)
    if (decoded.ok) return { doc: decoded.doc, source: 'link', problem: null }
    problem = `The shared link could not be opened: ${decoded.message}`
  }
  const saved = readStorage(storage)
  if (saved) {
    const parsed = safeParseGraph(saved)
    if (parsed.ok) return { doc: parsed.doc, source: 'autosave', problem }
    problem ??= `The autosaved graph could not be restored: ${parsed.error.message}`
  }
  return { doc: withAutoLayout(structuredClone(templates.lesson)), source: 'template', problem }
}

function readStorage(storage: Storage | null): string | null {
  try {
    return storage?.getItem(AUTOSAVE_KEY) ?? null
  } catch {
    return null
  }
}

/** Writes the graph to storage on every change. Returns the unsubscribe function. */
export function autosave(store: StudioStore, storage: Storage): () => void {
  const save = (doc: GraphDocument) => {
    try {
      storage.setItem(AUTOSAVE_KEY, JSON.stringify(doc))
    } catch {
      store.getState().notify('error', 'Autosave failed: the browser storage is full or blocked.')
    }
  }
  save(store.getState().doc)
  return store.subscribe((state, previous) => {
    if (state.doc !== previous.doc) save(state.doc)
  })
}

/** localStorage key of the last finished run's results summary. */
export const LAST_RUN_KEY = 'tensorloom.studio.lastRun'

function isMatrix(value: unknown): value is number[][] {
  return (
    Array.isArray(value) &&
    value.length <= 1000 &&
    value.every(
      (row) => Array.isArray(row) && row.every((v) => typeof v === 'number' && Number.isFinite(v)),
    )
  )
}

/** The saved summary of the last finished run, or null when there is none or it is unreadable. */
export function loadLastRun(storage: Storage | null): ResultsSummary | null {
  let text: string | null
  try {
    text = storage?.getItem(LAST_RUN_KEY) ?? null
  } catch {
    return null
  }
  if (!text) return null
  try {
    const v = JSON.parse(text) as Partial<ResultsSummary> | null
    if (
      !v ||
      typeof v.testAccuracy !== 'number' ||
      !Number.isFinite(v.testAccuracy) ||
      typeof v.testLoss !== 'number' ||
      typeof v.steps !== 'number' ||
      typeof v.graphName !== 'string' ||
      typeof v.finishedAt !== 'string' ||
      !['completed', 'stopped', 'maxSteps', 'diverged'].includes(String(v.finishReason)) ||
      !isMatrix(v.confusion)
    ) {
      return null
    }
    return {
      testAccuracy: v.testAccuracy,
      testLoss: v.testLoss,
      confusion: v.confusion,
      finishReason: v.finishReason as ResultsSummary['finishReason'],
      steps: v.steps,
      backend:
        v.backend === 'webgl' || v.backend === 'wasm' || v.backend === 'cpu' ? v.backend : null,
      graphName: v.graphName,
      finishedAt: v.finishedAt,
    }
  } catch {
    return null
  }
}

/** Saves the summary of every finished run, so a reload still shows it. Returns the unsubscribe. */
export function persistLastRun(store: StudioStore, storage: Storage): () => void {
  return store.subscribe((state, previous) => {
    if (state.lastRun === previous.lastRun || !state.lastRun) return
    try {
      storage.setItem(LAST_RUN_KEY, JSON.stringify(state.lastRun))
    } catch {
      // Not worth a notice: the results are still on screen.
    }
  })
}
