import { readFileSync } from 'node:fs'
import { block, expect, openFresh, test } from './fixtures'

const MAX_STEPS = 200

// One run on SwiftShader's WebGL: a few hundred batches, not epochs (see TOOLCHAIN.md).
test('trains the lesson on WebGL in a worker, then classifies a drawn digit', async ({
  page,
  shot,
}) => {
  test.setTimeout(300_000)
  // Long tasks (>= 50 ms) on the page's main thread while the worker trains (issue 6).
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: { start: number; duration: number }[] }
    w.__longTasks = []
    new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        w.__longTasks.push({ start: e.startTime, duration: e.duration })
    }).observe({ type: 'longtask', buffered: true })
  })
  await openFresh(page, `?maxSteps=${MAX_STEPS}`)

  await page.getByTestId('tab-train').click()
  await expect(page.locator('#setting-max-steps')).toHaveValue(String(MAX_STEPS))
  await page.getByTestId('train-start').click()
  await expect(page.getByTestId('backend')).toHaveText('webgl', { timeout: 60_000 })
  await expect(page.getByTestId('global-step')).toBeVisible({ timeout: 120_000 })
  await shot('10-training')
  // Watch the main thread over 40 batches of training (charts and progress updating).
  const watchFrom = await page.evaluate(() => performance.now())
  await expect
    .poll(async () => Number(await page.getByTestId('global-step').textContent()), {
      timeout: 120_000,
    })
    .toBeGreaterThanOrEqual(40)
  const longTasks = await page.evaluate(
    (from) =>
      (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks
        .filter((t) => t.start >= from)
        .map((t) => Math.round(t.duration)),
    watchFrom,
  )
  const longest = Math.max(0, ...longTasks)
  console.log(
    `main thread during training: ${longTasks.length} long tasks, longest ${longest} ms (${longTasks.join(', ')})`,
  )
  // The target is < 50 ms; on the shared 2-core CI machine a busy neighbour stretches tasks, so
  // this only guards against the page freezing (training work leaking onto the main thread).
  expect(longest).toBeLessThan(500)

  // Pause holds the step count still; Resume carries on.
  await page.getByRole('button', { name: 'Pause' }).click()
  await expect(page.getByTestId('progress')).toContainText('Paused')
  await page.waitForTimeout(1500)
  const pausedAt = await page.getByTestId('global-step').textContent()
  await page.waitForTimeout(2000)
  await expect(page.getByTestId('global-step')).toHaveText(pausedAt!)
  await page.getByRole('button', { name: 'Resume' }).click()
  await expect(page.getByTestId('global-step')).not.toHaveText(pausedAt!, { timeout: 30_000 })

  await expect(page.getByTestId('results-panel')).toBeVisible({ timeout: 240_000 })
  const accuracy = Number.parseFloat(
    ((await page.getByTestId('final-accuracy').textContent()) ?? '').replace('%', ''),
  )
  expect(accuracy).toBeGreaterThan(80)
  await page.mouse.move(0, 0)
  await shot('11-results')
  await page.getByTestId('weights').scrollIntoViewIfNeeded()
  await shot('11b-first-layer-weights')

  await page.getByTestId('tab-train').click()
  await expect(page.getByTestId('global-step')).toHaveText(String(MAX_STEPS))
  const loss = page.getByTestId('loss-value')
  const first = Number(await loss.getAttribute('data-first-loss'))
  const last = Number(await loss.getAttribute('data-last-loss'))
  expect(first).toBeGreaterThan(1.5) // about ln(10) = 2.3 for an untrained 10-class model
  expect(last).toBeLessThan(first / 2)
  await shot('12-training-done')

  // The confusion matrix opens the misclassified images of a cell.
  await page.getByTestId('tab-results').click()
  await page.locator('.confusion button.cell').first().click()
  await expect(page.getByTestId('misclassified').locator('canvas').first()).toBeVisible()

  // Trained weights download as safetensors: 101,770 float32 values and a JSON header.
  await page.getByTestId('file-menu').click()
  const download = page.waitForEvent('download')
  await page.getByRole('menuitem', { name: /Export trained weights/ }).click()
  const file = await download
  expect(file.suggestedFilename()).toMatch(/\.safetensors$/)
  const bytes = readFileSync(await file.path())
  expect(bytes.length).toBeGreaterThan(101_770 * 4)

  await page.getByTestId('tab-draw').click()
  const pad = page.getByTestId('draw-pad')
  const box = (await pad.boundingBox())!
  // A "7": a bar across the top, then a stroke down to the left.
  await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.22)
  await page.mouse.down()
  await page.mouse.move(box.x + box.width * 0.72, box.y + box.height * 0.22, { steps: 10 })
  await page.mouse.move(box.x + box.width * 0.42, box.y + box.height * 0.82, { steps: 14 })
  await page.mouse.up()
  await expect(page.getByTestId('preprocess-steps').locator('canvas')).toHaveCount(4)
  const probabilities = page.getByTestId('probabilities')
  await expect(probabilities).toBeVisible({ timeout: 60_000 })
  const percents = (await probabilities.locator('.prob > span:last-child').allInnerTexts()).map(
    (t) => Number.parseFloat(t),
  )
  expect(percents).toHaveLength(10)
  expect(percents.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0)
  await shot('13-draw-digit')

  // The data preview shows MNIST samples with labels and the value ranges along the transforms.
  await page.getByTestId('tab-block').click()
  await block(page, 'MNIST').click()
  await page.getByRole('button', { name: /Show 30 samples/ }).click()
  await expect(page.getByTestId('data-preview').locator('canvas')).toHaveCount(30)
  await expect(page.getByTestId('data-preview')).toContainText('after Normalize')
  await shot('14-data-preview')
})
