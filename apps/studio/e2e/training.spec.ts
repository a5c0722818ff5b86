import { readFileSync } from 'node:fs'
import { block, expect, openFresh, test } from './fixtures'
import { traceMainThread } from './mainThread'

const MAX_STEPS = 200

// One run on SwiftShader's WebGL: a few hundred batches, not epochs (see TOOLCHAIN.md).
test('trains the lesson on WebGL in a worker, then classifies a drawn digit', async ({
  page,
  browser,
  shot,
}) => {
  test.setTimeout(300_000)
  // Long tasks (>= 50 ms by the clock) on the page's main thread while the worker trains (issue 6).
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: { start: number; duration: number }[] }
    w.__longTasks = []
    new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        w.__longTasks.push({ start: e.startTime, duration: e.duration })
    }).observe({ type: 'longtask', buffered: true })
  })
  await openFresh(page, `?maxSteps=${MAX_STEPS}&backend=webgl`)

  await page.getByTestId('tab-train').click()
  await expect(page.locator('#setting-max-steps')).toHaveValue(String(MAX_STEPS))
  await page.getByTestId('train-start').click()
  await expect(page.getByTestId('backend')).toHaveText('webgl', { timeout: 60_000 })
  await expect(page.getByTestId('global-step')).toBeVisible({ timeout: 120_000 })
  await shot('10-training')
  // Watch the main thread over 40 batches of training (charts and progress updating), from after
  // the page load and the backend's start-up.
  const watchFrom = await page.evaluate(() => performance.now())
  const stepAtStart = Number(await page.getByTestId('global-step').textContent())
  const tasks = await traceMainThread(browser, page, async () => {
    await expect
      .poll(async () => Number(await page.getByTestId('global-step').textContent()), {
        timeout: 120_000,
      })
      .toBeGreaterThanOrEqual(stepAtStart + 40)
  })
  const longTasks = await page.evaluate(
    (from) =>
      (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks
        .filter((t) => t.start >= from)
        .map((t) => Math.round(t.duration)),
    watchFrom,
  )
  console.log(
    `main thread during training: ${tasks.tasks} tasks, ${Math.round(tasks.cpuMs)} ms CPU in all, longest ${tasks.longestCpuMs.toFixed(1)} ms CPU; by the clock ${longTasks.length} long tasks [${longTasks.join(', ')}] ms, as wall/CPU ms: [${tasks.long.map((t) => `${t.wallMs}/${t.cpuMs}`).join(', ')}]`,
  )
  // Issue 6, target 4: no main-thread task does more than 50 ms of work while training runs.
  expect(tasks.longestCpuMs).toBeLessThan(50)
  // By the clock a task also includes waiting for a core: on the shared 2-core CI machine (the
  // worker, SwiftShader's GPU process, other jobs) that stretches 5 ms tasks to 100+ ms, so the
  // clock only guards against the page freezing.
  expect(Math.max(0, ...longTasks)).toBeLessThan(500)

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

// Cross-origin isolated, the wasm backend runs its threaded build (vite/wasmThreads.ts).
test('trains on wasm with threads under cross-origin isolation', async ({ page, shot }) => {
  test.setTimeout(180_000)
  const response = await page.goto('/')
  expect(response?.headers()['cross-origin-opener-policy']).toBe('same-origin')
  expect(response?.headers()['cross-origin-embedder-policy']).toBe('require-corp')
  // 62 is no multiple of the worker's 4-batch loss reads: the run still stops at exactly 62.
  await openFresh(page, '?backend=wasm&maxSteps=62')
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true)
  await page.getByTestId('tab-train').click()
  await page.getByTestId('train-start').click()
  await expect(page.getByTestId('backend')).toHaveText('wasm', { timeout: 60_000 })
  const threads = Number(
    /\d+/.exec((await page.getByTestId('backend-threads').textContent()) ?? '')?.[0],
  )
  expect(threads).toBeGreaterThan(1)
  await expect(page.getByTestId('results-panel')).toBeVisible({ timeout: 120_000 })
  await expect(page.getByTestId('final-accuracy')).toHaveText(/^\d+\.\d\d%$/)
  await expect(page.getByTestId('results-panel')).toContainText('after 62 batches')
  await page.getByTestId('tab-train').click()
  await expect(page.getByTestId('global-step')).toHaveText('62')
  await expect(page.getByTestId('progress')).toContainText('Batch 62/62')
  await shot('15-wasm-threads')
})
