import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Locator, Page } from '@playwright/test'
import { test as base, expect } from '@playwright/test'

const SCREENSHOTS = join(
  import.meta.dirname,
  '..',
  process.env.STUDIO_E2E_DIR ? `test-results-${process.env.STUDIO_E2E_DIR}` : 'test-results',
  'screenshots',
)

/** Collects the console errors and uncaught exceptions of `page` and its workers from now on. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`)
  })
  page.on('pageerror', (error) => errors.push(`page: ${error.message}`))
  page.on('worker', (worker) => {
    worker.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`worker: ${msg.text()}`)
    })
  })
  return errors
}

/**
 * Every test fails on a console error or an uncaught exception, in the page or its workers, and
 * gets a `shot(name, of?)` helper that saves a screenshot (of the test's page, or of another page
 * or one element) under test-results/screenshots.
 */
export const test = base.extend<{
  consoleErrors: string[]
  shot: (name: string, of?: Locator | Page) => Promise<void>
}>({
  consoleErrors: [
    async ({ page }, use) => {
      const errors = watchErrors(page)
      await use(errors)
      expect(errors, 'no console errors').toEqual([])
    },
    { auto: true },
  ],
  shot: async ({ page }, use) => {
    mkdirSync(SCREENSHOTS, { recursive: true })
    await use(async (name, of) => {
      await (of ?? page).screenshot({ path: join(SCREENSHOTS, `${name}.png`) })
    })
  },
})

export { expect }

/** The shape pill on the edge from a block of type `from` to one of type `to`. */
export function edgeShape(page: Page, from: string, to: string): Locator {
  return page.locator(`[data-testid="edge-shape"][data-edge-from="${from}"][data-edge-to="${to}"]`)
}

/** The block of `type` on the canvas (the nth, when there are several). */
export function block(page: Page, type: string, nth = 0): Locator {
  return page.getByTestId(`block-${type}`).nth(nth)
}

/**
 * Waits until the canvas stops moving (the animated fit after opening a graph, a template or an
 * auto-layout), so handles are where a drag will find them.
 */
export async function settle(page: Page) {
  const viewport = page.locator('.react-flow__viewport')
  let last = ''
  let still = 0
  await expect
    .poll(
      async () => {
        const now = await viewport.evaluate((el) => (el as HTMLElement).style.transform)
        still = now === last ? still + 1 : 0
        last = now
        return still >= 2
      },
      { intervals: [150] },
    )
    .toBe(true)
}

/**
 * Opens the studio on a clean slate (no saved graphs, the guided tour marked as seen) and waits for
 * the lesson to render.
 */
export async function openFresh(page: Page, query = '') {
  await page.goto(`/${query}`)
  await page.evaluate(() => {
    localStorage.clear()
    sessionStorage.clear()
    localStorage.setItem('tensorloom.studio.tour', 'done')
  })
  await page.goto(`/${query}`)
  await expect(block(page, 'Flatten')).toBeVisible()
  await settle(page)
}

/** The graph this tab has open, as saved in the browser's storage (JSON text). */
export function savedGraph(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const id = sessionStorage.getItem('tensorloom.studio.current')
    return id ? localStorage.getItem(`tensorloom.studio.document.${id}`) : null
  })
}

/** Drags with the mouse from the centre of one element to the centre of another. */
export async function dragBetween(page: Page, from: Locator, to: Locator) {
  const a = (await from.boundingBox())!
  const b = (await to.boundingBox())!
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2)
  await page.mouse.down()
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 })
  await page.mouse.up()
}
