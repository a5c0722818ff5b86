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

export interface UiSlice {
  selection: { nodes: string[]; edges: string[] }
  clipboard: Clip | null
  panel: Panel
  notice: Notice | null
  /** Bumped when the canvas should fit the whole graph into view. */
  fitRequest: number
  requestFit(): void
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
