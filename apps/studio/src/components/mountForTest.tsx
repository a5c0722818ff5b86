// For the component tests (jsdom): mounts an element in the document with act(), and unmounts it
// when the test finishes.
import { act, type ReactNode } from 'react'
import { createRoot } from 'react-dom/client'
import { onTestFinished } from 'vitest'
import type { StudioStore } from '../store/createStudioStore'
import { StudioContext } from '../store/useStudio'

/**
 * Mounts `element` (inside `store`'s context when one is given) in a new container of the
 * document, driving React through act(); it is unmounted and the document emptied when the test
 * finishes. Call it inside a test.
 */
export function mount(element: ReactNode, store?: StudioStore): HTMLElement {
  ;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true
  const container = document.createElement('div')
  document.body.append(container)
  const root = createRoot(container)
  act(() =>
    root.render(
      store ? <StudioContext.Provider value={store}>{element}</StudioContext.Provider> : element,
    ),
  )
  onTestFinished(() => {
    act(() => root.unmount())
    document.body.innerHTML = ''
  })
  return container
}
