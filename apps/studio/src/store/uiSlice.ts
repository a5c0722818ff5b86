import type { Clip } from '@tensorloom/graph'
import type { SliceCreator } from './types'

/** The panels of the right-hand side bar. */
export type Panel = 'block' | 'train' | 'results' | 'draw'

/** A short message shown at the bottom of the screen. */
export interface Notice {
  id: number
  kind: 'error' | 'info' | 'success'
  text: string
}

/** A field whose text is not a valid value (see useFieldText): its label and the problem. */
export interface FieldProblem {
  label: string
  message: string
}

/** Where the quick-add picker opened: a point of the canvas (flow coordinates) and of the screen. */
export interface QuickAddAt {
  flow: { x: number; y: number } | null
  screen: { x: number; y: number } | null
}

export interface UiSlice {
  selection: { nodes: string[]; edges: string[] }
  clipboard: Clip | null
  panel: Panel
  notice: Notice | null
  /** Bumped when the canvas should fit the whole graph into view. */
  fitRequest: number
  requestFit(): void
  /** The block the canvas should pan and zoom to (an error badge or card was clicked). */
  focusRequest: { nodeId: string; n: number; zoom: boolean } | null
  /** Selects a block and brings it into view (zoomed to a readable size unless `zoom` is false). */
  focusNode(nodeId: string, options?: { zoom?: boolean }): void
  /** Fields whose text is not a valid value, by field key; Start training waits for them. */
  fieldErrors: Record<string, FieldProblem>
  setFieldError(key: string, problem: FieldProblem | null): void
  /** The quick-add block picker, when open. */
  quickAdd: QuickAddAt | null
  openQuickAdd(at?: Partial<QuickAddAt>): void
  closeQuickAdd(): void
  /** The guided tour's step, or null when it is not shown. */
  tour: number | null
  setTour(step: number): void
  /** Ends the tour (skipped or finished); persistence remembers it. */
  endTour(): void
  /** Set once the tour was finished or skipped. */
  tourDone: boolean
  /** On a narrow screen: the drawer that is open over the canvas, if any. */
  drawer: 'palette' | 'side' | null
  setDrawer(drawer: 'palette' | 'side' | null): void
  setSelection(nodes: string[], edges: string[]): void
  setPanel(panel: Panel): void
  notify(kind: Notice['kind'], text: string): void
  dismissNotice(): void
}

let noticeId = 0

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id))
}

export const createUiSlice: SliceCreator<UiSlice> = (set) => ({
  selection: { nodes: [], edges: [] },
  clipboard: null,
  panel: 'block',
  notice: null,
  fitRequest: 0,
  requestFit: () => set((s) => ({ fitRequest: s.fitRequest + 1 })),
  focusRequest: null,
  focusNode: (nodeId, options = {}) =>
    set((s) => ({
      focusRequest: { nodeId, n: (s.focusRequest?.n ?? 0) + 1, zoom: options.zoom ?? true },
      selection: { nodes: [nodeId], edges: [] },
    })),
  fieldErrors: {},
  setFieldError: (key, problem) =>
    set((s) => {
      const current = s.fieldErrors[key]
      if (problem === null) {
        if (!current) return s
        const { [key]: _gone, ...rest } = s.fieldErrors
        return { fieldErrors: rest }
      }
      if (current && current.label === problem.label && current.message === problem.message) {
        return s
      }
      return { fieldErrors: { ...s.fieldErrors, [key]: problem } }
    }),
  quickAdd: null,
  openQuickAdd: (at = {}) =>
    set({ quickAdd: { flow: at.flow ?? null, screen: at.screen ?? null } }),
  closeQuickAdd: () => set({ quickAdd: null }),
  drawer: null,
  setDrawer: (drawer) => set({ drawer }),
  tour: null,
  setTour: (tour) => set({ tour }),
  endTour: () => set({ tour: null, tourDone: true }),
  tourDone: false,
  setSelection: (nodes, edges) =>
    set((s) =>
      sameIds(s.selection.nodes, nodes) && sameIds(s.selection.edges, edges)
        ? s
        : { selection: { nodes, edges } },
    ),
  setPanel: (panel) => set({ panel }),
  notify: (kind, text) => set({ notice: { id: ++noticeId, kind, text } }),
  dismissNotice: () => set({ notice: null }),
})
