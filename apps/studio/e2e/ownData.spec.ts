import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { zipSync } from 'fflate'
import {
  grayPng,
  hasFashionMnist,
  writeFashionFolder,
} from '../../../scripts/testing/fashionFolder'
import { block, expect, openFresh, savedGraph as savedText, test } from './fixtures'
import { traceMainThread } from './mainThread'

const IRIS = '/usr/lib/python3/dist-packages/sklearn/datasets/data/iris.csv'
/** A CIFAR-10 archive in the official format with 12 images per batch (data's test fixture). */
const CIFAR_FIXTURE = join(
  import.meta.dirname,
  '../../../packages/data/src/fixtures/cifar10/cifar-10-python.tar.gz',
)

type Doc = {
  version?: number
  name: string
  nodes: { id: string; type: string; params: Record<string, unknown>; position?: object }[]
  edges: { id: string; source: string; target: string }[]
  training: Record<string, unknown>
}

/** The graph the studio autosaved (the lesson, after openFresh). */
async function savedGraph(page: Page): Promise<Doc> {
  return JSON.parse((await savedText(page))!) as Doc
}

/** Opens `doc` through File > Open graph file. */
async function openGraph(page: Page, doc: object) {
  await page.getByTestId('import-input').setInputFiles({
    name: 'graph.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(doc)),
  })
}

/** A chain of blocks as a graph document (parameters not given take their defaults). */
function chain(name: string, steps: [string, Record<string, unknown>?][], training = {}): Doc {
  const nodes = steps.map(([type, params], i) => ({
    id: `n${i + 1}`,
    type,
    params: params ?? {},
    position: { x: 0, y: i * 110 },
  }))
  const edges = nodes
    .slice(1)
    .map((n, i) => ({ id: `e${i + 1}`, source: `n${i + 1}`, target: n.id }))
  return {
    version: 2,
    name,
    nodes,
    edges,
    training: { optimizer: 'Adam', lr: 0.01, epochs: 40, seed: 0, ...training },
  }
}

const temp = mkdtempSync(join(tmpdir(), 'studio-own-data-'))
test.afterAll(() => rmSync(temp, { recursive: true, force: true }))

/** Drops `files` on the canvas at (x, y) of the pane, as a DataTransfer built in the page. */
async function dropFiles(
  page: Page,
  files: { name: string; text?: string; base64?: string }[],
  at: { x: number; y: number } = { x: 0.5, y: 0.5 },
) {
  const pane = page.locator('.react-flow__pane')
  const box = (await pane.boundingBox())!
  const x = box.x + box.width * at.x
  const y = box.y + box.height * at.y
  await page.evaluate(
    ({ files, x, y }) => {
      const dt = new DataTransfer()
      for (const f of files) {
        const bytes = f.base64
          ? Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))
          : new TextEncoder().encode(f.text ?? '')
        dt.items.add(new File([bytes], f.name))
      }
      const target = document.elementFromPoint(x, y)!
      for (const type of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(
          new DragEvent(type, {
            bubbles: true,
            cancelable: true,
            clientX: x,
            clientY: y,
            dataTransfer: dt,
          }),
        )
      }
    },
    { files, x, y },
  )
}

/** Clicks the one-click fixes on the canvas, one at a time, until none is left. */
async function applyFixes(page: Page, max = 8) {
  const fixes = page.locator('.react-flow').getByTestId('fix-button')
  const state = async () => JSON.stringify(await fixes.allTextContents())
  for (let i = 0; i < max && (await fixes.count()) > 0; i++) {
    const before = await state()
    await fixes.first().click()
    await expect.poll(state).not.toBe(before)
  }
}

/** Sets the Train panel's epochs, learning rate and batch limit. */
async function trainSettings(page: Page, s: { epochs?: number; lr?: number }) {
  await page.getByTestId('tab-train').click()
  if (s.epochs) await page.locator('#setting-epochs').fill(String(s.epochs))
  if (s.epochs) await page.locator('#setting-epochs').press('Enter')
  if (s.lr) await page.locator('#setting-lr').fill(String(s.lr))
  if (s.lr) await page.locator('#setting-lr').press('Enter')
}

async function trainToResults(page: Page, timeout = 240_000): Promise<number> {
  await page.getByTestId('tab-train').click()
  await page.getByTestId('train-start').click()
  await expect(page.getByTestId('results-panel')).toBeVisible({ timeout })
  return Number.parseFloat(
    ((await page.getByTestId('final-accuracy').textContent()) ?? '').replace('%', ''),
  )
}

test('a class folder of real PNGs: picked, previewed, trained better than chance, still there after a reload', async ({
  page,
  shot,
}) => {
  test.skip(!hasFashionMnist(), "needs Debian's dataset-fashion-mnist")
  test.setTimeout(300_000)
  const dir = join(temp, 'fashion')
  const classes = await writeFashionFolder(dir, { perClass: 60, classes: [0, 1, 8] })
  // A file that is not an image of a class is left out, and said so.
  writeFileSync(join(dir, 'README.txt'), 'FashionMNIST test images as PNG files')
  await openFresh(page, '?maxSteps=120')

  const started = Date.now()
  await page.getByTestId('data-folder-input').setInputFiles(dir)
  await expect(page.getByTestId('notice-text')).toContainText(
    'Kept fashion in this browser: 3 classes, 180 images',
    { timeout: 60_000 },
  )
  console.log(`folder of 180 PNGs imported in ${Date.now() - started} ms`)
  const folder = block(page, 'ImageFolder')
  await expect(folder).toBeVisible()
  await expect(block(page, 'MNIST')).toHaveCount(0)
  await expect(folder).toContainText('3 classes · gray 28×28')
  const preview = page.getByTestId('data-preview')
  await expect(preview.getByTestId('class-counts')).toContainText(classes[0]!)
  await expect(preview.getByTestId('data-kept')).toContainText('local:fashion-1')
  await expect(preview).toContainText('README.txt')
  // The lesson's last Linear has 10 outputs for 3 classes, and nothing is held out to test on:
  // both come with their one-click fix.
  await expect(block(page, 'Linear', 1).getByTestId('block-issue')).toContainText(
    'the data has 3 classes',
  )
  await expect(block(page, 'DataLoader').getByTestId('block-issue')).toContainText(
    'has no test split',
  )
  await shot('30-folder-dropped')
  await applyFixes(page)
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
  await expect(block(page, 'RandomSplit')).toBeVisible()
  await expect(block(page, 'Linear', 1)).toContainText('128 → 3')

  await folder.click()
  await page.getByRole('button', { name: /Show 30 samples/ }).click()
  await expect(preview.locator('.image-grid canvas')).toHaveCount(30)
  await expect(preview.locator('.image-grid')).toContainText('Trouser')
  await shot('31-folder-preview', preview)

  await trainSettings(page, { epochs: 60 })
  const accuracy = await trainToResults(page)
  console.log(`class folder: ${accuracy}% test accuracy after 120 batches`)
  expect(accuracy).toBeGreaterThan(60) // chance: 33%
  await expect(page.getByTestId('confusion-matrix')).toHaveAttribute('data-classes', '3')
  await expect(page.getByTestId('results-panel')).toContainText('Bag')
  await page.mouse.move(0, 0)
  await shot('32-folder-results')

  // The exported script reads the folder the images came from, as torchvision's ImageFolder.
  await page.getByTestId('file-menu').click()
  await page.getByRole('menuitem', { name: /Export PyTorch script/ }).click()
  const code = page.getByTestId('code-dialog')
  await expect(code).toContainText("parser.add_argument('--data-root', default='fashion'")
  await expect(code).toContainText('datasets.ImageFolder(root=args.data_root')
  await expect(code).not.toContainText('local:')
  await page.keyboard.press('Escape')
  // Nothing can leave the page: the policy's connect-src is the studio's own origin only.
  const policy = (await page.request.get('/')).headers()['content-security-policy']
  expect(policy).toContain("connect-src 'self';")

  // The data is kept in the browser: after a reload the block still has it, and it trains again.
  await page.reload()
  await expect(block(page, 'ImageFolder')).toBeVisible()
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
  await block(page, 'ImageFolder').click()
  await expect(page.getByTestId('data-kept')).toContainText('fashion')
  await page.getByRole('button', { name: /Show 30 samples/ }).click()
  await expect(page.getByTestId('data-preview').locator('.image-grid canvas')).toHaveCount(30)
  await shot('33-folder-after-reload')
})

test('iris from scikit-learn: a CSV dropped on the canvas, its first line recognised, over 90% with a small MLP', async ({
  page,
  shot,
}) => {
  test.skip(!existsSync(IRIS), 'needs python3-sklearn')
  test.setTimeout(300_000)
  // Small batches of 4 numbers: the wasm backend runs them faster than WebGL on SwiftShader.
  await openFresh(page, '?backend=wasm')
  await dropFiles(page, [{ name: 'iris.csv', text: readFileSync(IRIS, 'utf8') }])
  await expect(page.getByTestId('notice-text')).toContainText(
    'Kept iris.csv in this browser: 150 rows, 4 features, 3 classes',
    { timeout: 30_000 },
  )
  const csv = block(page, 'CSVDataset')
  await expect(csv).toContainText('4 features → 4 (3 classes)')
  const preview = page.getByTestId('data-preview')
  await expect(preview.getByTestId('csv-detected')).toContainText("scikit-learn's")
  await expect(preview.getByTestId('csv-header')).not.toBeChecked()
  await expect(preview.getByTestId('csv-skip-rows')).toHaveValue('1')
  await expect(preview.getByTestId('class-counts')).toContainText('setosa')
  await expect(preview.getByTestId('csv-preview')).toContainText('5.1')
  await shot('34-iris-dropped')
  await applyFixes(page)
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
  await expect(block(page, 'Linear', 0)).toContainText('4 → 128')
  await expect(block(page, 'Linear', 1)).toContainText('128 → 3')
  // 30% of 150 rows held out (45 rows: with 30, one borderline flower is 3.3 points), batches of
  // 16 from the other 105.
  await block(page, 'RandomSplit').click()
  await page.getByTestId('inspector').locator('input[data-param="train"]').fill('0.7')
  await page.getByTestId('inspector').locator('input[data-param="train"]').press('Enter')
  await expect(block(page, 'RandomSplit')).toContainText('70% train')
  await block(page, 'DataLoader').click()
  await page.getByTestId('inspector').locator('input[data-param="batchSize"]').fill('16')
  await page.getByTestId('inspector').locator('input[data-param="batchSize"]').press('Enter')
  await expect(block(page, 'DataLoader')).toContainText('batch 16')

  await trainSettings(page, { epochs: 60, lr: 0.003 })
  const accuracy = await trainToResults(page)
  console.log(`iris: ${accuracy}% test accuracy after 60 epochs of 7 batches`)
  expect(accuracy).toBeGreaterThan(90)
  await expect(page.getByTestId('confusion-matrix')).toHaveAttribute('data-classes', '3')
  await expect(page.getByTestId('prediction-rows')).toContainText('versicolor')
  await page.mouse.move(0, 0)
  await shot('35-iris-results')

  await page.reload()
  await expect(block(page, 'CSVDataset')).toBeVisible()
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
  await block(page, 'CSVDataset').click()
  await expect(page.getByTestId('data-kept')).toContainText('iris.csv')
})

test('a .zip of class folders with images of two sizes: the Resize fix makes them one size', async ({
  page,
  shot,
}) => {
  test.skip(!hasFashionMnist(), "needs Debian's dataset-fashion-mnist")
  test.setTimeout(180_000)
  const dir = join(temp, 'zipped')
  await writeFashionFolder(dir, { perClass: 30, classes: [5, 7] })
  // Two bigger images among the 28x28 ones.
  const pixels = new Uint8Array(36 * 36).map((_, i) => (i * 7) % 256)
  writeFileSync(join(dir, 'Sandal', 'big-1.png'), grayPng(36, 36, pixels))
  writeFileSync(join(dir, 'Sneaker', 'big-2.png'), grayPng(36, 36, pixels))
  const tree: Record<string, Uint8Array> = {}
  for (const cls of readdirSync(dir)) {
    for (const f of readdirSync(join(dir, cls))) {
      tree[`shoes/${cls}/${f}`] = new Uint8Array(readFileSync(join(dir, cls, f)))
    }
  }
  const zip = Buffer.from(zipSync(tree)).toString('base64')
  await openFresh(page, '?maxSteps=80')
  await dropFiles(page, [{ name: 'shoes.zip', base64: zip }])
  await expect(page.getByTestId('notice-text')).toContainText(
    'Kept shoes.zip in this browser: 2 classes, 62 images',
    { timeout: 30_000 },
  )
  await expect(page.getByTestId('data-sizes')).toContainText('28×28 (60), 36×36 (2)')
  const loader = block(page, 'DataLoader')
  await expect(loader.getByTestId('block-issue')).toContainText('differ in size')
  await expect(page.getByTestId('issue-count')).toHaveText('1 error')
  await shot('47-zip-mixed-sizes')
  await applyFixes(page)
  await expect(block(page, 'Resize')).toContainText('28')
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
  await trainSettings(page, { epochs: 80 }) // 50 training images: one batch per epoch
  const accuracy = await trainToResults(page)
  console.log(`zip of two classes, mixed sizes resized: ${accuracy}% after 80 batches`)
  expect(accuracy).toBeGreaterThan(70) // chance: 50%
})

test('a regression table (scikit-learn’s boston): MSELoss by one click, R² in the results', async ({
  page,
  shot,
}) => {
  const boston = '/usr/lib/python3/dist-packages/sklearn/datasets/data/boston_house_prices.csv'
  test.skip(!existsSync(boston), 'needs python3-sklearn')
  test.setTimeout(180_000)
  await openFresh(page, '?backend=wasm&maxSteps=400')
  await dropFiles(page, [{ name: 'boston.csv', text: readFileSync(boston, 'utf8') }])
  await expect(page.getByTestId('notice-text')).toContainText(
    'Kept boston.csv in this browser: 506 rows, 13 features (regression)',
    { timeout: 30_000 },
  )
  await expect(page.getByTestId('csv-header')).toBeChecked()
  await expect(block(page, 'CSVDataset')).toContainText('13 features → MEDV (number)')
  await applyFixes(page, 12)
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
  await expect(block(page, 'MSELoss')).toBeVisible()
  // The features span 0.4 to 700: the lesson's Normalize does not suit them, a BatchNorm would.
  await trainSettings(page, { epochs: 50, lr: 0.001 })
  await page.getByTestId('train-start').click()
  await expect(page.getByTestId('results-panel')).toBeVisible({ timeout: 120_000 })
  await expect(page.getByTestId('final-r2')).toHaveText(/^-?\d+\.\d{3}$/)
  await expect(page.getByTestId('results-panel')).toContainText('mean absolute error')
  console.log(`boston: R² ${await page.getByTestId('final-r2').textContent()}`)
  await page.mouse.move(0, 0)
  await shot('48-regression-results')
})

test('FashionMNIST, offered by the palette, is bundled with this build: previewed with its class names and trained', async ({
  page,
  shot,
}) => {
  test.skip(!hasFashionMnist(), "needs Debian's dataset-fashion-mnist at build time")
  test.setTimeout(300_000)
  await openFresh(page, '?maxSteps=150')
  const doc = await savedGraph(page)
  const dataset = doc.nodes.find((n) => n.type === 'MNIST')!
  dataset.type = 'FashionMNIST'
  doc.nodes.find((n) => n.type === 'Normalize')!.params = { mean: [0.286], std: [0.353] }
  doc.name = 'FashionMNIST MLP'
  await openGraph(page, doc)
  await expect(block(page, 'FashionMNIST')).toBeVisible()
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
  await block(page, 'FashionMNIST').click()
  const preview = page.getByTestId('data-preview')
  await expect(preview).toContainText('Ships with this build of the studio')
  await page.getByRole('button', { name: /Show 30 samples/ }).click()
  await expect(preview.locator('.image-grid canvas')).toHaveCount(30, { timeout: 60_000 })
  await expect(preview.locator('.image-grid')).toContainText('Ankle boot')
  await shot('36-fashion-preview', preview)
  // 28x28 gray images in 10 classes: the digit pad applies.
  await expect(page.getByTestId('tab-draw')).toBeVisible()

  const accuracy = await trainToResults(page)
  console.log(`FashionMNIST (bundled): ${accuracy}% test accuracy after 150 batches`)
  expect(accuracy).toBeGreaterThan(60) // chance: 10%
  await expect(page.getByTestId('class-legend')).toContainText('9 Ankle boot')
  await page.mouse.move(0, 0)
  await shot('37-fashion-results')
})

test('Toy2D: the decision boundary is drawn beside the loss chart while the model learns', async ({
  page,
  browser,
  shot,
}) => {
  test.setTimeout(240_000)
  await openFresh(page, '?backend=wasm&maxSteps=1500')
  await openGraph(
    page,
    chain(
      'Two moons',
      [
        ['Toy2D', { problem: 'moons', samples: 600, noise: 0.15, seed: 3 }],
        ['RandomSplit', { train: 0.75, seed: 3 }],
        ['DataLoader', { batchSize: 16 }],
        ['Linear', { inFeatures: 2, outFeatures: 16 }],
        ['ReLU'],
        ['Linear', { inFeatures: 16, outFeatures: 16 }],
        ['ReLU'],
        ['Linear', { inFeatures: 16, outFeatures: 2 }],
        ['CrossEntropyLoss'],
      ],
      { epochs: 60, lr: 0.01 },
    ),
  )
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
  await block(page, 'Toy2D').click()
  await page.getByRole('button', { name: /Show 30 samples/ }).click()
  await expect(page.getByTestId('samples-table').locator('tbody tr')).toHaveCount(30)

  await page.getByTestId('tab-train').click()
  await page.getByTestId('train-start').click()
  const step = page.getByTestId('boundary-canvas')
  await expect(step).toHaveAttribute('data-step', /\d+/, { timeout: 60_000 })
  await shot('38-boundary-live', page.getByTestId('decision-boundary'))
  // The picture is redrawn as training goes, and the page's main thread stays free meanwhile.
  const first = Number(await step.getAttribute('data-step'))
  const tasks = await traceMainThread(browser, page, async () => {
    await expect
      .poll(async () => Number(await step.getAttribute('data-step')), { timeout: 60_000 })
      .toBeGreaterThan(first + 100)
  })
  console.log(
    `main thread while the boundary updates: ${tasks.tasks} tasks, longest ${tasks.longestCpuMs.toFixed(1)} ms CPU`,
  )
  expect(tasks.longestCpuMs).toBeLessThan(50)
  await expect(page.getByTestId('results-panel')).toBeVisible({ timeout: 120_000 })
  const accuracy = Number.parseFloat(
    ((await page.getByTestId('final-accuracy').textContent()) ?? '').replace('%', ''),
  )
  console.log(`two moons: ${accuracy}% test accuracy`)
  expect(accuracy).toBeGreaterThan(90)
  const canvas = page.getByTestId('results-boundary-canvas')
  await expect(canvas).toBeVisible()
  // Both classes' colours fill the plane: the boundary is a picture, not a blank.
  const colours = await canvas.evaluate((el) => {
    const c = el as HTMLCanvasElement
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data
    let orange = 0
    let blue = 0
    for (let i = 0; i < data.length; i += 4) {
      if (data[i]! > data[i + 2]! + 30) orange++
      else if (data[i + 2]! > data[i]! + 30) blue++
    }
    return { orange, blue, total: data.length / 4 }
  })
  expect(colours.orange).toBeGreaterThan(colours.total * 0.15)
  expect(colours.blue).toBeGreaterThan(colours.total * 0.15)
  await page.mouse.move(0, 0)
  await shot('39-boundary-results')
})

test('bad input is refused with the file, row and column named, and nothing already loaded is lost', async ({
  page,
  shot,
}) => {
  test.skip(
    !existsSync(IRIS) || !hasFashionMnist(),
    'needs python3-sklearn and dataset-fashion-mnist',
  )
  test.setTimeout(180_000)
  await openFresh(page)
  await dropFiles(page, [{ name: 'iris.csv', text: readFileSync(IRIS, 'utf8') }])
  await expect(page.getByTestId('notice-text')).toContainText('Kept iris.csv', { timeout: 30_000 })
  const before = await savedGraph(page)

  // A class folder with one damaged PNG among real ones.
  const dir = join(temp, 'damaged')
  await writeFashionFolder(dir, { perClass: 5, classes: [0, 1] })
  const png = readFileSync(join(dir, 'Trouser', readdirSync(join(dir, 'Trouser'))[0]!))
  writeFileSync(join(dir, 'Trouser', 'broken.png'), png.subarray(0, 60))
  await page.getByTestId('data-folder-input').setInputFiles(dir)
  const notice = page.getByTestId('notice-text')
  await expect(notice).toContainText('damaged was not added', { timeout: 30_000 })
  await expect(notice).toContainText('Trouser/broken.png')
  await shot('40-bad-image')

  // A table with a word where a number belongs, on row 3 of column "width".
  await dropFiles(page, [
    { name: 'plants.csv', text: 'height,width,kind\n1.0,2.0,a\n1.5,oops,b\n2.0,2.5,a\n' },
  ])
  await expect(notice).toContainText('plants.csv was not added')
  await expect(notice).toContainText('row 3, column "width": "oops" is not a number')
  await shot('41-bad-csv')
  // A ragged row: named by its row.
  await dropFiles(page, [{ name: 'ragged.csv', text: 'a,b,label\n1,2,x\n3,4\n5,6,y\n' }])
  await expect(notice).toContainText('ragged.csv: row 3 has 2 cells, but the header has 3')

  // The graph and the data kept before are untouched, also after a reload.
  expect(await savedGraph(page)).toEqual(before)
  await page.reload()
  await expect(block(page, 'CSVDataset')).toBeVisible()
  await block(page, 'CSVDataset').click()
  await expect(page.getByTestId('data-kept')).toContainText('iris.csv')
  await expect(block(page, 'CSVDataset').getByTestId('block-issue')).toHaveCount(0)
})

test('CIFAR10 says on its block that its archive must be dropped in, and works once it is', async ({
  page,
  shot,
}) => {
  test.setTimeout(180_000)
  await openFresh(page, '?maxSteps=5')
  const doc = await savedGraph(page)
  doc.nodes.find((n) => n.type === 'MNIST')!.type = 'CIFAR10'
  doc.nodes.find((n) => n.type === 'Normalize')!.params = {
    mean: [0.4914, 0.4822, 0.4465],
    std: [0.247, 0.2435, 0.2616],
  }
  doc.nodes.find((n) => n.type === 'Linear')!.params = { inFeatures: 3072, outFeatures: 128 }
  await openGraph(page, doc)
  const cifar = block(page, 'CIFAR10')
  await expect(cifar.getByTestId('block-issue')).toContainText('cifar-10-python.tar.gz')
  // Never "Shapes OK" and then a failure: the header counts the missing data, Train refuses.
  await expect(page.getByTestId('issue-count')).toHaveText('1 error')
  await shot('42-cifar-needs-archive')
  await page.getByTestId('tab-train').click()
  await expect(page.getByTestId('train-start')).toBeDisabled()
  await expect(page.getByTestId('start-blocked')).toContainText('Fix the graph first: CIFAR-10')

  await page.getByTestId('tab-block').click()
  await cifar.click()
  const chooser = page.waitForEvent('filechooser')
  await page.getByTestId('pick-cifar').click()
  await (await chooser).setFiles(CIFAR_FIXTURE)
  await expect(page.getByTestId('notice-text')).toContainText('Kept cifar-10-python.tar.gz', {
    timeout: 30_000,
  })
  await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
  await page.getByRole('button', { name: /Show 30 samples/ }).click()
  const preview = page.getByTestId('data-preview')
  await expect(preview.locator('.image-grid canvas').first()).toHaveAttribute('width', '32')
  await expect(preview.locator('.image-grid')).toContainText('airplane')
  await shot('43-cifar-preview', preview)
  await trainToResults(page, 120_000)
  await expect(page.getByTestId('confusion-matrix')).toHaveAttribute('data-classes', '10')
})

/**
 * FashionMNIST as a build machine without Debian's package serves it: not bundled, downloaded on
 * first use from the mirrors the build names, each file checked against its MD5 and kept in Cache
 * Storage. Here the build names a local mirror (Debian's copies of the files, with their MD5 sums:
 * Debian recompressed them, so they are not torchvision's), preceded by one that sends corrupt
 * bytes; the mirror can be switched off.
 */
test.describe('FashionMNIST downloaded from a mirror', () => {
  const FASHION = '/usr/share/datasets/fashion-mnist'
  const FILES = [
    'train-images-idx3-ubyte.gz',
    'train-labels-idx1-ubyte.gz',
    't10k-images-idx3-ubyte.gz',
    't10k-labels-idx1-ubyte.gz',
  ]
  const mirror = { up: true, requests: [] as string[], port: 0 }
  let server: Server | null = null
  let preview: ChildProcess | null = null
  let base = ''

  test.beforeAll(async () => {
    test.skip(!hasFashionMnist(), "needs Debian's dataset-fashion-mnist")
    test.setTimeout(420_000)
    server = createServer((req, res) => {
      const [, folder, file] = /^\/(fashion|corrupt)\/([a-z0-9.-]+)$/.exec(req.url ?? '') ?? []
      mirror.requests.push(req.url ?? '')
      res.setHeader('Access-Control-Allow-Origin', '*')
      if (!mirror.up || !file || !FILES.includes(file)) {
        res.writeHead(mirror.up ? 404 : 503).end()
        return
      }
      const bytes = readFileSync(join(FASHION, file))
      if (folder === 'corrupt') bytes[bytes.length - 20]! ^= 0xff
      res.writeHead(200, { 'Content-Length': bytes.length, 'Content-Type': 'application/gzip' })
      res.end(bytes)
    })
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
    mirror.port = (server.address() as AddressInfo).port
    const origin = `http://127.0.0.1:${mirror.port}`
    const config = join(temp, 'mirrors.json')
    writeFileSync(
      config,
      JSON.stringify({
        FashionMNIST: {
          mirrors: [`${origin}/corrupt/`, `${origin}/fashion/`],
          md5: Object.fromEntries(
            FILES.map((f) => [
              f,
              createHash('md5')
                .update(readFileSync(join(FASHION, f)))
                .digest('hex'),
            ]),
          ),
        },
      }),
    )
    const env = {
      ...process.env,
      STUDIO_FASHION_MNIST: 'download',
      STUDIO_DATASET_MIRRORS: config,
    }
    const outDir = join(temp, 'dist-mirror')
    const started = Date.now()
    execFileSync(
      'pnpm',
      ['exec', 'vite', 'build', '--logLevel', 'warn', '--emptyOutDir', '--outDir', outDir],
      {
        cwd: join(import.meta.dirname, '..'),
        env,
        stdio: 'inherit',
      },
    )
    console.log(
      `studio built without FashionMNIST in ${Math.round((Date.now() - started) / 1000)} s`,
    )
    const port = Number(
      execFileSync(process.execPath, [
        '-e',
        "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})",
      ]).toString(),
    )
    base = `http://127.0.0.1:${port}`
    preview = spawn(
      'pnpm',
      [
        'exec',
        'vite',
        'preview',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--strictPort',
        '--outDir',
        outDir,
      ],
      { cwd: join(import.meta.dirname, '..'), env, stdio: 'ignore' },
    )
    await expect
      .poll(
        () =>
          fetch(base).then(
            (r) => r.ok,
            () => false,
          ),
        { timeout: 60_000 },
      )
      .toBe(true)
  })

  test.afterAll(async () => {
    preview?.kill()
    await new Promise((resolve) => server?.close(resolve) ?? resolve(null))
  })

  /** Opens the mirror build on the lesson with FashionMNIST in place of MNIST. */
  async function openFashion(page: Page, query: string) {
    const response = await page.goto(`${base}/${query}`)
    await expect(block(page, 'Flatten')).toBeVisible()
    const doc = await savedGraph(page)
    doc.nodes.find((n) => n.type === 'MNIST')!.type = 'FashionMNIST'
    doc.nodes.find((n) => n.type === 'Normalize')!.params = { mean: [0.286], std: [0.353] }
    await openGraph(page, doc)
    await expect(block(page, 'FashionMNIST')).toBeVisible()
    return response
  }

  test('downloads with an MD5 check, says so on the block when it fails, trains, and reads Cache Storage after a reload', async ({
    page,
    shot,
  }) => {
    test.setTimeout(300_000)
    const response = await openFashion(page, '?maxSteps=100')
    // The policy lets the page fetch from its own origin and this mirror, nothing else.
    expect(response?.headers()['content-security-policy']).toContain(
      `connect-src 'self' http://127.0.0.1:${mirror.port};`,
    )
    const fashion = block(page, 'FashionMNIST')
    await fashion.click()
    const preview = page.getByTestId('data-preview')
    await expect(preview).toContainText(
      `Downloaded on first use (30 MB) from 127.0.0.1:${mirror.port}`,
    )

    mirror.up = false
    await page.getByRole('button', { name: /Show 30 samples/ }).click()
    await expect(page.getByTestId('preview-error')).toContainText('the download failed')
    await expect(fashion.getByTestId('block-issue')).toContainText(
      `FashionMNIST could not be downloaded: train-images-idx3-ubyte.gz from 127.0.0.1:${mirror.port}/corrupt/ (HTTP 503), 127.0.0.1:${mirror.port}/fashion/ (HTTP 503)`,
    )
    await expect(page.getByTestId('issue-count')).toHaveText('1 error')
    await expect(preview.getByTestId('pick-idx')).toBeVisible()
    await shot('44-fashion-download-failed')

    mirror.up = true
    mirror.requests.length = 0
    await page.getByTestId('download-retry').click()
    await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
    await page.getByRole('button', { name: /Show 30 samples/ }).click()
    await expect(preview.locator('.image-grid canvas')).toHaveCount(30, { timeout: 60_000 })
    await expect(preview.locator('.image-grid')).toContainText('Sneaker')
    // The corrupt mirror was tried first and refused on its MD5; the good one gave the files.
    expect(mirror.requests).toContain('/corrupt/train-images-idx3-ubyte.gz')
    expect(mirror.requests).toContain('/fashion/train-images-idx3-ubyte.gz')

    const accuracy = await trainToResults(page)
    console.log(`FashionMNIST (downloaded from the local mirror): ${accuracy}% after 100 batches`)
    expect(accuracy).toBeGreaterThan(60)
    await page.mouse.move(0, 0)
    await shot('45-fashion-downloaded-results')

    // Kept in Cache Storage: after a reload, with the mirror gone, the data is still there.
    mirror.up = false
    mirror.requests.length = 0
    await page.reload()
    await block(page, 'FashionMNIST').click()
    await page.getByRole('button', { name: /Show 30 samples/ }).click()
    await expect(page.getByTestId('data-preview').locator('.image-grid canvas')).toHaveCount(30)
    expect(mirror.requests).toEqual([])
  })

  test('with the mirror down, its four IDX files can be dropped in by hand', async ({
    page,
    shot,
  }) => {
    test.setTimeout(180_000)
    mirror.up = false
    await openFashion(page, '?maxSteps=20')
    const fashion = block(page, 'FashionMNIST')
    await fashion.click()
    await page.getByRole('button', { name: /Show 30 samples/ }).click()
    await expect(fashion.getByTestId('block-issue')).toContainText('drop its four IDX files')
    const chooser = page.waitForEvent('filechooser')
    await page.getByTestId('pick-idx').click()
    await (await chooser).setFiles(FILES.map((f) => join(FASHION, f)))
    await expect(page.getByTestId('notice-text')).toContainText(
      '60,000 training and 10,000 test images',
      { timeout: 60_000 },
    )
    await expect(page.getByTestId('issue-count')).toHaveText('Shapes OK')
    await expect(page.getByTestId('data-kept')).toContainText('dataset:FashionMNIST')
    await page.getByRole('button', { name: /Show 30 samples/ }).click()
    await expect(page.getByTestId('data-preview').locator('.image-grid canvas')).toHaveCount(30)
    await shot('46-fashion-dropped-in', page.getByTestId('data-preview'))
    await trainToResults(page)
  })
})
