import { deflateSync, strToU8 } from 'fflate'
import { block, dragBetween, edgeShape, expect, openFresh, savedGraph, test } from './fixtures'

test.beforeEach(async ({ page }) => {
  await openFresh(page)
})

test('the lesson network renders with its shapes and 101,770 parameters', async ({
  page,
  shot,
}) => {
  await expect(edgeShape(page, 'Flatten', 'Linear')).toHaveText('(64, 784)')
  await expect(edgeShape(page, 'DataLoader', 'Flatten')).toHaveText('(64, 1, 28, 28)')
  await expect(edgeShape(page, 'Linear', 'ReLU')).toHaveText('(64, 128)')
  await expect(page.getByTestId('total-params')).toContainText('101,770')
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
  await expect(block(page, 'Linear').getByTestId('block-param-count')).toHaveText('100,480 params')
  await shot('01-lesson')
})

test('deleting Flatten shows the shape error and the fix restores it', async ({ page, shot }) => {
  await block(page, 'Flatten').click()
  await page.keyboard.press('Delete')
  await expect(block(page, 'Flatten')).toHaveCount(0)
  const linear = block(page, 'Linear')
  await expect(linear.getByTestId('block-issue')).toContainText(
    'mat1 and mat2 shapes cannot be multiplied (1792x28 and 784x128)',
  )
  await expect(edgeShape(page, 'DataLoader', 'Linear')).toHaveClass(/error/)
  await expect(page.getByTestId('issue-count')).toHaveText('1 error')
  await shot('02-shape-error')

  await linear.getByTestId('fix-button').click()
  await expect(edgeShape(page, 'Flatten', 'Linear')).toHaveText('(64, 784)')
  await expect(page.getByTestId('total-params')).toContainText('101,770')
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
  await shot('03-fixed')
})

test('the inspector edits parameters and refuses invalid values inline', async ({ page, shot }) => {
  await block(page, 'Linear', 0).click()
  const inspector = page.getByTestId('inspector')
  await expect(inspector.getByRole('heading', { name: 'Linear' })).toBeVisible()
  await expect(page.getByTestId('inspector-output-shape')).toHaveText('(64, 128)')
  const out = inspector.locator('input[data-param="outFeatures"]')
  await out.fill('-5')
  await expect(inspector.getByTestId('field-error')).toBeVisible()
  await expect(page.getByTestId('total-params')).toContainText('101,770')
  await out.fill('64')
  await out.press('Enter')
  await expect(inspector.getByTestId('field-error')).toHaveCount(0)
  await expect(edgeShape(page, 'Linear', 'ReLU')).toHaveText('(64, 64)')
  // The second Linear now gets 64 features where it expects 128: an error with a one-click fix.
  await expect(block(page, 'Linear', 1).getByTestId('block-issue')).toContainText(
    '64x64 and 128x10',
  )
  await shot('04-inspector')
  await block(page, 'Linear', 1).getByTestId('fix-button').click()
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
  await expect(page.getByTestId('total-params')).toContainText(
    (784 * 64 + 64 + 64 * 10 + 10).toLocaleString('en-US'),
  )
})

test('a block dragged from the palette can be wired in', async ({ page, shot }) => {
  const pane = page.locator('.react-flow__pane')
  const box = (await pane.boundingBox())!
  await page.getByTestId('palette-Dropout').dragTo(pane, {
    targetPosition: { x: box.width * 0.2, y: box.height * 0.82 },
  })
  const dropout = block(page, 'Dropout')
  await expect(dropout).toBeVisible()

  const relu = block(page, 'ReLU')
  await dragBetween(
    page,
    relu.locator('.react-flow__handle-bottom'),
    dropout.locator('.react-flow__handle-top'),
  )
  await expect(edgeShape(page, 'ReLU', 'Dropout')).toHaveText('(64, 128)')
  // The last Linear takes one input, from ReLU: a second wire is refused until that one is gone.
  const intoLinear = block(page, 'Linear', 1).locator('.react-flow__handle-top')
  await dragBetween(page, dropout.locator('.react-flow__handle-bottom'), intoLinear)
  await expect(page.getByRole('alert')).toContainText('Linear takes one input, and ReLU')
  await expect(edgeShape(page, 'Dropout', 'Linear')).toHaveCount(0)
  await edgeShape(page, 'ReLU', 'Linear').click()
  await page.keyboard.press('Delete')
  await dragBetween(page, dropout.locator('.react-flow__handle-bottom'), intoLinear)
  await expect(edgeShape(page, 'Dropout', 'Linear')).toHaveText('(64, 128)')
  await expect(page.getByRole('alert')).toHaveCount(0) // the refusal is out of date
  await expect(edgeShape(page, 'ReLU', 'Linear')).toHaveCount(0)
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
  await page.getByRole('button', { name: 'Auto-layout' }).click()
  await shot('05-palette-wired')

  // A connection that would form a cycle is refused.
  await dragBetween(
    page,
    block(page, 'Linear', 1).locator('.react-flow__handle-bottom'),
    dropout.locator('.react-flow__handle-top'),
  )
  await expect(edgeShape(page, 'ReLU', 'Dropout')).toHaveCount(1)
  await expect(edgeShape(page, 'Linear', 'Dropout')).toHaveCount(0)
})

test('undo restores a deleted block and redo deletes it again', async ({ page }) => {
  await block(page, 'ReLU').click()
  await page.getByTestId('delete-selection').click()
  await expect(block(page, 'ReLU')).toHaveCount(0)
  await page.keyboard.press('Control+z')
  await expect(block(page, 'ReLU')).toHaveCount(1)
  await expect(edgeShape(page, 'ReLU', 'Linear')).toHaveText('(64, 128)')
  await page.keyboard.press('Control+Shift+z')
  await expect(block(page, 'ReLU')).toHaveCount(0)
  await page.getByRole('button', { name: 'Undo' }).click()
  await expect(block(page, 'ReLU')).toHaveCount(1)
})

test('reload keeps the graph', async ({ page }) => {
  await page.getByLabel('Graph name').fill('My digits net')
  await block(page, 'Linear', 0).click()
  await page.getByTestId('inspector').locator('input[data-param="outFeatures"]').fill('200')
  await page.keyboard.press('Enter')
  await page.getByTestId('fix-button').click()
  await page.reload()
  await expect(page.getByLabel('Graph name')).toHaveValue('My digits net')
  await expect(page.getByTestId('total-params')).toContainText(
    (784 * 200 + 200 + 200 * 10 + 10).toLocaleString('en-US'),
  )
})

test('a bad import file shows an error and keeps the graph', async ({ page, shot }) => {
  await page.getByTestId('import-input').setInputFiles({
    name: 'broken.json',
    mimeType: 'application/json',
    buffer: Buffer.from(
      JSON.stringify({ version: 1, name: 'x', nodes: [{ id: 'n1', type: 'Lineer' }] }),
    ),
  })
  await expect(page.getByRole('alert')).toContainText('Could not open broken.json')
  await expect(page.getByTestId('total-params')).toContainText('101,770')
  await expect(edgeShape(page, 'Flatten', 'Linear')).toHaveText('(64, 784)')
  await shot('06-bad-import')
})

test('templates load, and the PyTorch export shows the model code', async ({ page, shot }) => {
  await page.getByTestId('template-menu').click()
  await page.getByRole('menuitem', { name: /Small CNN/ }).click()
  await expect(page.getByTestId('block-Conv2d')).toHaveCount(2)
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
  await shot('07-small-cnn')
  await page.getByTestId('file-menu').click()
  await page.getByRole('menuitem', { name: /Export PyTorch script/ }).click()
  await expect(page.getByTestId('code-dialog')).toContainText('nn.Conv2d')
  await shot('08-export-pytorch')
})

test('a share link opens the graph it carries', async ({ page, shot }) => {
  const saved = await savedGraph(page)
  const doc = JSON.parse(saved!) as {
    name: string
    nodes: { type: string; params: Record<string, unknown> }[]
  }
  doc.name = 'Shared with a friend'
  for (const node of doc.nodes) if (node.type === 'DataLoader') node.params.batchSize = 32
  const encoded = Buffer.from(deflateSync(strToU8(JSON.stringify(doc)))).toString('base64url')

  // Pasted into an open studio…
  await page.evaluate((hash) => {
    window.location.hash = hash
  }, `graph=${encoded}`)
  await expect(page.getByLabel('Graph name')).toHaveValue('Shared with a friend')
  await expect(edgeShape(page, 'Flatten', 'Linear')).toHaveText('(32, 784)')
  expect(new URL(page.url()).hash).toBe('')
  await shot('09-shared-link')

  // …and opened fresh in a new tab.
  await page.goto('about:blank')
  await page.goto(`/#graph=${encoded}`)
  await expect(page.getByLabel('Graph name')).toHaveValue('Shared with a friend')
  await expect(page.getByRole('status')).toContainText('Opened the shared graph')
})
