import type { Locator, Page } from '@playwright/test'
import { block, expect, openFresh, savedGraph, test } from './fixtures'

/** Width in pixels of a uPlot chart's y axis (its tick labels are drawn on a canvas). */
function yAxisWidth(chart: Locator): Promise<number> {
  return chart.evaluate((el) =>
    Math.max(
      ...Array.from(el.querySelectorAll('.u-axis'), (axis) => axis.getBoundingClientRect())
        .filter((box) => box.height > box.width)
        .map((box) => box.width),
    ),
  )
}

/** Records CSP violations in the page from before its first script runs. */
async function watchCsp(page: Page): Promise<string[]> {
  const violations: string[] = []
  await page.exposeFunction('__reportCsp', (text: string) => violations.push(text))
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { __reportCsp: (t: string) => void }).__reportCsp
      report(`${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`)
    })
  })
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) violations.push(`console: ${msg.text()}`)
  })
  page.on('worker', (worker) =>
    worker.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) violations.push(`worker: ${msg.text()}`)
    }),
  )
  return violations
}

test('the studio sends a Content-Security-Policy without unsafe-eval', async ({ page }) => {
  const response = await page.goto('/')
  const header = response?.headers()['content-security-policy'] ?? ''
  const meta = await page
    .locator('meta[http-equiv="Content-Security-Policy"]')
    .getAttribute('content')
  for (const policy of [header, meta ?? '']) {
    expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval'")
    expect(policy).toContain("object-src 'none'")
    expect(policy).not.toContain("'unsafe-eval'")
  }
  console.log(`CSP header: ${header}`)
})

test('an imported graph with markup and javascript: URLs in it is shown as text, never run', async ({
  page,
  shot,
}) => {
  const violations = await watchCsp(page)
  await openFresh(page)
  const payload = '<img src=x onerror="window.__pwned=1">'
  const saved = await savedGraph(page)
  const doc = JSON.parse(saved!) as {
    name: string
    nodes: { type: string; params: Record<string, unknown> }[]
  }
  doc.name = `${payload} javascript:window.__pwned=2`
  const mnist = doc.nodes.find((n) => n.type === 'MNIST')!
  if (typeof mnist.params.root === 'string') mnist.params.root = 'javascript:window.__pwned=3'
  await page.getByTestId('import-input').setInputFiles({
    name: '<script>window.__pwned=4</script>.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(doc)),
  })
  await expect(page.getByLabel('Graph name')).toHaveValue(doc.name)
  await block(page, 'MNIST').click()
  await page.waitForTimeout(300)
  expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined()
  await expect(page.locator('img[src="x"]')).toHaveCount(0)
  await expect(page.locator('script:not([src])')).toHaveCount(0)
  expect(violations).toEqual([])
  await shot('20-hostile-import')
})

test('a diverging run stops at the bad step, keeps the last good weights; stop and reload leave no stuck worker', async ({
  page,
  shot,
}) => {
  test.setTimeout(300_000)
  const violations = await watchCsp(page)
  await openFresh(page, '?maxSteps=100')
  // The lesson with an MSE loss on the one-hot labels and SGD at lr 10: the loss grows by orders of
  // magnitude per batch until it overflows (cross-entropy merely saturates at this rate).
  const saved = await savedGraph(page)
  const doc = JSON.parse(saved!) as {
    name: string
    nodes: { type: string; params: Record<string, unknown> }[]
    training: Record<string, unknown>
  }
  const loss = doc.nodes.find((n) => n.type === 'CrossEntropyLoss')!
  loss.type = 'MSELoss'
  loss.params = { reduction: 'mean' }
  doc.name = 'Too fast'
  doc.training = { ...doc.training, optimizer: 'SGD', lr: 10, momentum: 0.9 }
  await page.getByTestId('import-input').setInputFiles({
    name: 'too-fast.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(doc)),
  })
  await expect(page.getByLabel('Graph name')).toHaveValue('Too fast')
  await page.getByTestId('tab-train').click()
  await expect(page.locator('#setting-lr')).toHaveValue('10')
  await page.getByTestId('train-start').click()
  const notice = page.getByTestId('divergence')
  await expect(notice).toBeVisible({ timeout: 180_000 })
  await expect(notice).toContainText(/the loss became (NaN|Infinity|-Infinity) at batch \d+/)
  await expect(notice).toContainText('try a smaller learning rate')
  const divergedAt = Number(/at batch (\d+)/.exec((await notice.textContent()) ?? '')?.[1])
  expect(divergedAt).toBeGreaterThan(0)
  expect(divergedAt).toBeLessThan(100)
  await expect(page.getByTestId('progress')).toContainText('Diverged')
  // The progress line counts to the batch the notice names.
  await expect(page.getByTestId('global-step')).toHaveText(String(divergedAt))
  await shot('21-diverged')
  // Its loss reaches millions: the y axis widens so that no tick label is cut off.
  const chart = page.getByTestId('loss-chart')
  await chart.scrollIntoViewIfNeeded()
  const divergedAxis = await yAxisWidth(chart)
  await shot('21b-diverged-loss-chart', chart)
  // The last good weights are kept: the results are computed from them, and are finite.
  await page.getByTestId('tab-results').click()
  const accuracy = page.getByTestId('final-accuracy')
  await expect(accuracy).toHaveText(/^\d+\.\d\d%$/)
  await expect(page.getByTestId('results-panel')).toContainText(`batch ${divergedAt}`)
  await shot('22-diverged-results')

  // The suggested learning rate is one click away; then a sane one, and a run that is stopped.
  await page.getByTestId('tab-train').click()
  await page.getByTestId('use-smaller-lr').click()
  await expect(page.locator('#setting-lr')).toHaveValue('1')
  await page.locator('#setting-lr').fill('0.001')
  await page.locator('#setting-lr').press('Enter')
  // Long enough that the fast path cannot finish before Stop lands, stopped after a batch or two.
  await page.locator('#setting-max-steps').fill('5000')
  await page.locator('#setting-max-steps').press('Enter')
  await page.getByTestId('train-start').click()
  await expect(page.getByTestId('global-step')).toHaveText(/^[1-9]/, { timeout: 120_000 })
  await page.getByRole('button', { name: 'Stop' }).click()
  await expect(page.getByTestId('results-panel')).toContainText('(stopped early)', {
    timeout: 60_000,
  })
  await page.getByTestId('tab-train').click()
  await expect(page.getByTestId('progress')).toContainText('Stopped')
  // A loss of 0–2.3 gets a narrow y axis; the diverged run's millions got a wider one.
  const saneAxis = await yAxisWidth(page.getByTestId('loss-chart'))
  expect(saneAxis).toBeGreaterThan(0)
  expect(divergedAxis).toBeGreaterThan(saneAxis)
  await expect(page.getByTestId('divergence')).toHaveCount(0)

  // Reload mid-run: the graph and the last finished results survive, and a new run completes.
  await page.getByTestId('train-start').click()
  await expect(page.getByTestId('global-step')).toBeVisible({ timeout: 120_000 })
  await page.reload()
  await expect(block(page, 'Flatten')).toBeVisible()
  await page.getByTestId('tab-results').click()
  await expect(page.getByTestId('last-run')).toBeVisible()
  await expect(page.getByTestId('last-run-accuracy')).toHaveText(/^\d+\.\d\d%$/)
  await expect(page.getByTestId('confusion-matrix')).toBeVisible()
  await shot('23-after-reload-last-run')
  await page.getByTestId('tab-train').click()
  await expect(page.locator('#setting-optimizer')).toHaveValue('SGD')
  await expect(page.locator('#setting-lr')).toHaveValue('0.001')
  await page.locator('#setting-max-steps').fill('30')
  await page.locator('#setting-max-steps').press('Enter')
  await page.getByTestId('train-start').click()
  await expect(page.getByTestId('results-panel')).toBeVisible({ timeout: 180_000 })
  await expect(page.getByTestId('final-accuracy')).toHaveText(/^\d+\.\d\d%$/)
  await shot('24-trained-after-reload')
  expect(violations).toEqual([])
})

test('numeric inputs refuse empty, negative, fractional and huge values inline', async ({
  page,
  shot,
}) => {
  await openFresh(page)
  await block(page, 'Linear').click()
  const out = page.getByLabel('out_features')
  await expect(out).toHaveValue('128')
  const error = page.getByTestId('field-error')
  for (const text of ['', '-5', '2.5', '1e400']) {
    await out.fill(text)
    await expect(error, `out_features = "${text}"`).toBeVisible()
    // The refused value is not applied: the graph keeps 101,770 parameters.
    await expect(page.getByTestId('total-params')).toContainText('101,770')
  }
  await shot('25-inspector-refuses')
  await out.fill('64')
  await out.press('Enter')
  await expect(error).toHaveCount(0)
  await expect(page.getByTestId('total-params')).toContainText(
    // The second Linear still expects 128 inputs: its shape error is shown, its params counted.
    (784 * 64 + 64 + 128 * 10 + 10).toLocaleString('en-US'),
  )

  await page.getByTestId('tab-train').click()
  const lr = page.locator('#setting-lr')
  for (const text of ['', '-1', '0', '1e400']) {
    await lr.fill(text)
    await expect(error, `lr = "${text}"`).toBeVisible()
  }
  await lr.fill('0.01')
  await expect(error).toHaveCount(0)
  const maxSteps = page.locator('#setting-max-steps')
  for (const text of ['abc', '-3', '1.5', '1e12']) {
    await maxSteps.fill(text)
    await expect(error, `max steps = "${text}"`).toBeVisible()
  }
  await shot('26-training-inputs-refuse')
  await maxSteps.fill('')
  await expect(error).toHaveCount(0)
})
