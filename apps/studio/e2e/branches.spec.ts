import type { Locator, Page } from '@playwright/test'
import { block, dragBetween, edgeShape, expect, openFresh, settle, test } from './fixtures'

/** The wire's shape pill into port `port` of a merge block of type `to`. */
function portShape(page: Page, to: string, port: string): Locator {
  return page.locator(`[data-testid="edge-shape"][data-edge-to="${to}"][data-edge-port="${port}"]`)
}

const output = (b: Locator) => b.locator('.react-flow__handle-bottom')
const input = (b: Locator) => b.locator('.react-flow__handle-top')
const port = (b: Locator, name: string) => b.locator(`.react-flow__handle[data-handleid="${name}"]`)

async function openTemplate(page: Page, label: string) {
  await page.getByTestId('template-menu').click()
  await page.getByRole('menuitem', { name: new RegExp(label) }).click()
  await settle(page)
}

test('the branching templates open laid out, with a handle per port and a shape on every wire', async ({
  page,
  shot,
}) => {
  await openFresh(page)
  await page.getByTestId('template-menu').click()
  for (const label of ['Residual MLP', 'Two towers', 'Small ResNet']) {
    await expect(page.getByRole('menuitem', { name: new RegExp(label) })).toBeVisible()
  }
  await page.keyboard.press('Escape')

  await openTemplate(page, 'Residual MLP')
  await expect(page.getByLabel('Graph name')).toHaveValue('Residual MLP')
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
  const add = block(page, 'Add')
  await expect(add.getByTestId('port-label')).toHaveText(['a', 'b'])
  await expect(add.getByTestId('block-output')).toHaveText('→ (64, 128)')
  await expect(portShape(page, 'Add', 'a')).toHaveText('(64, 128)')
  await expect(portShape(page, 'Add', 'b')).toHaveText('(64, 128)')
  await expect(page.getByTestId('edge-shape').filter({ hasText: '?' })).toHaveCount(0)
  await page.mouse.move(0, 0)
  await shot('20-residual-mlp')
  await shot('20b-residual-add', add)
  await add.click()
  await expect(page.getByTestId('inspector-input-a')).toHaveText('(64, 128)')
  await expect(page.getByTestId('inspector-input-b')).toHaveText('(64, 128)')
  await expect(page.getByTestId('inspector-output-shape')).toHaveText('(64, 128)')

  await openTemplate(page, 'Two towers')
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
  const concat = block(page, 'Concat')
  // The two connected ports and one free port, to add a third input.
  await expect(concat.getByTestId('port-label')).toHaveText(['0', '1', '2'])
  await expect(portShape(page, 'Concat', '0')).toHaveText('(64, 128)')
  await expect(portShape(page, 'Concat', '1')).toHaveText('(64, 32)')
  await expect(concat.getByTestId('block-output')).toHaveText('→ (64, 160)')
  await shot('21-two-towers')

  await openTemplate(page, 'Small ResNet')
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
  await expect(page.getByTestId('block-Add')).toHaveCount(2)
  await expect(portShape(page, 'Add', 'b').first()).toHaveText('(64, 16, 14, 14)')
  await shot('22-small-resnet')
})

test('a second wire into a one-input block is refused, saying what to do', async ({
  page,
  shot,
}) => {
  await openFresh(page)
  // Flatten into ReLU, which the first Linear already feeds.
  await dragBetween(page, output(block(page, 'Flatten')), input(block(page, 'ReLU')))
  await expect(page.getByRole('alert')).toContainText(
    'ReLU takes one input, and Linear (n6) is already connected: remove that wire first (or use an Add or Concat block to join both)',
  )
  await expect(edgeShape(page, 'Flatten', 'ReLU')).toHaveCount(0)
  await expect(edgeShape(page, 'Linear', 'ReLU')).toHaveText('(64, 128)')
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
  await shot('23-second-wire-refused')
})

test.describe('on a large screen', () => {
  test.use({ viewport: { width: 1920, height: 1200 } })

  test('builds a residual block by hand, sees the mismatched Add and fixes it with one click', async ({
    page,
    shot,
  }) => {
    await openFresh(page)
    const pane = page.locator('.react-flow__pane')
    const paneBox = (await pane.boundingBox())!
    // Pan the lesson to the left edge to make room on the right, dragging the empty canvas.
    const mnist = (await block(page, 'MNIST').boundingBox())!
    const grab = { x: paneBox.x + 30, y: paneBox.y + 150 }
    await page.mouse.move(grab.x, grab.y)
    await page.mouse.down()
    await page.mouse.move(grab.x - (mnist.x - paneBox.x - 24), grab.y, { steps: 8 })
    await page.mouse.up()
    await expect
      .poll(async () => (await block(page, 'MNIST').boundingBox())!.x)
      .toBeLessThan(paneBox.x + 40)
    const relu = block(page, 'ReLU')
    const reluBox = (await relu.boundingBox())!
    // A column right of the model, with room for the issue cards beside it.
    const column = reluBox.x + reluBox.width + 90 + reluBox.width / 2
    /** Drags a block from the palette to a point of the page; returns the new block. */
    const drop = async (type: string, x: number, y: number) => {
      await page.getByTestId(`palette-${type}`).dragTo(pane, {
        targetPosition: { x: x - paneBox.x, y: y - paneBox.y },
      })
      const id = await page
        .locator('.react-flow__node.selected .block')
        .getAttribute('data-node-id')
      return page.locator(`.block[data-node-id="${id}"]`)
    }
    /** Sets a parameter in the inspector of the selected block. */
    const set = async (param: string, value: string) => {
      await page.getByTestId('inspector').locator(`input[data-param="${param}"]`).fill(value)
      await page.keyboard.press('Enter')
    }

    // A branch beside the model: Linear(128, 128) -> ReLU -> Linear(128, 64), then an Add.
    const wide = await drop('Linear', column, reluBox.y + 32)
    await set('inFeatures', '128')
    const relu2 = await drop('ReLU', column, reluBox.y + 32 + 110)
    const narrow = await drop('Linear', column, reluBox.y + 32 + 220)
    await set('inFeatures', '128')
    await set('outFeatures', '64')
    const add = await drop('Add', column, reluBox.y + 32 + 340)
    await expect(add.getByTestId('port-label')).toHaveText(['a', 'b'])
    const classifier = block(page, 'Linear', 1) // Linear(128, 10)
    await expect(classifier).toContainText('128 → 10')

    // Take the wire ReLU -> Linear(128, 10) out: click its shape, press Delete.
    await edgeShape(page, 'ReLU', 'Linear').click()
    await page.keyboard.press('Delete')
    await expect(edgeShape(page, 'ReLU', 'Linear')).toHaveCount(0)

    // Wire the branch with the mouse, handle to handle.
    await dragBetween(page, output(relu), input(wide))
    await dragBetween(page, output(wide), input(relu2))
    await dragBetween(page, output(relu2), input(narrow))
    await dragBetween(page, output(narrow), port(add, 'a'))
    await dragBetween(page, output(relu), port(add, 'b')) // the skip connection
    await dragBetween(page, output(add), input(classifier))
    await expect(page.getByTestId('edge-shape')).toHaveCount(8 + 5)

    // A third wire into a taken port is refused.
    await dragBetween(page, output(relu2), port(add, 'a'))
    await expect(page.getByTestId('notice-text')).toHaveText(
      /^Add's input a is already connected to Linear \(n\d+\): remove that wire first$/,
    )
    await page.getByRole('alert').getByRole('button', { name: 'Dismiss' }).click()

    // (64, 64) + (64, 128): PyTorch's broadcasting error, with a projection as the fix.
    await expect(portShape(page, 'Add', 'a')).toHaveText('(64, 64)')
    await expect(portShape(page, 'Add', 'b')).toHaveText('(64, 128)')
    const issue = add.getByTestId('block-issue')
    await expect(issue).toContainText(
      'The size of tensor a (64) must match the size of tensor b (128) at non-singleton dimension 1',
    )
    await expect(add.getByTestId('fix-button')).toHaveText('⚡ Insert Linear(64, 128) on input a')
    await expect(page.getByTestId('issue-count')).toHaveText('1 error')
    await page.mouse.move(0, 0)
    await shot('24-residual-by-hand')
    await page.getByRole('button', { name: 'Auto-layout' }).click()
    await settle(page)
    await expect(issue).toBeVisible()
    await shot('25-residual-mismatch')

    await add.getByTestId('fix-button').click()
    await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
    await expect(add.getByTestId('block-issue')).toHaveCount(0)
    await expect(portShape(page, 'Add', 'a')).toHaveText('(64, 128)')
    await expect(portShape(page, 'Add', 'b')).toHaveText('(64, 128)')
    await expect(edgeShape(page, 'Add', 'Linear')).toHaveText('(64, 128)')
    await expect(add.getByTestId('block-output')).toHaveText('→ (64, 128)')
    // The lesson's 101,770 and Linear(128, 128), Linear(128, 64), Linear(64, 128).
    const total = 101_770 + (128 * 128 + 128) + (128 * 64 + 64) + (64 * 128 + 128)
    await expect(page.getByTestId('total-params')).toContainText(total.toLocaleString('en-US'))
    await settle(page)
    await shot('26-residual-fixed')
  })
})

// SwiftShader's WebGL: 200 batches, not epochs (see TOOLCHAIN.md).
test('trains the residual MLP on WebGL to over 90% test accuracy in 200 batches', async ({
  page,
  shot,
}) => {
  test.setTimeout(420_000)
  await openFresh(page, '?maxSteps=200&backend=webgl')
  await openTemplate(page, 'Residual MLP')
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
  await page.getByTestId('tab-train').click()
  await expect(page.locator('#setting-max-steps')).toHaveValue('200')
  await page.getByTestId('train-start').click()
  await expect(page.getByTestId('backend')).toHaveText('webgl', { timeout: 60_000 })
  await expect(page.getByTestId('results-panel')).toBeVisible({ timeout: 360_000 })
  await expect(page.getByTestId('results-panel')).toContainText('after 200 batches')
  const accuracy = Number.parseFloat(
    ((await page.getByTestId('final-accuracy').textContent()) ?? '').replace('%', ''),
  )
  console.log(`residual MLP, 200 batches on webgl: test accuracy ${accuracy}%`)
  expect(accuracy).toBeGreaterThan(90)
  await page.mouse.move(0, 0)
  await shot('27-residual-trained')
})
