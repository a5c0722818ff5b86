import type { Locator, Page } from '@playwright/test'
import { edgeShape, expect, openFresh, test } from './fixtures'

/** Presses Tab until `target` has the focus (at most `limit` times). */
async function tabTo(page: Page, target: Locator, limit = 200) {
  for (let i = 0; i < limit; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return
    await page.keyboard.press('Tab')
  }
  throw new Error(`Tab never reached ${target}`)
}

/** The focused element shows it: an outline on it (or, for a block, on the block inside). */
async function expectVisibleFocus(page: Page) {
  const outline = await page.evaluate(() => {
    const active = document.activeElement as HTMLElement | null
    if (!active || active === document.body) return 'nothing focused'
    const shown = active.classList.contains('react-flow__node')
      ? (active.querySelector('.block') as HTMLElement)
      : active
    const style = getComputedStyle(shown)
    return style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 2
      ? 'visible'
      : `no outline on ${active.tagName}.${active.className}`
  })
  expect(outline).toBe('visible')
}

/** Adds a block with the quick-add picker: A, the name, Enter. */
async function add(page: Page, type: string) {
  await page.keyboard.press('a')
  const picker = page.getByTestId('quick-add')
  await expect(picker.getByRole('combobox')).toBeFocused()
  await page.keyboard.type(type)
  await expect(picker.getByRole('option').first()).toHaveText(new RegExp(`^${type}`))
  await page.keyboard.press('Enter')
  await expect(picker).toHaveCount(0)
  // The new block has the focus, ready for the next one.
  await expect(page.locator('.react-flow__node:focus')).toHaveAttribute(
    'data-testid',
    `rf__node-${await page.locator('.react-flow__node.selected').getAttribute('data-id')}`,
  )
}

test('keyboard only: the lesson network from the empty template, trained, with visible focus', async ({
  page,
  shot,
}) => {
  test.setTimeout(240_000)
  await openFresh(page, '?backend=wasm&maxSteps=20')

  // Templates -> Empty canvas.
  await tabTo(page, page.getByTestId('template-menu'))
  await expectVisibleFocus(page)
  await page.keyboard.press('Enter')
  const empty = page.getByRole('menuitem', { name: /Empty canvas/ })
  await tabTo(page, empty)
  await expectVisibleFocus(page)
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('issue-count')).toHaveText('Empty canvas')
  await expect(page.locator('.react-flow__node')).toHaveCount(0)

  // Each block goes after the one before, wired in, its sizes fitted to its input.
  for (const type of ['MNIST', 'ToTensor', 'Normalize', 'DataLoader', 'Flatten', 'Linear']) {
    await add(page, type)
  }
  await expectVisibleFocus(page)
  await shot('60-keyboard-half-built')
  await add(page, 'ReLU')
  await add(page, 'Linear')
  await expect(edgeShape(page, 'ReLU', 'Linear')).toHaveText('(64, 128)')
  // E edits the selected block: its first parameter has the focus.
  await page.keyboard.press('e')
  const inFeatures = page.getByTestId('inspector').locator('input[data-param="inFeatures"]')
  await expect(inFeatures).toBeFocused()
  await expect(inFeatures).toHaveValue('128')
  await page.keyboard.press('Tab')
  const outFeatures = page.getByTestId('inspector').locator('input[data-param="outFeatures"]')
  await expect(outFeatures).toBeFocused()
  await expectVisibleFocus(page)
  await page.keyboard.press('Control+a')
  await page.keyboard.type('10')
  await page.keyboard.press('Enter')
  await expect(page.locator('.react-flow__node.selected')).toContainText('128 → 10')
  // Escape goes back to the block on the canvas; the loss goes after it.
  await page.keyboard.press('Escape')
  await expect(page.locator('.react-flow__node.selected')).toBeFocused()
  await add(page, 'CrossEntropyLoss')
  await expect(edgeShape(page, 'Linear', 'CrossEntropyLoss')).toHaveText('(64, 10)')
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
  await expect(page.getByTestId('total-params')).toContainText('101,770')
  await shot('61-keyboard-built')

  await tabTo(page, page.getByTestId('tab-train'))
  await expectVisibleFocus(page)
  await page.keyboard.press('Enter')
  const start = page.getByTestId('train-start')
  await tabTo(page, start)
  await expectVisibleFocus(page)
  await shot('62-keyboard-start-focused')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('results-panel')).toBeVisible({ timeout: 120_000 })
  await expect(page.getByTestId('results-panel')).toContainText('Results of “Untitled”')
})

test('keyboard only: a wire is chosen from the input list of a block', async ({ page, shot }) => {
  await openFresh(page)
  // Select Linear (the second one) by tabbing to it and pressing Enter.
  const last = page.locator('.react-flow__node').filter({ hasText: '128 → 10' })
  await tabTo(page, last)
  await expectVisibleFocus(page)
  await page.keyboard.press('Enter')
  await page.keyboard.press('e')
  const from = page.getByTestId('input-source')
  await tabTo(page, from)
  await expectVisibleFocus(page)
  await expect(from.locator('option:checked')).toHaveText(/^ReLU \(n7\)/)
  // Take its input from Flatten instead: a shape error, as PyTorch would say.
  // Type-ahead on the focused list picks Flatten.
  await page.keyboard.type('Flatten')
  await expect(from.locator('option:checked')).toHaveText(/^Flatten \(n5\)/)
  await expect(edgeShape(page, 'Flatten', 'Linear')).toHaveCount(2)
  await expect(page.getByTestId('issue-count')).toHaveText('1 error')
  await shot('63-keyboard-input-list')
  await tabTo(page, page.getByRole('button', { name: 'Undo' }))
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
})
