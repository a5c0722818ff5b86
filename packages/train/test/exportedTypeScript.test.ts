/**
 * The program `toTypeScript` exports must compile against these packages and train like the
 * lesson. Each program is written into test/.generated/ — inside the workspace, so
 * `@tensorloom/*` and tfjs resolve as in a user's project — type-checked with the TypeScript
 * compiler API under the repository's compiler options, checked with the repository's Biome
 * config, and the lesson's program runs (tsx) for 200 steps on real MNIST: its loss falls, as the
 * PyTorch export's does in graph's interop test.
 */

import { existsSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  CURRENT_VERSION,
  defaultTraining,
  type GraphDocument,
  parseGraph,
  templates,
  toTypeScript,
} from '@tensorloom/graph'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { IRIS, irisSteps } from '../../../scripts/testing/iris.js'
import { type TempMnistRoot, tempMnistRoot } from '../../../scripts/testing/mnistRoot.js'
import { runProcess } from '../../../scripts/testing/runProcess.js'
import { accuracy, losses, mean } from '../../../scripts/testing/trainingLog.js'
import { mnistDir } from './mnist'

const require = createRequire(import.meta.url)
const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = join(here, '..', '..', '..')
const outDir = join(here, '.generated')

type Step = [type: string, params?: Record<string, unknown>]

/** A valid document whose nodes form one chain through `steps`. */
function chain(
  name: string,
  steps: readonly Step[],
  training: Partial<GraphDocument['training']> = {},
): GraphDocument {
  const nodes = steps.map(([type, params], i) => ({
    id: `n${i + 1}`,
    type,
    params: params ?? {},
    position: { x: i * 220, y: 0 },
  }))
  const edges = nodes
    .slice(1)
    .map((n, i) => ({ id: `e${i + 1}`, source: nodes[i]!.id, target: n.id }))
  return parseGraph({
    version: CURRENT_VERSION,
    name,
    nodes,
    edges,
    training: { ...defaultTraining, ...training },
  })
}

const pipeline: Step[] = [['MNIST'], ['ToTensor'], ['Normalize'], ['DataLoader']]

/** The templates, and documents reaching every branch of the generator. */
const programs: Record<string, GraphDocument> = {
  lesson: templates.lesson,
  deepMlp: templates.deepMlp,
  smallCnn: templates.smallCnn,
  residualMlp: templates.residualMlp,
  twoTower: templates.twoTower,
  smallResNet: templates.smallResNet,
  everyLayer: chain(
    'every layer',
    [
      ['FashionMNIST', { train: true }],
      ['ToTensor'],
      ['Normalize', { mean: [0.286], std: [0.353] }],
      ['DataLoader', { batchSize: 32, shuffle: false }],
      [
        'Conv2d',
        { inChannels: 1, outChannels: 8, kernelSize: 5, stride: 2, padding: 2, bias: false },
      ],
      ['MaxPool2d', { kernelSize: 3, stride: 1 }],
      ['Tanh'],
      ['Flatten', { startDim: 1, endDim: 3 }],
      ['Linear', { inFeatures: 1152, outFeatures: 64, bias: false }],
      ['BatchNorm1d', { numFeatures: 64, eps: 0.001, momentum: 0.2 }],
      ['Sigmoid'],
      ['Dropout', { p: 0.25 }],
      ['Linear', { inFeatures: 64, outFeatures: 10 }],
      ['Softmax', { dim: 1 }],
      ['LogSoftmax', { dim: 1 }],
      ['NLLLoss', { reduction: 'sum' }],
    ],
    { optimizer: 'SGD', lr: 0.01, momentum: 0.9, seed: 7, epochs: 3 },
  ),
  newBlocks: chain(
    'every added block',
    [
      ...pipeline,
      ['Conv2d', { inChannels: 1, outChannels: 8, kernelSize: 3, padding: 1 }],
      ['BatchNorm2d', { numFeatures: 8, eps: 0.001, momentum: 0.2 }],
      ['LeakyReLU', { negativeSlope: 0.2 }],
      ['AvgPool2d', { kernelSize: 3, stride: 2, padding: 1 }],
      ['Dropout2d', { p: 0.25 }],
      ['Conv2d', { inChannels: 8, outChannels: 16, kernelSize: 3 }],
      ['AdaptiveAvgPool2d', { outputSize: 5 }],
      ['LayerNorm', { normalizedShape: [16, 5, 5], eps: 0.0001 }],
      ['Flatten'],
      ['Linear', { inFeatures: 400, outFeatures: 64 }],
      ['GELU', { approximate: 'tanh' }],
      ['Linear', { inFeatures: 64, outFeatures: 32 }],
      ['SiLU'],
      ['ELU', { alpha: 0.5 }],
      ['Identity'],
      ['Linear', { inFeatures: 32, outFeatures: 10 }],
      ['CrossEntropyLoss'],
    ],
    { lr: 0.003 },
  ),
  mseNone: chain(
    'MSE, one loss per value',
    [
      ...pipeline,
      ['Flatten'],
      ['Linear', { inFeatures: 784, outFeatures: 10 }],
      ['MSELoss', { reduction: 'none' }],
    ],
    { optimizer: 'AdamW' },
  ),
  iris: chain('iris', irisSteps(IRIS), { epochs: 40, lr: 0.01 }),
  toy: chain('spirals', [
    ['Toy2D', { problem: 'spirals', samples: 400, noise: 0.1, seed: 2 }],
    ['RandomSplit', { train: 0.75, seed: 2 }],
    ['DataLoader', { batchSize: 32 }],
    ['Linear', { inFeatures: 2, outFeatures: 16 }],
    ['Tanh'],
    ['Linear', { inFeatures: 16, outFeatures: 2 }],
    ['CrossEntropyLoss'],
  ]),
  imageFolder: chain('pictures', [
    [
      'ImageFolder',
      {
        source: 'pictures',
        classes: ['a', 'b'],
        channels: 3,
        height: 40,
        width: 36,
        mixedSizes: true,
      },
    ],
    ['RandomSplit'],
    ['Resize', { size: [32, 32] }],
    ['RandomCrop', { size: [28], padding: 2 }],
    ['RandomHorizontalFlip'],
    ['RandomRotation', { degrees: 10 }],
    ['Grayscale'],
    ['ToTensor'],
    ['Normalize', { mean: [0.5], std: [0.5] }],
    ['DataLoader'],
    ['Flatten'],
    ['Linear', { inFeatures: 784, outFeatures: 2 }],
    ['CrossEntropyLoss'],
  ]),
  cifar: chain('cifar', [
    ['CIFAR10'],
    ['CenterCrop', { size: [28] }],
    ['ToTensor'],
    ['Normalize', { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] }],
    ['DataLoader'],
    ['Flatten'],
    ['Linear', { inFeatures: 2352, outFeatures: 10 }],
    ['CrossEntropyLoss'],
  ]),
  crossEntropyNone: chain('cross-entropy, one loss per sample', [
    ...pipeline,
    ['Flatten'],
    ['Linear', { inFeatures: 784, outFeatures: 10 }],
    ['CrossEntropyLoss', { reduction: 'none', labelSmoothing: 0.1 }],
  ]),
}

const files = Object.fromEntries(
  Object.keys(programs).map((name) => [name, join(outDir, `${name}.ts`)]),
)

/** TypeScript's errors for `rootNames` (only theirs), under tsconfig.base.json's options. */
function typeErrors(rootNames: string[]): string {
  const configPath = join(repoRoot, 'tsconfig.base.json')
  const { config, error } = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path))
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'))
  const parsed = ts.parseJsonConfigFileContent(
    { compilerOptions: (config as { compilerOptions: object }).compilerOptions, files: rootNames },
    ts.sys,
    repoRoot,
    undefined,
    configPath,
  )
  const program = ts.createProgram({ rootNames, options: parsed.options })
  const diagnostics = [
    ...parsed.errors,
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...rootNames.flatMap((file) => {
      const source = program.getSourceFile(file)
      if (!source) throw new Error(`TypeScript did not load ${file}`)
      return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]
    }),
  ]
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => repoRoot,
    getNewLine: () => '\n',
  })
}

const run = (command: string, args: string[], cwd: string, timeoutMs: number) =>
  runProcess(command, args, { cwd, timeoutMs })

describe('the exported TypeScript program', () => {
  let mnist: TempMnistRoot | undefined
  let dataDir = ''

  beforeAll(async () => {
    await mkdir(outDir, { recursive: true })
    for (const [name, doc] of Object.entries(programs)) {
      await writeFile(files[name]!, toTypeScript(doc))
    }
    // MNIST.load({ root, download: true }) finds the raw IDX files in <root>/MNIST/raw.
    mnist = await tempMnistRoot({ mnistDir, prefix: 'tensorloom-export-' })
    dataDir = mnist.root
  })

  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true })
    await mnist?.remove()
  })

  it('type-checks against @tensorloom/data, layers and train', () => {
    expect(typeErrors(Object.values(files))).toBe('')
  }, 120_000)

  it("passes the repository's lint and format checks", async () => {
    const biome = require.resolve('@biomejs/biome/bin/biome')
    const result = await run(
      process.execPath,
      [biome, 'check', '--colors=off', ...Object.values(files)],
      repoRoot,
      60_000,
    )
    expect(result.stdout + result.stderr).not.toMatch(/×/)
    expect(result.code).toBe(0)
  }, 60_000)

  it.each([
    ['lesson', "the lesson's network"],
    ['residualMlp', 'a branching network (x + identity)'],
  ])(
    'trains %s on real MNIST: the loss falls (%s)',
    async (name) => {
      const result = await run(
        process.execPath,
        [
          require.resolve('tsx/cli'),
          '--conditions=@tensorloom/source',
          files[name]!,
          '--data-root',
          dataDir,
          '--max-steps',
          '200',
          '--log-interval',
          '10',
        ],
        outDir,
        150_000,
      )
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      const values = losses(result.stdout)
      expect(values).toHaveLength(20)
      expect(result.stdout).toContain('Epoch [1/1], Step [200/938], Loss: ')
      expect(mean(values.slice(-5))).toBeLessThan(0.5 * mean(values.slice(0, 3)))
      expect(accuracy(result.stdout)).toBeGreaterThan(85)
    },
    180_000,
  )

  it('trains the CNN with every added block (wasm): the loss falls', async () => {
    const result = await run(
      process.execPath,
      [
        require.resolve('tsx/cli'),
        '--conditions=@tensorloom/source',
        files.newBlocks!,
        '--data-root',
        dataDir,
        '--max-steps',
        '60',
        '--log-interval',
        '10',
      ],
      outDir,
      150_000,
    )
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const values = losses(result.stdout)
    expect(values).toHaveLength(6)
    expect(values.every(Number.isFinite)).toBe(true)
    expect(mean(values.slice(-2))).toBeLessThan(0.9 * mean(values.slice(0, 2)))
    expect(accuracy(result.stdout)).toBeGreaterThan(20)
  }, 180_000)

  it.skipIf(!existsSync(IRIS))(
    'trains the iris table from its CSV file: above 85% on held-out rows',
    async () => {
      const result = await run(
        process.execPath,
        [
          require.resolve('tsx/cli'),
          '--conditions=@tensorloom/source',
          files.iris!,
          '--log-interval',
          '0',
        ],
        outDir,
        150_000,
      )
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      expect(result.stdout).toContain('Epoch [40/40], Test accuracy: ')
      expect(accuracy(result.stdout)).toBeGreaterThan(85)
    },
    180_000,
  )

  it('refuses bad flags with a message naming the flag', async () => {
    const result = await run(
      process.execPath,
      [
        require.resolve('tsx/cli'),
        '--conditions=@tensorloom/source',
        files.lesson!,
        '--epochs',
        'x',
      ],
      outDir,
      60_000,
    )
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("--epochs must be a whole number, got 'x'")
  }, 60_000)
})
