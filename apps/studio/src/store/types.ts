import type { StateCreator } from 'zustand/vanilla'
import type { TrainerPort } from '../worker/trainerClient'
import type { DataSlice } from './dataSlice'
import type { GraphSlice } from './graphSlice'
import type { TrainingSlice } from './trainingSlice'
import type { UiSlice } from './uiSlice'

/** The whole studio state: the graph being edited, the training run, and the UI around them. */
export type StudioState = GraphSlice & TrainingSlice & UiSlice & DataSlice

/** What the store needs from the outside world, injected so tests can replace it. */
export interface StudioDeps {
  /** The trainer worker's handle; absent in tests that don't train. */
  trainer?: TrainerPort
  /** A clock for coalescing edits into one undo step. */
  now?: () => number
  /**
   * Defers folding the worker's messages into the store, e.g. to the next animation frame, so a
   * burst of messages costs one render; the messages are then folded in order. Absent: at once.
   */
  schedule?: (flush: () => void) => void
}

export type SliceCreator<T> = StateCreator<StudioState, [], [], T>
