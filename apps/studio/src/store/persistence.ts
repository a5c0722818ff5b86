import type { GraphDocument } from '@tensorloom/graph'
import { safeParseGraph, templates } from '@tensorloom/graph'
import { withAutoLayout } from '../lib/autoLayout'
import { decodeGraph, sharedGraphFromHash } from '../lib/share'
import type { BackendChoiceName } from '../worker/protocol'
import type { StudioStore } from './createStudioStore'
import type { ResultsSummary } from './trainingSlice'

/**
 * Where the studio keeps its work. Several documents live side by side in localStorage, so two tabs
 * never overwrite each other's graph, and each tab remembers (in sessionStorage, which a reload
 * keeps) which document it has open and its undo history:
 *
 * - `tensorloom.studio.documents`: the list of documents, most recently changed first;
 * - `tensorloom.studio.document.<id>`: one document;
 * - session `tensorloom.studio.current`: the id of the tab's document;
 * - session `tensorloom.studio.history.<id>`: its undo and redo steps.
 */
export const DOCUMENTS_KEY = 'tensorloom.studio.documents'
export const documentKey = (id: string) => `tensorloom.studio.document.${id}`
export const CURRENT_KEY = 'tensorloom.studio.current'
export const historyKey = (id: string) => `tensorloom.studio.history.${id}`
/** Where a single autosaved graph was kept before documents; read once and moved. */
export const LEGACY_AUTOSAVE_KEY = 'tensorloom.studio.graph'
/** localStorage key of the backend choice (auto, webgl, wasm, cpu). */
export const BACKEND_KEY = 'tensorloom.studio.backend'

/** How many documents the recent list keeps (the oldest beyond this are removed). */
export const MAX_DOCUMENTS = 30
/** Undo steps kept across a reload (of HISTORY_LIMIT in memory). */
export const SAVED_HISTORY = 40

/** One entry of the recent-documents list. */
export interface DocumentEntry {
  id: string
  name: string
  /** ISO time of the last change. */
  updatedAt: string
}

/** What a tab opens with, and why an earlier source was skipped. */
export interface InitialGraph {
  id: string
  doc: GraphDocument
  past: GraphDocument[]
  future: GraphDocument[]
  source: 'link' | 'session' | 'recent' | 'template'
  problem: string | null
}

function read(storage: Storage | null, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null
  } catch {
    return null
  }
}

function write(storage: Storage, key: string, value: string): boolean {
  try {
    storage.setItem(key, value)
    return true
  } catch {
    return false
  }
}

/** A fresh document id. */
export function newDocumentId(): string {
  return `d${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`
}

/** The recent-documents list (empty when there is none or it is unreadable). */
export function listDocuments(storage: Storage | null): DocumentEntry[] {
  const text = read(storage, DOCUMENTS_KEY)
  if (!text) return []
  try {
    const value = JSON.parse(text) as unknown
    if (!Array.isArray(value)) return []
    return value.filter(
      (e): e is DocumentEntry =>
        typeof e === 'object' &&
        e !== null &&
        typeof e.id === 'string' &&
        /^[a-z0-9]{1,40}$/.test(e.id) &&
        typeof e.name === 'string' &&
        typeof e.updatedAt === 'string',
    )
  } catch {
    return []
  }
}

/** A stored document, validated; null when it is missing or damaged. */
export function readDocument(
  storage: Storage | null,
  id: string,
): { doc: GraphDocument } | { problem: string } | null {
  const text = read(storage, documentKey(id))
  if (!text) return null
  const parsed = safeParseGraph(text)
  return parsed.ok ? { doc: parsed.doc } : { problem: parsed.error.message }
}

/**
 * Saves `doc` as document `id` and puts it first in the recent list; returns false when the
 * storage is full or blocked. Documents beyond MAX_DOCUMENTS are removed, oldest first.
 */
export function saveDocument(storage: Storage, id: string, doc: GraphDocument): boolean {
  if (!write(storage, documentKey(id), JSON.stringify(doc))) return false
  const entry: DocumentEntry = { id, name: doc.name, updatedAt: new Date().toISOString() }
  const list = [entry, ...listDocuments(storage).filter((e) => e.id !== id)]
  for (const old of list.slice(MAX_DOCUMENTS)) {
    try {
      storage.removeItem(documentKey(old.id))
    } catch {
      // Nothing to do: it goes from the list anyway.
    }
  }
  return write(storage, DOCUMENTS_KEY, JSON.stringify(list.slice(0, MAX_DOCUMENTS)))
}

/** Removes a document and its entry. */
export function removeDocument(storage: Storage, id: string): void {
  try {
    storage.removeItem(documentKey(id))
  } catch {
    // Gone or not, it leaves the list.
  }
  write(storage, DOCUMENTS_KEY, JSON.stringify(listDocuments(storage).filter((e) => e.id !== id)))
}

/** The saved undo history of document `id` in this tab (empty when none or unreadable). */
export function readHistory(
  session: Storage | null,
  id: string,
): { past: GraphDocument[]; future: GraphDocument[] } {
  const text = read(session, historyKey(id))
  const empty = { past: [], future: [] }
  if (!text) return empty
  try {
    const value = JSON.parse(text) as { past?: unknown; future?: unknown }
    const docs = (list: unknown) => {
      if (!Array.isArray(list)) return []
      const out: GraphDocument[] = []
      for (const item of list) {
        const parsed = safeParseGraph(JSON.stringify(item))
        if (!parsed.ok) return []
        out.push(parsed.doc)
      }
      return out
    }
    return { past: docs(value.past), future: docs(value.future) }
  } catch {
    return empty
  }
}

/** Saves the undo history of document `id` (the latest SAVED_HISTORY steps, fewer if full). */
export function saveHistory(
  session: Storage,
  id: string,
  past: readonly GraphDocument[],
  future: readonly GraphDocument[],
): void {
  for (let keep = SAVED_HISTORY; keep > 0; keep = Math.floor(keep / 2)) {
    const text = JSON.stringify({ past: past.slice(-keep), future: future.slice(0, keep) })
    if (write(session, historyKey(id), text)) return
  }
  write(session, historyKey(id), JSON.stringify({ past: [], future: [] }))
}

/**
 * Moves the single autosaved graph of earlier versions into the documents, once; says why when
 * it cannot be restored (it is removed either way: it would fail the same way every time).
 */
function migrateLegacy(storage: Storage | null): string | null {
  if (!storage) return null
  const legacy = read(storage, LEGACY_AUTOSAVE_KEY)
  if (!legacy) return null
  let problem: string | null = null
  if (listDocuments(storage).length === 0) {
    const parsed = safeParseGraph(legacy)
    if (parsed.ok) saveDocument(storage, newDocumentId(), parsed.doc)
    else
      problem = `The graph saved by an earlier version could not be restored: ${parsed.error.message}`
  }
  try {
    storage.removeItem(LEGACY_AUTOSAVE_KEY)
  } catch {
    // Read again next time: harmless.
  }
  return problem
}

/**
 * What a tab opens: a shared link as a new document (it never replaces one); else, on a reload,
 * the tab's own document with its undo history; else the most recently changed document; else
 * the lesson, as a new document.
 */
export function loadInitialGraph(
  storage: Storage | null,
  session: Storage | null,
  hash: string,
): InitialGraph {
  let problem = migrateLegacy(storage)
  const shared = sharedGraphFromHash(hash)
  if (shared) {
    const decoded = decodeGraph(shared)
    if (decoded.ok) {
      return {
        id: newDocumentId(),
        doc: decoded.doc,
        past: [],
        future: [],
        source: 'link',
        problem,
      }
    }
    problem = `The shared link could not be opened: ${decoded.message}`
  }
  const current = read(session, CURRENT_KEY)
  if (current) {
    const saved = readDocument(storage, current)
    if (saved && 'doc' in saved) {
      return {
        id: current,
        doc: saved.doc,
        ...readHistory(session, current),
        source: 'session',
        problem,
      }
    }
    if (saved) problem ??= `The graph of this tab could not be restored: ${saved.problem}`
  }
  for (const entry of listDocuments(storage)) {
    const saved = readDocument(storage, entry.id)
    if (saved && 'doc' in saved) {
      return { id: entry.id, doc: saved.doc, past: [], future: [], source: 'recent', problem }
    }
    if (saved) problem ??= `The autosaved graph could not be restored: ${saved.problem}`
  }
  return {
    id: newDocumentId(),
    doc: withAutoLayout(structuredClone(templates.lesson)),
    past: [],
    future: [],
    source: 'template',
    problem,
  }
}

/** How often (ms) the undo history is written while edits go on. */
const HISTORY_DELAY = 400

/**
 * Keeps the store's document saved: every change of the document is written at once (and the
 * recent list updated), the undo history shortly after and when the page goes away. A change of
 * the document by another tab is taken over. Returns the function that stops it all.
 */
export function autosave(
  store: StudioStore,
  storage: Storage,
  session: Storage | null,
  target: Pick<Window, 'addEventListener' | 'removeEventListener'> | null = null,
): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null
  const saveDoc = () => {
    const { docId, doc } = store.getState()
    if (!saveDocument(storage, docId, doc)) {
      store.getState().notify('error', 'Autosave failed: the browser storage is full or blocked.')
    }
    if (session) write(session, CURRENT_KEY, docId)
  }
  const flushHistory = () => {
    if (timer !== null) clearTimeout(timer)
    timer = null
    if (!session) return
    const { docId, past, future } = store.getState()
    saveHistory(session, docId, past, future)
  }
  saveDoc()
  flushHistory()
  const unsubscribe = store.subscribe((state, previous) => {
    if (state.doc !== previous.doc || state.docId !== previous.docId) saveDoc()
    if (state.past !== previous.past || state.future !== previous.future) {
      if (state.docId !== previous.docId) flushHistory()
      else if (timer === null) timer = setTimeout(flushHistory, HISTORY_DELAY)
    }
  })
  // Another tab saved our document: take its version over (as one undoable step).
  const onStorage = (event: StorageEvent) => {
    const { docId, doc } = store.getState()
    if (event.key !== documentKey(docId) || event.newValue === null) return
    if (event.newValue === JSON.stringify(doc)) return
    const parsed = safeParseGraph(event.newValue)
    if (!parsed.ok) return
    store.getState().commit(parsed.doc)
    store
      .getState()
      .notify('info', `“${parsed.doc.name}” was changed in another tab: showing that version.`)
  }
  const onHide = () => flushHistory()
  target?.addEventListener('storage', onStorage as EventListener)
  target?.addEventListener('pagehide', onHide)
  return () => {
    flushHistory()
    unsubscribe()
    target?.removeEventListener('storage', onStorage as EventListener)
    target?.removeEventListener('pagehide', onHide)
  }
}

/** localStorage key set once the guided tour was finished or skipped. */
export const TOUR_KEY = 'tensorloom.studio.tour'

/** Whether the guided tour was finished or skipped in this browser. */
export function loadTourDone(storage: Storage | null): boolean {
  return read(storage, TOUR_KEY) === 'done'
}

/** Remembers that the tour was finished or skipped. */
export function persistTour(store: StudioStore, storage: Storage): () => void {
  return store.subscribe((state, previous) => {
    if (state.tourDone && !previous.tourDone) write(storage, TOUR_KEY, 'done')
  })
}

/** The saved backend choice, or null. */
export function loadBackendChoice(storage: Storage | null): BackendChoiceName | null {
  const value = read(storage, BACKEND_KEY)
  return value === 'auto' || value === 'webgl' || value === 'wasm' || value === 'cpu' ? value : null
}

/** Saves the backend choice whenever it changes. */
export function persistBackendChoice(store: StudioStore, storage: Storage): () => void {
  return store.subscribe((state, previous) => {
    if (state.backendChoice !== previous.backendChoice)
      write(storage, BACKEND_KEY, state.backendChoice)
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
