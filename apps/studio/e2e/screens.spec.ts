import type { CDPSession, Locator, Page } from '@playwright/test'
import { block, edgeShape, expect, openFresh, settle, test } from './fixtures'

type Point = { x: number; y: number }

const centreOf = async (locator: Locator): Promise<Point> => {
  const box = (await locator.boundingBox())!
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 }
}

/** One finger from `from` to `to`, as touch events (Chromium's DevTools protocol). */
async function touchDrag(cdp: CDPSession, from: Point, to: Point, steps = 12) {
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [from] })
  for (let i = 1; i <= steps; i++) {
    const t = i / steps
    await cdp.send('Input.dispatchTouchEvent', {
      type: 'touchMove',
      touchPoints: [{ x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t }],
    })
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] })
}

/** Two fingers moving apart around `at`: a pinch that zooms in. */
async function pinchOut(cdp: CDPSession, at: Point, from: number, to: number, steps = 10) {
  const fingers = (d: number) => [
    { x: at.x - d / 2, y: at.y, id: 1 },
    { x: at.x + d / 2, y: at.y, id: 2 },
  ]
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: fingers(from) })
  for (let i = 1; i <= steps; i++) {
    await cdp.send('Input.dispatchTouchEvent', {
      type: 'touchMove',
      touchPoints: fingers(from + ((to - from) * i) / steps),
    })
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] })
}

function zoom(page: Page): Promise<number> {
  return page
    .locator('.react-flow__viewport')
    .evaluate((el) => new DOMMatrix(getComputedStyle(el).transform).a)
}

/** Nothing wider than the screen: no sideways scrolling, every header control on screen. */
async function expectFits(page: Page) {
  const { scroll, width } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
  }))
  expect(scroll).toBeLessThanOrEqual(width)
  for (const control of [
    page.getByTestId('file-menu'),
    page.getByRole('button', { name: 'Undo' }),
    page.getByRole('button', { name: 'Redo' }),
    page.getByTestId('template-menu'),
    page.getByTestId('issue-count'),
  ]) {
    await expect(control).toBeInViewport({ ratio: 1 })
  }
}

test.describe('on a phone, by touch', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true })

  test('canvas first: build, connect by tapping, drag, pinch zoom and train', async ({
    page,
    shot,
  }) => {
    test.setTimeout(240_000)
    await openFresh(page, '?backend=wasm&maxSteps=20')
    const canvas = page.locator('.canvas')
    expect((await canvas.boundingBox())!.width).toBeGreaterThanOrEqual(380)
    await expectFits(page)
    // Readable: the fit never zooms below 60%.
    expect(await zoom(page)).toBeGreaterThanOrEqual(0.6)
    await shot('50-phone-lesson')

    // The blocks drawer: a tap adds a block (nothing selected: in view, on a free spot).
    await page.locator('.react-flow__pane').tap({ position: { x: 10, y: 10 } })
    await page.getByTestId('open-palette').tap()
    await expect(page.locator('.palette')).toBeInViewport()
    await shot('51-phone-blocks-drawer')
    await page.getByTestId('palette-Dropout').tap()
    await expect(page.locator('.palette')).not.toBeInViewport()
    const dropout = block(page, 'Dropout')
    await expect(dropout).toBeInViewport()
    await expect(dropout.getByTestId('block-hint')).toHaveText('Not connected yet')

    const cdp = await page.context().newCDPSession(page)
    // Drag it by touch.
    const before = await centreOf(dropout)
    await touchDrag(cdp, before, { x: before.x - 40, y: before.y + 60 })
    await expect.poll(async () => (await centreOf(dropout)).y).toBeGreaterThan(before.y + 30)

    // Connect by tapping ReLU's output, then Dropout's input.
    await block(page, 'ReLU').locator('.react-flow__handle-bottom').tap()
    await dropout.locator('.react-flow__handle-top').tap()
    await expect(edgeShape(page, 'ReLU', 'Dropout')).toHaveText('(64, 128)')
    await shot('52-phone-tap-connected')

    // Pinch to zoom in.
    const at = await centreOf(canvas)
    const was = await zoom(page)
    await pinchOut(cdp, at, 80, 240)
    await expect.poll(() => zoom(page)).toBeGreaterThan(was * 1.3)
    await shot('53-phone-pinched')
    await settle(page)

    // Remove the loose Dropout, then train from the Train sheet.
    await page.getByRole('button', { name: 'Fit view' }).tap()
    await settle(page)
    await dropout.tap()
    await page.getByTestId('delete-selection').tap()
    await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
    await page.getByTestId('mobile-train').tap()
    await expect(page.locator('.side')).toBeInViewport()
    await expect(page.getByTestId('train-start')).toBeInViewport()
    await page.getByTestId('train-start').tap()
    await expect(page.getByTestId('results-panel')).toBeVisible({ timeout: 120_000 })
    await expect(page.getByTestId('mobile-results')).toHaveAttribute('aria-expanded', 'true')
    await shot('54-phone-results-sheet')
    await page.getByTestId('close-side').tap()
    await expect(page.locator('.side')).not.toBeInViewport()
  })
})

for (const viewport of [
  { width: 768, height: 1024 },
  { width: 1024, height: 768 },
]) {
  test.describe(`on a tablet ${viewport.width}x${viewport.height}`, () => {
    test.use({ viewport, hasTouch: true })

    test('the lesson is readable and every control is on screen', async ({ page, shot }) => {
      await openFresh(page)
      await expectFits(page)
      const canvas = (await page.locator('.canvas').boundingBox())!
      expect(canvas.width).toBeGreaterThanOrEqual(440)
      expect(await zoom(page)).toBeGreaterThanOrEqual(0.6)
      // Every block of the lesson is on screen.
      for (const type of ['MNIST', 'Flatten', 'CrossEntropyLoss']) {
        await expect(block(page, type)).toBeInViewport()
      }
      await shot(`55-tablet-${viewport.width}x${viewport.height}`)
      if (viewport.width < 900) {
        await page.getByTestId('mobile-train').tap()
      } else {
        await page.getByTestId('tab-train').tap()
      }
      await expect(page.getByTestId('train-start')).toBeInViewport()
      await shot(`56-tablet-${viewport.width}x${viewport.height}-train`)
    })
  })
}
