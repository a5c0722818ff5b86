import { templates } from '@tensorloom/graph'
import { act } from 'react'
import { describe, expect, it, vi } from 'vitest'
import { createStudioStore } from '../store/createStudioStore'
import type { PackageRequest } from '../worker/protocol'
import type { TrainerPort } from '../worker/trainerClient'
import { ExportPackageDialog } from './ExportPackageDialog'
import { mount } from './mountForTest'

function render() {
  const requests: PackageRequest[] = []
  const trainer = {
    subscribe: () => () => {},
    exportPackage: async (request: PackageRequest) => {
      requests.push(request)
      return {
        type: 'package' as const,
        requestId: 1,
        bytes: new Uint8Array([31, 139]),
        fileName: `${request.name}-${request.version}.tgz`,
      }
    },
  } as unknown as TrainerPort
  const store = createStudioStore({ initialDoc: structuredClone(templates.lesson), trainer })
  const container = mount(<ExportPackageDialog onClose={() => {}} />, store)
  const input = (testId: string) =>
    container.querySelector<HTMLInputElement>(`[data-testid="${testId}"]`)!
  const type = (testId: string, text: string) => {
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!
    act(() => {
      setValue.call(input(testId), text)
      input(testId).dispatchEvent(new Event('input', { bubbles: true }))
    })
  }
  const errors = () =>
    [...container.querySelectorAll('[data-testid="package-error"]')].map((e) => e.textContent)
  const button = () =>
    container.querySelector<HTMLButtonElement>('[data-testid="package-download"]')!
  return { store, container, input, type, errors, button, requests }
}

describe('Export as npm package', () => {
  it("proposes the graph's name, and checks names and versions as npm does", () => {
    const { input, type, errors, button } = render()
    expect(input('package-name').value).toBe('mnist-lesson')
    expect(errors()).toEqual([])
    expect(button().disabled).toBe(false)
    type('package-name', 'My Digits')
    expect(errors()).toEqual([
      'name can no longer contain capital letters; name can only contain URL-friendly characters',
    ])
    expect(button().disabled).toBe(true)
    type('package-name', '@me/digits')
    type('package-version', '1.0')
    expect(errors()).toEqual(['use semver, e.g. 1.0.0'])
    expect(button().disabled).toBe(true)
    type('package-version', '2.1.0')
    expect(errors()).toEqual([])
  })

  it('asks the worker for the package and downloads it, then says how to publish it', async () => {
    const { type, button, requests, container } = render()
    const created = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:x')
    type('package-name', 'digits')
    await act(async () => button().click())
    expect(requests).toEqual([
      { name: 'digits', version: '1.0.0', license: 'MIT', description: '', training: {} },
    ])
    expect(created).toHaveBeenCalledOnce()
    expect(container.querySelector('[data-testid="package-saved"]')?.textContent).toContain(
      'npm publish digits-1.0.0.tgz',
    )
    created.mockRestore()
  })
})
