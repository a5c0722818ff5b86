import { createContext, useContext } from 'react'
import { useStore } from 'zustand'
import type { StudioStore } from './createStudioStore'
import type { StudioState } from './types'

export const StudioContext = createContext<StudioStore | null>(null)

/** The store itself, for event handlers that read state at call time. */
export function useStudioStore(): StudioStore {
  const store = useContext(StudioContext)
  if (!store) throw new Error('useStudio must be used inside <StudioContext.Provider>.')
  return store
}

/** Selects a slice of studio state; re-renders only when the selection changes. */
export function useStudio<T>(selector: (state: StudioState) => T): T {
  return useStore(useStudioStore(), selector)
}
