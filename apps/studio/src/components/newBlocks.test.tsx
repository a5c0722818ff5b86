// The blocks added to @tensorloom/graph reach the studio through their definitions alone: the
// palette lists them in their categories, and the inspector edits their parameters (LayerNorm's
// normalized_shape is a list of integers).
import { nodeSpecs, templates } from '@tensorloom/graph'
import { ReactFlowProvider } from '@xyflow/react'
import { act } from 'react'
import { describe, expect, it } from 'vitest'
import { createStudioStore } from '../store/createStudioStore'
import { StudioContext } from '../store/useStudio'
import { mount } from './mountForTest'
import { Palette } from './Palette'
import { ParamField } from './ParamField'

describe('the added blocks in the studio', () => {
  it('are in the palette, in their categories and order', () => {
    const store = createStudioStore({ initialDoc: structuredClone(templates.lesson) })
    const container = mount(
      <StudioContext.Provider value={store}>
        <ReactFlowProvider>
          <Palette />
        </ReactFlowProvider>
      </StudioContext.Provider>,
    )
    const section = (title: string) =>
      [...container.querySelectorAll('.palette-category')]
        .find((s) => s.querySelector('h2')?.textContent === title)!
        .querySelectorAll('[data-testid^="palette-"]')
    const names = (title: string) =>
      [...section(title)].map((b) => b.getAttribute('data-testid')!.slice('palette-'.length))
    expect(names('Layers').slice(-7)).toEqual([
      'BatchNorm1d',
      'BatchNorm2d',
      'LayerNorm',
      'AvgPool2d',
      'AdaptiveAvgPool2d',
      'Dropout2d',
      'Identity',
    ])
    expect(names('Activations').slice(0, 5)).toEqual(['ReLU', 'LeakyReLU', 'ELU', 'GELU', 'SiLU'])
  })

  it("edits LayerNorm's normalized_shape as a list of integers", () => {
    const spec = nodeSpecs.LayerNorm.params.find((p) => p.name === 'normalizedShape')!
    const commits: unknown[] = []
    const store = createStudioStore({ initialDoc: structuredClone(templates.lesson) })
    const container = mount(
      <StudioContext.Provider value={store}>
        <ParamField
          nodeId="n1"
          nodeType="LayerNorm"
          spec={spec}
          value={[128]}
          defaultValue={[128]}
          onCommit={(value) => {
            commits.push(value)
            return null
          }}
        />
      </StudioContext.Provider>,
    )
    const input = container.querySelector<HTMLInputElement>('input')!
    expect(input.value).toBe('128')
    const type = (text: string) => {
      const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!
      act(() => {
        setValue.call(input, text)
        input.dispatchEvent(new Event('input', { bubbles: true }))
        input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
      })
      return container.querySelector('[data-testid="field-error"]')?.textContent ?? null
    }
    expect(type('16, 7, 7')).toBeNull()
    expect(type('2.5')).toBe(
      'LayerNorm: normalized_shape must be a list of 1 to 4 integers, each from 1 to 100000, but got 2.5',
    )
    expect(commits).toEqual([[16, 7, 7]])
    // While it is typed, a value is checked but not applied: only Enter (or leaving) applies it.
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!
    act(() => {
      setValue.call(input, '4')
      input.dispatchEvent(new Event('input', { bubbles: true }))
    })
    expect(commits).toEqual([[16, 7, 7]])
    expect(store.getState().fieldErrors).toEqual({})
    act(() => {
      setValue.call(input, '4.5')
      input.dispatchEvent(new Event('input', { bubbles: true }))
    })
    expect(Object.values(store.getState().fieldErrors)[0]?.label).toBe('LayerNorm normalized_shape')
  })
})
