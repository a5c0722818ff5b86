import type { Page } from '@playwright/test'
import { block, edgeShape, expect, openFresh, settle, test } from './fixtures'

/** Every block's box on the page: none may overlap another. */
async function expectNoOverlaps(page: Page) {
  const boxes = await page
    .locator('.react-flow__node')
    .evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON() as DOMRect))
  for (const [i, a] of boxes.entries()) {
    for (const b of boxes.slice(i + 1)) {
      const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top
      expect(apart, `blocks at ${a.x},${a.y} and ${b.x},${b.y} overlap`).toBe(true)
    }
  }
}

/** The zoom of the canvas. */
function zoom(page: Page): Promise<number> {
  return page
    .locator('.react-flow__viewport')
    .evaluate((el) => new DOMMatrix(getComputedStyle(el).transform).a)
}

test('a block dropped on a wire is spliced into it, fitted to its input', async ({
  page,
  shot,
}) => {
  await openFresh(page)
  const pill = edgeShape(page, 'ReLU', 'Linear')
  const box = (await pill.boundingBox())!
  const pane = page.locator('.react-flow__pane')
  const paneBox = (await pane.boundingBox())!
  // Onto the wire, a little below its shape label.
  await page.getByTestId('palette-Linear').dragTo(pane, {
    targetPosition: { x: box.x + box.width / 2 - paneBox.x, y: box.y + box.height + 6 - paneBox.y },
  })
  await expect(page.getByTestId('block-Linear')).toHaveCount(3)
  // ReLU -> the new Linear(128, 128) -> Linear(128, 10): the shapes hold.
  await expect(edgeShape(page, 'ReLU', 'Linear')).toHaveText('(64, 128)')
  await expect(edgeShape(page, 'Linear', 'Linear')).toHaveText('(64, 128)')
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
  await expect(page.getByTestId('inspector').locator('input[data-param="inFeatures"]')).toHaveValue(
    '128',
  )
  await expectNoOverlaps(page)
  await page.mouse.move(0, 0)
  await shot('30-spliced-on-wire')

  // Undo takes the whole drop back in one step.
  await page.keyboard.press('Control+z')
  await expect(page.getByTestId('block-Linear')).toHaveCount(2)
  await expect(edgeShape(page, 'ReLU', 'Linear')).toHaveText('(64, 128)')
})

test('quick add: a double-click opens a searchable picker where the block goes', async ({
  page,
  shot,
}) => {
  await openFresh(page)
  const pane = page.locator('.react-flow__pane')
  const paneBox = (await pane.boundingBox())!
  const at = { x: paneBox.x + 200, y: paneBox.y + paneBox.height - 150 }
  await page.mouse.dblclick(at.x, at.y)
  const picker = page.getByTestId('quick-add')
  await expect(picker).toBeVisible()
  await expect(picker.getByRole('combobox')).toBeFocused()
  await page.keyboard.type('drop')
  await expect(picker.getByRole('option').first()).toHaveText(/^Dropout/)
  await shot('31-quick-add')
  await page.keyboard.press('Enter')
  await expect(picker).toHaveCount(0)
  const dropout = block(page, 'Dropout')
  await expect(dropout).toBeVisible()
  // Where the double-click was, not wired: a quiet hint, not a red callout.
  const box = (await dropout.boundingBox())!
  expect(Math.abs(box.x + box.width / 2 - at.x)).toBeLessThan(box.width)
  await expect(dropout.getByTestId('block-hint')).toHaveText('Not connected yet')
  await expect(dropout.getByTestId('block-issue')).toHaveCount(0)
  await expect(page.getByTestId('issue-count')).toHaveText('1 to finish')
  await page.mouse.move(0, 0)
  await shot('32-unconnected-hint')
})

test('with a block selected, a new block goes after it and is wired in; none lands on another', async ({
  page,
  shot,
}) => {
  await openFresh(page)
  await block(page, 'ReLU').click()
  await page.keyboard.press('a')
  await expect(page.getByTestId('quick-add')).toContainText('Add after ReLU')
  await page.keyboard.type('Linear')
  await page.keyboard.press('Enter')
  // ReLU -> a new Linear(128, 128) -> Linear(128, 10).
  await expect(page.getByTestId('block-Linear')).toHaveCount(3)
  await expect(edgeShape(page, 'Linear', 'Linear')).toHaveText('(64, 128)')
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
  await expectNoOverlaps(page)

  // A Conv2d cannot take Flatten's (64, 784): added beside it, unwired, with the reason.
  await block(page, 'Flatten').click()
  await page.keyboard.press('a')
  await page.keyboard.type('Conv2d')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('notice-text')).toContainText('Conv2d was added without a wire')
  await expect(block(page, 'Conv2d').getByTestId('block-hint')).toHaveText('Not connected yet')
  await expectNoOverlaps(page)
  await page.mouse.move(0, 0)
  await shot('33-added-after-selection')
  await page.keyboard.press('Delete')
  await expect(block(page, 'Conv2d')).toHaveCount(0)

  // The error badge pans and zooms to the failing block.
  await block(page, 'Flatten').click()
  await page.keyboard.press('Delete')
  await expect(page.getByTestId('issue-count')).toHaveText('1 error')
  await page.getByRole('button', { name: 'Fit view' }).click()
  await settle(page)
  await page.getByTestId('issue-count').click()
  await settle(page)
  expect(await zoom(page)).toBeGreaterThanOrEqual(1)
  const failing = page.locator('.block.has-error')
  await expect(failing).toBeInViewport({ ratio: 1 })
  await page.mouse.move(0, 0)
  await shot('33b-error-badge-focus')
  await failing.getByTestId('fix-button').click()
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')

  // Palette clicks with nothing selected: each lands on a free spot.
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } })
  for (let i = 0; i < 4; i++) await page.getByTestId('palette-ReLU').click()
  await expect(page.getByTestId('block-ReLU')).toHaveCount(5)
  await settle(page)
  await page.getByRole('button', { name: 'Fit view' }).click()
  await settle(page)
  expect(await zoom(page)).toBeGreaterThanOrEqual(0.6)
  await expectNoOverlaps(page)
  await page.mouse.move(0, 0)
  await shot('34-no-overlaps')
})

test('number fields apply a complete value on Enter or blur, and Start waits for valid settings', async ({
  page,
  shot,
}) => {
  await openFresh(page)
  await block(page, 'Linear').click()
  const out = page.getByLabel('out_features')
  // Typed key by key: nothing is applied on the way.
  await out.fill('')
  await out.pressSequentially('12.5')
  await expect(page.getByTestId('field-error')).toContainText('12.5')
  await expect(page.getByTestId('total-params')).toContainText('101,770')
  await out.press('Enter')
  await expect(page.getByTestId('total-params')).toContainText('101,770')
  await out.fill('64')
  await expect(page.getByTestId('total-params')).toContainText('101,770')
  await out.press('Tab')
  await expect(page.getByTestId('total-params')).toContainText(
    (784 * 64 + 64 + 128 * 10 + 10).toLocaleString('en-US'),
  )
  await page.getByRole('button', { name: 'Undo' }).click()
  await expect(page.getByTestId('total-params')).toContainText('101,770')

  await page.getByTestId('tab-train').click()
  const lr = page.locator('#setting-lr')
  await lr.fill('')
  await lr.pressSequentially('1e309')
  await expect(page.getByTestId('field-error')).toBeVisible()
  await lr.press('Enter')
  await expect(page.getByTestId('train-start')).toBeDisabled()
  await expect(page.getByTestId('start-blocked')).toContainText('Learning rate:')
  await shot('35-start-waits-for-settings')
  await lr.press('Escape')
  await expect(lr).toHaveValue('0.001')
  await expect(page.getByTestId('train-start')).toBeEnabled()
})
