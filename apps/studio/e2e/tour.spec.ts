import type { Page } from '@playwright/test'
import { block, edgeShape, expect, settle, test } from './fixtures'

/** Opens the studio as someone who never has: nothing saved, the tour not seen. */
async function firstVisit(page: Page, query = '') {
  await page.goto(`/${query}`)
  await page.evaluate(() => {
    localStorage.clear()
    sessionStorage.clear()
  })
  await page.goto(`/${query}`)
  await expect(block(page, 'Flatten')).toBeVisible()
  await settle(page)
}

test('the guided tour on first open: shapes, the error, its fix, training, a drawn digit', async ({
  page,
  shot,
}) => {
  test.setTimeout(240_000)
  await firstVisit(page, '?backend=wasm&maxSteps=20')
  const tour = page.getByTestId('tour')
  await expect(tour).toContainText('1 of 5')
  await expect(tour).toContainText('Every wire shows its tensor shape')
  await expect(edgeShape(page, 'Flatten', 'Linear')).toHaveClass(/tour-spot/)
  await shot('80-tour-shapes')
  await tour.getByTestId('tour-next').click()

  // It moves on by itself as the user does what it says.
  await expect(tour).toContainText('Meet PyTorch’s error')
  await block(page, 'Flatten').click()
  await page.keyboard.press('Delete')
  await expect(tour).toContainText('Fix it with one click')
  await expect(page.locator('.block.has-error [data-testid="fix-button"]')).toHaveClass(/tour-spot/)
  await page.mouse.move(0, 0)
  await shot('81-tour-error')
  await page.locator('.block.has-error').getByTestId('fix-button').click()
  await expect(tour).toContainText('Train it')
  await page.getByTestId('tab-train').click()
  await page.getByTestId('train-start').click()
  await expect(tour).toContainText('Draw a digit')
  await expect(page.getByTestId('results-panel')).toBeVisible({ timeout: 120_000 })
  await page.getByTestId('tab-draw').click()
  const pad = page.getByTestId('draw-pad')
  const box = (await pad.boundingBox())!
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.2)
  await page.mouse.down()
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.8, { steps: 12 })
  await page.mouse.up()
  await expect(page.getByTestId('predicted-digit')).toBeVisible({ timeout: 60_000 })
  await shot('82-tour-draw')
  await tour.getByTestId('tour-next').click()
  await expect(tour).toHaveCount(0)

  // Remembered: not shown again, but it can be taken again from the File menu.
  await page.reload()
  await expect(block(page, 'Flatten')).toBeVisible()
  await expect(tour).toHaveCount(0)
  await page.getByTestId('file-menu').click()
  await page.getByTestId('start-tour').click()
  await expect(tour).toContainText('1 of 5')
})

test('the tour can be skipped, and stays skipped; the empty template does not shout', async ({
  page,
  shot,
}) => {
  await firstVisit(page)
  await page.getByTestId('tour-skip').click()
  await expect(page.getByTestId('tour')).toHaveCount(0)
  await page.reload()
  await expect(block(page, 'Flatten')).toBeVisible()
  await expect(page.getByTestId('tour')).toHaveCount(0)

  await page.getByTestId('template-menu').click()
  await page.getByRole('menuitem', { name: /Empty canvas/ }).click()
  await expect(page.getByTestId('issue-count')).toHaveText('Empty canvas')
  await expect(page.getByTestId('issue-count')).not.toHaveClass(/error/)
  await expect(page.getByTestId('inspector-empty')).toContainText('To finish before training')
  // The palette's Flatten says what it does for any batch size.
  await expect(page.getByTestId('palette-Flatten')).toContainText('(N, 1, 28, 28) -> (N, 784)')
  await shot('83-empty-template')
})
