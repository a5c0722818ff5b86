import { createRequire } from 'node:module'
import type { Page } from '@playwright/test'
import { block, expect, openFresh, test } from './fixtures'

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

interface AxeViolation {
  id: string
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null
  help: string
  nodes: { target: string[] }[]
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules, best practices) on the page as it is, logs every
 * violation, and fails on any serious or critical one. axe is injected as a script: the studio's
 * Content-Security-Policy forbids that, so these tests run with `bypassCSP`.
 */
async function scan(page: Page, state: string) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE })
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (...a: unknown[]) => Promise<unknown> } }).axe
    const result = (await axe.run(document, { resultTypes: ['violations'] })) as {
      violations: AxeViolation[]
    }
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.join(' ')),
    }))
  })
  const line = (v: (typeof violations)[number]) =>
    `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}: ${v.nodes.slice(0, 3).join(', ')})`
  console.log(
    `axe, ${state}: ${violations.length === 0 ? 'no violations' : violations.map(line).join('; ')}`,
  )
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  expect(serious.map(line), `serious or critical axe violations: ${state}`).toEqual([])
}

test.use({ bypassCSP: true })

test('axe finds no serious or critical violations in the editor, its dialogs and panels', async ({
  page,
  shot,
}) => {
  test.setTimeout(240_000)
  await openFresh(page, '?backend=wasm&maxSteps=20')
  await scan(page, 'the lesson')

  await block(page, 'Flatten').click()
  await page.keyboard.press('Delete')
  await expect(page.getByTestId('issue-count')).toHaveText('1 error')
  await scan(page, 'a shape error with its fix')
  await page.getByTestId('fix-button').click()

  await page.keyboard.press('a')
  await expect(page.getByTestId('quick-add')).toBeVisible()
  await scan(page, 'quick add')
  await page.keyboard.press('Escape')

  await page.getByTestId('file-menu').click()
  await scan(page, 'the file menu')
  await page.getByRole('menuitem', { name: /Export PyTorch script/ }).click()
  await expect(page.getByTestId('code-dialog')).toBeVisible()
  await scan(page, 'the code dialog')
  await page.keyboard.press('Escape')

  await page.getByTestId('tab-train').click()
  await scan(page, 'the Train panel')
  await page.getByTestId('train-start').click()
  await expect(page.getByTestId('results-panel')).toBeVisible({ timeout: 120_000 })
  await scan(page, 'the Results panel')
  await page.getByTestId('tab-draw').click()
  await scan(page, 'the Draw panel')
  await shot('70-a11y-draw')
})

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true })

  test('axe finds no serious or critical violations with the drawer and the sheet', async ({
    page,
  }) => {
    await openFresh(page)
    await scan(page, 'phone: the canvas')
    await page.getByTestId('open-palette').tap()
    await scan(page, 'phone: the blocks drawer')
    await page.getByTestId('mobile-train').tap()
    await scan(page, 'phone: the Train sheet')
  })
})
