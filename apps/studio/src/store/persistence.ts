import type { GraphDocument } from '@tensorloom/graph'
import { safeParseGraph, templates } from '@tensorloom/graph'
import { withAutoLayout } from '../lib/autoLayout'
import { decodeGraph, sharedGraphFromHash } from '../lib/share'
import type { StudioStore } from './createStudioStore'

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
