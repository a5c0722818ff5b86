import type { Browser, Page } from '@playwright/test'
import { chromium } from '@playwright/test'
import { expect, openFresh, test, watchErrors } from './fixtures'

/** The final test accuracy (in %) shown once a run has finished. */
async function finalAccuracy(page: Page): Promise<number> {
  await expect(page.getByTestId('results-panel')).toBeVisible({ timeout: 240_000 })
  const text = (await page.getByTestId('final-accuracy').textContent()) ?? ''
  return Number.parseFloat(text.replace('%', ''))
}

/** Heap of the JS isolate behind one DevTools target (the trainer worker), after a full GC. */
async function workerHeap(browser: Browser) {
  const cdp = await browser.newBrowserCDPSession()
  const { targetInfos } = (await cdp.send('Target.getTargets')) as {
    targetInfos: { targetId: string; type: string; url: string }[]
  }
  const worker = targetInfos.find((t) => t.type === 'worker' && t.url.includes('trainer.worker'))
  if (!worker)
    throw new Error(`no trainer worker among ${targetInfos.map((t) => t.url).join(', ')}`)
  // Playwright's sessions take no session id: talk to the worker through the browser session.
  const { sessionId } = (await cdp.send('Target.attachToTarget', {
    targetId: worker.targetId,
    flatten: false,
  })) as { sessionId: string }
  let nextId = 1
  const call = (method: string) =>
    new Promise<Record<string, number>>((resolve, reject) => {
      const id = nextId++
      const onMessage = (event: { sessionId?: string; message: string }) => {
        const reply = JSON.parse(event.message) as {
          id?: number
          result?: Record<string, number>
          error?: { message: string }
        }
        if (event.sessionId !== sessionId || reply.id !== id) return
        cdp.off('Target.receivedMessageFromTarget', onMessage)
        if (reply.error) reject(new Error(`${method}: ${reply.error.message}`))
        else resolve(reply.result ?? {})
      }
      cdp.on('Target.receivedMessageFromTarget', onMessage)
      void cdp.send('Target.sendMessageToTarget', {
        sessionId,
        message: JSON.stringify({ id, method }),
      })
    })
  try {
    await call('HeapProfiler.collectGarbage')
    const { usedSize } = await call('Runtime.getHeapUsage')
    return usedSize ?? Number.NaN
  } finally {
    await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => {})
    await cdp.detach()
  }
}

/** Heap of the page's JS isolate after a full GC. */
async function pageHeap(page: Page) {
  const cdp = await page.context().newCDPSession(page)
  try {
    await cdp.send('HeapProfiler.collectGarbage')
    const { usedSize } = await cdp.send('Runtime.getHeapUsage')
    return usedSize
  } finally {
    await cdp.detach()
  }
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(2)

/**
 * Runs `body` on a page of a Chromium of its own without GPU and software rasterizer: no WebGL at
 * all, in pages or workers (`test.use({ launchOptions })` would need a file of its own). Fails on
 * console errors there, as the fixtures do for their page.
 */
async function withoutGpu(
  baseURL: string | undefined,
  body: (browser: Browser, page: Page) => Promise<void>,
) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-software-rasterizer'],
  })
  try {
    const context = await browser.newContext({ baseURL, viewport: { width: 1440, height: 900 } })
    const page = await context.newPage()
    const errors = watchErrors(page)
    await body(browser, page)
    expect(errors, 'no console errors').toEqual([])
  } finally {
    await browser.close()
  }
}

test.describe('reliability: faults during training', () => {
  // SwiftShader's WebGL is slow (tens of batches/s at best, a few on a busy 2-core machine): 200
  // batches per run, the context lost after 120, so the run resumes from the checkpoint at 100.
  const STEPS = 200
  const LOSE_AT = 120

  test('WebGL context lost mid-run: resumes from the last checkpoint on wasm, accuracy as undisturbed', async ({
    page,
    shot,
  }) => {
    test.setTimeout(420_000)
    await openFresh(page, `?maxSteps=${STEPS}&backend=webgl`)
    await page.getByTestId('tab-train').click()
    await page.getByTestId('train-start').click()
    await expect(page.getByTestId('backend')).toHaveText('webgl', { timeout: 60_000 })
    const started = Date.now()
    const undisturbed = await finalAccuracy(page)
    console.log(
      `undisturbed run: ${undisturbed}% in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    )

    await openFresh(page, `?maxSteps=${STEPS}&backend=webgl&loseWebGLContextAt=${LOSE_AT}`)
    await page.getByTestId('tab-train').click()
    await page.getByTestId('train-start').click()
    await expect(page.getByTestId('backend')).toHaveText('webgl', { timeout: 60_000 })
    const notice = page.getByTestId('recovery')
    await expect(notice).toBeVisible({ timeout: 180_000 })
    const text = (await notice.textContent()) ?? ''
    const found =
      /WebGL context lost at epoch 1 batch (\d+); resumed from the checkpoint at batch (\d+) on wasm\./.exec(
        text,
      )
    expect(found, text).not.toBeNull()
    const [lostAt, resumedAt] = [Number(found?.[1]), Number(found?.[2])]
    expect(lostAt).toBeGreaterThanOrEqual(LOSE_AT)
    // Checkpoints are kept every 100 batches: the run redoes at most that many.
    expect(resumedAt).toBe(Math.floor(LOSE_AT / 100) * 100)
    await expect(page.getByTestId('backend')).toHaveText('wasm')
    await expect(page.locator('.fallback-reason')).toContainText(
      `webgl unavailable: context lost at epoch 1 batch ${lostAt}`,
    )
    await shot('30-webgl-context-lost')

    const disturbed = await finalAccuracy(page)
    await expect(page.getByTestId('results-recovery')).toContainText('resumed from the checkpoint')
    await page.mouse.move(0, 0)
    await shot('31-results-after-context-loss')
    await page.getByTestId('tab-train').click()
    await expect(page.getByTestId('global-step')).toHaveText(String(STEPS))
    const outcome = `lost at batch ${lostAt}, resumed at ${resumedAt} on wasm; test accuracy ${disturbed.toFixed(2)}% vs ${undisturbed.toFixed(2)}% undisturbed`
    console.log(outcome)
    test
      .info()
      .annotations.push(
        { type: 'cases', description: '1' },
        { type: 'outcome', description: outcome },
      )
    expect(Math.abs(disturbed - undisturbed)).toBeLessThanOrEqual(0.5)
  })

  test('WebGL unavailable: trains on wasm and says why', async ({ baseURL, shot }) => {
    test.setTimeout(240_000)
    await withoutGpu(baseURL, async (_browser, page) => {
      expect(await page.evaluate(() => !!new OffscreenCanvas(1, 1).getContext('webgl2'))).toBe(
        false,
      )
      await openFresh(page, '?maxSteps=60')
      await page.getByTestId('tab-train').click()
      await page.getByTestId('train-start').click()
      await expect(page.getByTestId('backend')).toHaveText('wasm', { timeout: 60_000 })
      const reason = page.locator('.fallback-reason')
      await expect(reason).toHaveCount(1)
      const why = (await reason.textContent()) ?? ''
      expect(why).toMatch(/^webgl unavailable: \S/)
      const accuracy = await finalAccuracy(page)
      expect(accuracy).toBeGreaterThan(50)
      await page.getByTestId('tab-train').click()
      await shot('32-no-webgl-fallback', page)
      console.log(`without WebGL: ${why}; ${accuracy.toFixed(2)}% after 60 batches`)
      test.info().annotations.push(
        { type: 'cases', description: '1' },
        {
          type: 'outcome',
          description: `trained on wasm (${why}); ${accuracy.toFixed(2)}% after 60 batches`,
        },
      )
    })
  })
})

test.describe('reliability: long runs', () => {
  // wasm, not webgl: 5 epochs on SwiftShader's WebGL take minutes, on wasm a minute or two; the
  // leak check is about the studio's own bookkeeping (worker, trainer, store), the same on both.
  // In a browser without GPU, which wasm does not need: with the config's SwiftShader flags the
  // page's frames come seconds apart while wasm's threads hold both cores (SwiftShader composites
  // on the CPU too), so clicks time out; a machine with a GPU has no such contention.
  test('5 epochs in the studio: tensor count flat, worker and page heap flat; Stop reaches a wasm run', async ({
    baseURL,
    shot,
  }) => {
    test.setTimeout(1_200_000)
    await withoutGpu(baseURL, (browser, page) => fiveEpochs(browser, page, shot))
  })
})

/**
 * Trains 5 epochs on wasm and checks the tensor count and the heaps after each: the tensor count
 * is the worker's `tf.memory()` at the end of each epoch (the "Memory per epoch" table); the heaps
 * are read over CDP after a full GC, with the run paused just after epochs 1–4 and once it has
 * finished after epoch 5 (the worker keeps the trained model for Draw and Results).
 */
async function fiveEpochs(
  browser: Browser,
  page: Page,
  shot: (name: string, of: Page) => Promise<void>,
) {
  const EPOCHS = 5
  await openFresh(page, '?backend=wasm')
  await page.getByTestId('tab-train').click()
  await page.locator('#setting-epochs').fill(String(EPOCHS))
  await page.locator('#setting-epochs').press('Enter')
  await page.getByTestId('train-start').click()
  await expect(page.getByTestId('backend')).toHaveText('wasm', { timeout: 60_000 })
  const rowOf = (epoch: number) =>
    page.locator(`[data-testid="memory-per-epoch"] tr[data-epoch="${epoch}"]`)
  const heaps: { worker: number; page: number }[] = []
  const measure = async () => {
    heaps.push({ worker: await workerHeap(browser), page: await pageHeap(page) })
  }
  // A few seconds an epoch on an idle 2-core machine; minutes when other jobs share it.
  for (let epoch = 1; epoch < EPOCHS; epoch++) {
    await rowOf(epoch).waitFor({ state: 'attached', timeout: 300_000 })
    await page.getByRole('button', { name: 'Pause' }).click()
    await expect(page.getByRole('button', { name: 'Resume' })).toBeVisible()
    await measure()
    await page.getByRole('button', { name: 'Resume' }).click()
  }
  const accuracy = await finalAccuracy(page)
  await measure()
  await page.getByTestId('tab-train').click()
  await expect(page.locator('.backend')).toContainText('Trained on')
  await page.getByTestId('memory-per-epoch').scrollIntoViewIfNeeded()
  await shot('33-five-epochs-memory', page)
  const rows = []
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    const row = rowOf(epoch)
    const tensors = Number(await row.getAttribute('data-tensors'))
    const bytes = Number(await row.getAttribute('data-bytes'))
    const { worker, page: pageUsed } = heaps[epoch - 1]!
    rows.push({ epoch, tensors, bytes, worker, page: pageUsed })
    const line = `epoch ${epoch}: ${tensors} tensors (${mb(bytes)} MB), worker heap ${mb(worker)} MB, page heap ${mb(pageUsed)} MB`
    console.log(line)
    test.info().annotations.push({ type: `epoch ${epoch}`, description: line })
  }

  // Stop reaches a wasm run mid-epoch too, whose read-backs never wait for the event loop.
  await page.getByTestId('train-start').click()
  const step = page.getByTestId('global-step')
  await expect(async () => expect(Number(await step.textContent())).toBeGreaterThan(50)).toPass({
    timeout: 120_000,
  })
  await page.getByRole('button', { name: 'Stop' }).click()
  await expect(page.getByTestId('results-panel')).toContainText('(stopped early)', {
    timeout: 15_000,
  })
  await page.getByTestId('tab-train').click()
  const stoppedAt = Number(await step.textContent())
  expect(stoppedAt, 'stopped within the first epoch').toBeLessThan(938)

  const first = rows[0]!
  const outcome = `${accuracy.toFixed(2)}% after ${EPOCHS} epochs, then a run stopped at batch ${stoppedAt}; tensors ${rows.map((r) => r.tensors).join(', ')}; worker heap ${rows.map((r) => mb(r.worker)).join(', ')} MB; page heap ${rows.map((r) => mb(r.page)).join(', ')} MB`
  test
    .info()
    .annotations.push(
      { type: 'cases', description: String(EPOCHS) },
      { type: 'outcome', description: outcome },
    )
  for (const r of rows) expect(r.tensors, `tensors after epoch ${r.epoch}`).toBe(first.tensors)
  for (const r of rows) expect(r.bytes, `tensor bytes after epoch ${r.epoch}`).toBe(first.bytes)
  for (const r of rows) {
    expect(r.worker - first.worker, `worker heap growth by epoch ${r.epoch}`).toBeLessThan(
      2 * 2 ** 20,
    )
    expect(r.page - first.page, `page heap growth by epoch ${r.epoch}`).toBeLessThan(4 * 2 ** 20)
  }
}
