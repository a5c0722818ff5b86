import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { expect, openFresh, test } from './fixtures'

/**
 * Where the package made here is kept for the registry test (scripts/reliability/registry.test.ts),
 * which publishes it to a local registry, installs it in a fresh project and checks its predictions
 * against the ones the studio computed.
 */
const KEPT = join(
  import.meta.dirname,
  '..',
  process.env.STUDIO_E2E_DIR ? `test-results-${process.env.STUDIO_E2E_DIR}` : 'test-results',
  'npm-package',
)

/** The files of a .tgz, by path inside `package/`. */
function untar(tgz: Buffer): Map<string, Buffer> {
  const tar = gunzipSync(tgz)
  const files = new Map<string, Buffer>()
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512)
    if (header.every((b) => b === 0)) break
    const field = (from: number, length: number) =>
      header
        .subarray(from, from + length)
        .toString()
        .replace(/\0.*$/s, '')
    const name = [field(345, 155), field(0, 100)].filter(Boolean).join('/')
    const size = Number.parseInt(field(124, 12), 8)
    files.set(name.replace(/^package\//, ''), tar.subarray(at + 512, at + 512 + size))
    at += 512 + Math.ceil(size / 512) * 512
  }
  return files
}

// wasm with threads (cross-origin isolated) trains a hundred batches in seconds.
test('exports the trained network as an npm package: a .tgz with its predictions, README and weights', async ({
  page,
  shot,
}) => {
  test.setTimeout(180_000)
  await openFresh(page, '?backend=wasm&maxSteps=150')
  await page.getByTestId('tab-train').click()
  await page.getByTestId('train-start').click()
  await expect(page.getByTestId('results-panel')).toBeVisible({ timeout: 150_000 })
  const accuracy = (await page.getByTestId('final-accuracy').textContent())!
  // The gallery shows the studio's predictions on the first test images.
  const gallery = await page
    .locator('.image-grid')
    .last()
    .locator('.image-cell')
    .evaluateAll((cells) =>
      cells.map((c) => ({
        index: Number(c.getAttribute('data-index')),
        predicted: Number(c.getAttribute('data-predicted')),
      })),
    )
  const shown = gallery
  expect(shown.map((s) => s.index)).toEqual(shown.map((_, i) => i))

  await page.getByTestId('file-menu').click()
  await page.getByRole('menuitem', { name: /^Export .*as npm package/ }).click()
  const dialog = page.getByTestId('package-dialog')
  await expect(dialog).toBeVisible()
  await expect(page.getByTestId('package-name')).toHaveValue('mnist-lesson')
  await page.getByTestId('package-name').fill('My Digits')
  await expect(dialog.getByTestId('package-error')).toContainText(
    'name can no longer contain capital letters',
  )
  await expect(page.getByTestId('package-download')).toBeDisabled()
  await shot('16-package-name-refused', dialog)
  await page.getByTestId('package-name').fill('tensorloom-e2e-digits')
  await dialog.getByLabel('Description').fill('Handwritten digits, trained in Tensorloom Studio')
  await expect(page.getByTestId('package-download')).toBeEnabled()
  const download = page.waitForEvent('download')
  await page.getByTestId('package-download').click()
  const file = await download
  expect(file.suggestedFilename()).toBe('tensorloom-e2e-digits-1.0.0.tgz')
  await expect(page.getByTestId('package-saved')).toContainText(
    'npm publish tensorloom-e2e-digits-1.0.0.tgz',
  )
  await shot('17-package-saved', dialog)

  const tgz = readFileSync(await file.path())
  const files = untar(tgz)
  expect([...files.keys()].sort()).toEqual([
    'README.md',
    'browser.js',
    'core.js',
    'graph.json',
    'index.d.ts',
    'model-card.json',
    'model.js',
    'node.js',
    'package.json',
    'weights.safetensors',
  ])
  const manifest = JSON.parse(files.get('package.json')!.toString())
  expect(manifest).toMatchObject({
    name: 'tensorloom-e2e-digits',
    version: '1.0.0',
    license: 'MIT',
    description: 'Handwritten digits, trained in Tensorloom Studio',
  })
  const card = JSON.parse(files.get('model-card.json')!.toString())
  expect(card.trainedWith).toBe('Tensorloom Studio')
  expect(card.training).toMatchObject({ 'batches trained': 150, backend: 'wasm' })
  expect(`${(card.evaluation.accuracy * 100).toFixed(2)}%`).toBe(accuracy)
  expect(card.reference.firstImages).toBe(100)
  // The card's predictions are the ones the studio shows.
  expect(card.reference.classIndex.slice(0, shown.length)).toEqual(shown.map((s) => s.predicted))
  const readme = files.get('README.md')!.toString()
  expect(readme).toContain(`**${accuracy} test accuracy**`)
  expect(readme).toContain('Confusion matrix')
  expect(files.get('weights.safetensors')!.length).toBeGreaterThan(101_770 * 4)

  rmSync(KEPT, { recursive: true, force: true })
  mkdirSync(KEPT, { recursive: true })
  copyFileSync(await file.path(), join(KEPT, file.suggestedFilename()))
  console.log(
    `kept ${join(KEPT, file.suggestedFilename())} (${tgz.length} bytes) for the registry test`,
  )
})
