import type { ShapeInference } from '@tensorloom/graph'
import { dataIssues } from '../data/dataIssues'
import type { StudioStore } from './createStudioStore'

/**
 * Keeps the data issues (data missing from this browser, a failed download, unbalanced or too
 * few samples: see data/dataIssues.ts) in `inference.issues` beside the shape issues, so the
 * canvas, the inspector, the header's count and the Train button all see them. Shape inference
 * stays the graph package's; its result is extended whenever it, the kept datasets or a download
 * change.
 */
export function attachDataIssues(store: StudioStore): void {
  const extended = new WeakMap<ShapeInference, ShapeInference>()
  let applying = false
  const apply = () => {
    const s = store.getState()
    const base = extended.get(s.inference) ?? s.inference
    const issues = dataIssues(
      s.doc,
      {
        localData: s.localData,
        dataListed: s.dataListed,
        fetched: s.fetched,
        config: s.datasetConfig,
      },
      base,
    )
    const next = issues.length === 0 ? base : { ...base, issues: [...base.issues, ...issues] }
    if (next === s.inference) return
    if (next !== base) extended.set(next, base)
    applying = true
    try {
      store.setState({ inference: next })
    } finally {
      applying = false
    }
  }
  apply()
  // The run's error notice belongs to the graph it was about: a new graph (a template, an import,
  // an edit) takes it away, with the Train panel's copy of it.
  let runNotice: number | null = null
  store.subscribe((state, previous) => {
    if (applying) return
    if (
      state.notice !== previous.notice &&
      state.notice?.kind === 'error' &&
      state.run.status === 'failed' &&
      state.notice.text === state.run.error
    ) {
      runNotice = state.notice.id
    }
    if (state.run.status === 'starting' && previous.run.status !== 'starting') {
      store.setState({ boundary: { points: null, picture: null } })
    }
    if (state.doc !== previous.doc && runNotice !== null) {
      if (state.notice?.id === runNotice) state.dismissNotice()
      if (state.run.status === 'failed') store.setState({ run: { ...state.run, error: null } })
      runNotice = null
    }
    if (
      (state.inference !== previous.inference && !extended.has(state.inference)) ||
      state.localData !== previous.localData ||
      state.fetched !== previous.fetched ||
      state.dataListed !== previous.dataListed
    ) {
      apply()
    }
  })
}
