import { templates, validateTrainingSetting } from '@tensorloom/graph'
import { act } from 'react'
import { describe, expect, it } from 'vitest'
import { createStudioStore } from '../store/createStudioStore'
import { mount } from './mountForTest'
import { TrainingPanel } from './TrainingPanel'

function renderPanel() {
  const store = createStudioStore({ initialDoc: structuredClone(templates.lesson) })
  const container = mount(<TrainingPanel />, store)
  /** Types `text` into a setting's box as a user would; returns the error shown, or null. */
  const type = (name: string, text: string): string | null => {
    const input = container.querySelector<HTMLInputElement>(`#setting-${name}`)!
    // React tracks the value it set: go through the native setter so the change is seen.
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!
    act(() => {
      setValue.call(input, text)
      input.dispatchEvent(new Event('input', { bubbles: true }))
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    })
    const error = input.closest('.field')!.querySelector('[data-testid="field-error"]')
    return error ? error.textContent : null
  }
  return { store, type, container }
}

describe('the training panel', () => {
  it('accepts what the document validation accepts: 1000 epochs, seed 2^32 - 1', () => {
    const { store, type } = renderPanel()
    expect(type('epochs', '1000')).toBeNull()
    expect(type('seed', String(2 ** 32 - 1))).toBeNull()
    expect(store.getState().doc.training).toMatchObject({ epochs: 1000, seed: 2 ** 32 - 1 })
  })

  it("refuses 1001 epochs and seed 2^32 with graph's message, keeping the last valid value", () => {
    const { store, type } = renderPanel()
    const before = store.getState().doc.training
    expect(type('epochs', '1001')).toBe('epochs must be an integer from 1 to 1000, but got 1001')
    expect(type('seed', String(2 ** 32))).toBe(validateTrainingSetting('seed', 2 ** 32))
    expect(type('seed', String(2 ** 32))).toBe(
      'seed must be an integer from 0 to 4294967295, but got 4294967296',
    )
    expect(store.getState().doc.training).toEqual(before)
  })

  it('applies a number only when it is complete: 1e309 never applies 1e3 on the way', () => {
    const { store, container } = renderPanel()
    const input = container.querySelector<HTMLInputElement>('#setting-epochs')!
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!
    for (const text of ['1', '1e', '1e3', '1e30', '1e309']) {
      act(() => {
        setValue.call(input, text)
        input.dispatchEvent(new Event('input', { bubbles: true }))
      })
    }
    expect(store.getState().doc.training.epochs).toBe(1)
    const start = container.querySelector<HTMLButtonElement>('[data-testid="train-start"]')!
    expect(start.disabled).toBe(true)
    expect(container.querySelector('[data-testid="start-blocked"]')?.textContent).toMatch(
      /^Epochs: epochs must be an integer from 1 to 1000/,
    )
    act(() => {
      setValue.call(input, '3')
      input.dispatchEvent(new Event('input', { bubbles: true }))
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    })
    expect(store.getState().doc.training.epochs).toBe(3)
    expect(start.disabled).toBe(false)
  })
})
