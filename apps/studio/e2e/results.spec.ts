import type { Page } from '@playwright/test'
import { deflateSync, strToU8 } from 'fflate'
import { block, edgeShape, expect, openFresh, savedGraph, settle, test } from './fixtures'

async function openTemplate(page: Page, label: string) {
  await page.getByTestId('template-menu').click()
  await page.getByRole('menuitem', { name: new RegExp(label) }).click()
  await settle(page)
}

/** Trains the graph on the canvas to its results (the Train panel's settings as they are). */
async function trainToResults(page: Page) {
  await page.getByTestId('tab-train').click()
  await page.getByTestId('train-start').click()
  await expect(page.getByTestId('results-panel')).toBeVisible({ timeout: 180_000 })
}

test('results, weights and Draw name the network they belong to and say what changed since', async ({
  page,
  shot,
}) => {
  test.setTimeout(300_000)
  await openFresh(page, '?backend=wasm&maxSteps=30')
  await trainToResults(page)
  await expect(page.getByTestId('results-panel')).toContainText('Results of “MNIST lesson”')
  await expect(page.getByTestId('model-stale')).toHaveCount(0)
  const accuracy = await page.getByTestId('final-accuracy').textContent()

  // Another network on the canvas: the results still say whose they are, and what differs.
  await openTemplate(page, 'Deeper MLP')
  await page.getByTestId('tab-results').click()
  await expect(page.getByTestId('model-name')).toHaveText('“MNIST lesson”')
  await expect(page.getByTestId('model-stale')).toContainText('The canvas has changed since')
  await expect(page.getByTestId('model-stale')).toContainText(
    'a different network is on the canvas (“Deeper MLP”)',
  )
  await shot('40-results-canvas-changed')
  await page.getByTestId('tab-draw').click()
  await expect(page.getByTestId('draw-panel').getByTestId('model-stale')).toBeVisible()

  // The weights are offered, and saved, under the trained network's name only.
  await page.getByTestId('file-menu').click()
  const exportItem = page.getByTestId('export-weights')
  await expect(exportItem).toContainText('Export trained weights of “MNIST lesson”')
  await expect(exportItem).toContainText('Trained before the canvas changed')
  await shot('41-export-weights-named')
  const downloading = page.waitForEvent('download')
  await exportItem.click()
  expect((await downloading).suggestedFilename()).toBe('mnist-lesson.safetensors')

  // A run of Deeper MLP stopped before its first batch leaves the lesson's results alone.
  await page.getByTestId('tab-train').click()
  await page.locator('#setting-backend').selectOption('webgl')
  await page.getByTestId('train-start').click()
  await page.getByRole('button', { name: 'Stop' }).click()
  await expect(page.getByTestId('notice-text')).toContainText('Stopped before the first batch', {
    timeout: 60_000,
  })
  await expect(page.getByTestId('phase')).toHaveText(
    'Stopped before the first batch: nothing was trained.',
  )
  await expect(page.getByTestId('train-start')).toHaveText('Start training')
  await shot('42-stopped-before-first-batch')
  await page.getByTestId('tab-results').click()
  await expect(page.getByTestId('model-name')).toHaveText('“MNIST lesson”')
  await expect(page.getByTestId('final-accuracy')).toHaveText(accuracy!)
})

test('a run says when the canvas no longer is the network it trains, and can restart on it', async ({
  page,
  shot,
}) => {
  test.setTimeout(300_000)
  await openFresh(page, '?backend=wasm')
  await page.getByTestId('tab-train').click()
  // Several epochs: the fast path trains one in a few seconds, and the run must outlast the edits.
  await page.locator('#setting-epochs').fill('20')
  await page.locator('#setting-epochs').press('Enter')
  await page.getByTestId('train-start').click()
  await expect(page.getByTestId('global-step')).toBeVisible({ timeout: 120_000 })
  await block(page, 'ReLU').click()
  await page.keyboard.press('Delete')
  const stale = page.getByTestId('run-stale')
  await expect(stale).toContainText('This run trains “MNIST lesson” as it was when it started')
  await expect(stale).toContainText('ReLU (n7) removed')
  await page.getByTestId('tab-train').click()
  await shot('43-run-canvas-changed')
  const first = await page.locator('.progress-meta').getAttribute('data-run')
  await stale.getByTestId('restart-run').click()
  // The new run trains the canvas: nothing differs, so the note goes.
  await expect(page.locator('.progress-meta')).not.toHaveAttribute('data-run', first!, {
    timeout: 120_000,
  })
  await expect(stale).toHaveCount(0)
  await expect(page.getByTestId('run-state')).not.toHaveText('Stopped')
  // A few batches in (a stop before the first batch would keep the last results instead).
  await expect(page.getByTestId('global-step')).toHaveText(/^[1-9]/, { timeout: 120_000 })
  await page.getByRole('button', { name: 'Stop' }).click()
  await expect(page.getByTestId('results-panel')).toBeVisible({ timeout: 120_000 })
  await expect(page.getByTestId('model-stale')).toHaveCount(0)
})

test('auto times the backends on the network and trains on the fastest; a backend can be chosen', async ({
  page,
  shot,
}) => {
  test.setTimeout(300_000)
  await openFresh(page, '?maxSteps=40')
  await page.getByTestId('tab-train').click()
  await expect(page.locator('#setting-backend')).toHaveValue('auto')
  // Every text the run's state shows, however briefly.
  await page.evaluate(() => {
    const seen: string[] = []
    ;(window as { runStates?: string[] }).runStates = seen
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid="run-state"]')?.textContent
      if (text && seen.at(-1) !== text) seen.push(text)
    }).observe(document.body, { subtree: true, childList: true, characterData: true })
  })
  await page.getByTestId('train-start').click()
  await expect(page.getByTestId('phase')).toContainText(/Timing (webgl|wasm|cpu)/, {
    timeout: 60_000,
  })
  const timings = page.getByTestId('backend-timings')
  await expect(timings).toBeVisible({ timeout: 120_000 })
  const speeds = await timings.locator('[data-backend]').evaluateAll((els) =>
    els.map((el) => ({
      backend: el.getAttribute('data-backend') ?? '',
      speed: Number(el.getAttribute('data-speed')),
    })),
  )
  console.log(`auto timings (img/s): ${JSON.stringify(speeds)}`)
  expect(speeds.map((t) => t.backend).sort()).toEqual(['cpu', 'wasm', 'webgl'])
  const fastest = [...speeds].sort((a, b) => b.speed - a.speed)[0]!.backend
  await expect(page.getByTestId('backend')).toHaveText(fastest)
  await expect(page.getByTestId('results-panel')).toBeVisible({ timeout: 120_000 })
  // The final evaluation said what it was doing instead of "ETA 0 s" (on wasm it may last only
  // a few hundred milliseconds: the page recorded every text of the run's state).
  expect(await page.evaluate(() => (window as { runStates?: string[] }).runStates ?? [])).toContain(
    'Evaluating on 10,000 test images…',
  )
  await page.getByTestId('tab-train').click()
  await shot('45-auto-backend')

  // Pinned to the CPU backend: no timing, the run says where it trains.
  await page.locator('#setting-backend').selectOption('cpu')
  await page.getByTestId('train-start').click()
  await expect(page.getByTestId('backend')).toHaveText('cpu', { timeout: 60_000 })
  await expect(timings).toHaveCount(0)
  await expect(page.getByTestId('global-step')).toBeVisible({ timeout: 60_000 })
  await page.getByRole('button', { name: 'Pause' }).click()
  await expect(page.getByTestId('paused-label')).toHaveText('Paused')
  await expect(page.getByTestId('run-state')).toHaveText('Paused')
  await shot('46-paused-on-cpu')
  await page.getByRole('button', { name: 'Resume' }).click()
  await expect(page.getByTestId('paused-label')).toHaveCount(0)
  await expect(page.getByTestId('results-panel')).toBeVisible({ timeout: 120_000 })
  // The choice is remembered.
  await page.reload()
  await page.getByTestId('tab-train').click()
  await expect(page.locator('#setting-backend')).toHaveValue('cpu')
})

test('two tabs keep their own graphs; a share link opens as a new document; undo survives a reload', async ({
  page,
  context,
  shot,
}) => {
  await openFresh(page)
  await page.getByLabel('Graph name').fill('Tab one graph')
  await block(page, 'Flatten').click()
  await page.keyboard.press('Delete')
  await expect(page.getByTestId('issue-count')).toHaveText('1 error')

  // A share link of another graph, opened in a second tab.
  const doc = JSON.parse((await savedGraph(page))!) as { name: string }
  doc.name = 'Shared in tab two'
  const encoded = Buffer.from(deflateSync(strToU8(JSON.stringify(doc)))).toString('base64url')
  const second = await context.newPage()
  await second.goto(`/#graph=${encoded}`)
  await expect(second.getByLabel('Graph name')).toHaveValue('Shared in tab two')
  await expect(second.getByRole('status')).toContainText('as a new document')
  await second.getByLabel('Graph name').fill('Shared in tab two, edited')
  await second.getByTestId('file-menu').click()
  await expect(second.getByTestId('recent-graph')).toHaveText([
    /Shared in tab two, edited/,
    /Tab one graph/,
  ])
  await shot('47-recent-graphs', second)
  await second.keyboard.press('Escape')

  // The first tab's graph is untouched, and its undo history survives a reload.
  await page.reload()
  await expect(page.getByLabel('Graph name')).toHaveValue('Tab one graph')
  await expect(page.getByTestId('issue-count')).toHaveText('1 error')
  await page.getByRole('button', { name: 'Undo' }).click()
  await expect(edgeShape(page, 'Flatten', 'Linear')).toHaveText('(64, 784)')
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')

  // The first tab opens the second one's graph from its recent list.
  await page.getByTestId('file-menu').click()
  await page.getByTestId('recent-graph').filter({ hasText: 'Shared in tab two, edited' }).click()
  await expect(page.getByLabel('Graph name')).toHaveValue('Shared in tab two, edited')
  await page.getByTestId('file-menu').click()
  await page.getByTestId('new-graph').click()
  await expect(page.getByTestId('issue-count')).toHaveText('Empty canvas')
  await second.close()
})
