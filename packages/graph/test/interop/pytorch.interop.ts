import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasFashionMnist, writeFashionFolder } from '../../../../scripts/testing/fashionFolder.js'
import { IRIS, irisSteps } from '../../../../scripts/testing/iris.js'
import {
  mnistDataDir,
  type TempMnistRoot,
  tempMnistRoot,
} from '../../../../scripts/testing/mnistRoot.js'
import { runProcess } from '../../../../scripts/testing/runProcess.js'
import { accuracy, losses, mean } from '../../../../scripts/testing/trainingLog.js'
import { toPyTorch } from '../../src/codegen/toPyTorch.js'
import { inferShapes } from '../../src/inferShapes.js'
import { templates } from '../../src/templates.js'
import type { GraphDocument } from '../../src/types.js'
import { chainDoc, everyLayer, lessonWith, newBlocks, pipeline } from '../graphs.js'

const python = process.env.TENSORLOOM_PYTHON ?? '/usr/bin/python3'
const probe = spawnSync(python, ['-c', 'import torch, torchvision; print(torch.__version__)'], {
  encoding: 'utf8',
})
const hasTorch = probe.status === 0
if (!hasTorch) {
  console.warn(
    `Skipping the PyTorch interop tests: ${python} cannot import torch and torchvision ` +
      '(apt-get install -y python3-torch python3-torchvision libopenblas0-pthread).',
  )
}

/** Runs the Python interpreter unbuffered, so a killed run still shows what it printed. */
const run = (args: string[], cwd: string, timeoutMs: number) =>
  runProcess(python, args, { cwd, timeoutMs, env: { ...process.env, PYTHONUNBUFFERED: '1' } })

describe.skipIf(!hasTorch)(`exported scripts on PyTorch ${probe.stdout.trim()}`, () => {
  let mnist: TempMnistRoot | undefined
  let dir = ''
  let root = ''

  beforeAll(async () => {
    // torchvision's MNIST(download=True) finds the raw IDX files in <root>/MNIST/raw and downloads nothing.
    mnist = await tempMnistRoot({
      mnistDir: mnistDataDir(import.meta.url),
      prefix: 'tensorloom-interop-',
      rootName: 'data',
    })
    ;({ dir, root } = mnist)
  })

  afterAll(async () => {
    await mnist?.remove()
  })

  const write = async (name: string, doc: GraphDocument) => {
    const path = join(dir, name)
    await writeFile(path, toPyTorch(doc))
    return path
  }

  it("trains the lesson's network with python: the loss falls", async () => {
    const script = await write('lesson.py', templates.lesson)
    const result = await run(
      [script, '--data-root', root, '--max-steps', '300', '--log-interval', '10'],
      dir,
      150_000,
    )
    expect(result.stderr).not.toMatch(/Traceback/)
    expect(result.code).toBe(0)
    const values = losses(result.stdout)
    expect(values).toHaveLength(30)
    expect(result.stdout).toContain('Epoch [1/1], Step [300/938], Loss: ')
    expect(mean(values.slice(-5))).toBeLessThan(0.5 * mean(values.slice(0, 3)))
    expect(accuracy(result.stdout)).toBeGreaterThan(85)
  })

  it('trains a CNN with every added block (BatchNorm2d … Identity) with python: the loss falls', async () => {
    const script = await write('new_blocks.py', lessonWith(newBlocks))
    const result = await run(
      [script, '--data-root', root, '--max-steps', '100', '--log-interval', '10'],
      dir,
      150_000,
    )
    expect(result.stderr).not.toMatch(/Traceback|Warning/)
    expect(result.code).toBe(0)
    const values = losses(result.stdout)
    expect(values).toHaveLength(10)
    expect(mean(values.slice(-3))).toBeLessThan(0.8 * mean(values.slice(0, 3)))
    expect(accuracy(result.stdout)).toBeGreaterThan(30)
  })

  it('trains with augmentations and a RandomSplit: Resize, RandomCrop, RandomRotation, random_split', async () => {
    const doc = chainDoc([
      ['MNIST'],
      ['RandomSplit', { train: 0.9, seed: 3 }],
      ['Resize', { size: [32] }],
      ['RandomCrop', { size: [28], padding: 0 }],
      ['RandomRotation', { degrees: 10 }],
      ['ToTensor'],
      ['Normalize'],
      ['DataLoader'],
      ['Flatten'],
      ['Linear', { inFeatures: 784, outFeatures: 128 }],
      ['ReLU'],
      ['Linear', { inFeatures: 128, outFeatures: 10 }],
      ['CrossEntropyLoss'],
    ])
    expect(inferShapes(doc).issues).toEqual([])
    const script = await write('augmented.py', doc)
    const result = await run(
      [script, '--data-root', root, '--max-steps', '200', '--log-interval', '10'],
      dir,
      150_000,
    )
    expect(result.stderr).not.toMatch(/Traceback/)
    expect(result.code).toBe(0)
    // 90% of the 60,000 training images in batches of 64.
    expect(result.stdout).toContain('Step [200/844], Loss: ')
    const values = losses(result.stdout)
    expect(mean(values.slice(-5))).toBeLessThan(0.6 * mean(values.slice(0, 3)))
    expect(accuracy(result.stdout)).toBeGreaterThan(75)
  })

  describe('your own data', () => {
    const trainScript = async (name: string, doc: GraphDocument, args: string[]) => {
      const script = await write(`${name}.py`, doc)
      const result = await run([script, '--log-interval', '1000', ...args], dir, 150_000)
      expect(result.stderr).not.toMatch(/Traceback/)
      expect(result.code).toBe(0)
      return accuracy(result.stdout)
    }

    it.skipIf(!existsSync(IRIS))(
      'trains iris from its CSV file (a small Dataset class over the CSV, random_split)',
      async () => {
        const doc = chainDoc(irisSteps(IRIS), { epochs: 40, lr: 0.01 })
        expect(inferShapes(doc).issues).toEqual([])
        expect(await trainScript('iris', doc, [])).toBeGreaterThan(85)
      },
    )

    it('trains a 2-D toy problem drawn by the script itself (moons)', async () => {
      const doc = chainDoc(
        [
          ['Toy2D', { problem: 'moons', samples: 600, noise: 0.1, seed: 3 }],
          ['RandomSplit', { train: 0.75, seed: 3 }],
          ['DataLoader', { batchSize: 32 }],
          ['Linear', { inFeatures: 2, outFeatures: 16 }],
          ['Tanh'],
          ['Linear', { inFeatures: 16, outFeatures: 2 }],
          ['CrossEntropyLoss'],
        ],
        { epochs: 30, lr: 0.01 },
      )
      expect(await trainScript('moons', doc, [])).toBeGreaterThan(90)
    })

    it.skipIf(!hasFashionMnist())(
      'trains a folder of gray PNG images with torchvision’s ImageFolder',
      async () => {
        const images = join(dir, 'fashion-folder')
        const classes = await writeFashionFolder(images, { perClass: 60, classes: [1, 7, 8] })
        const doc = chainDoc(
          [
            ['ImageFolder', { source: images, classes, channels: 1, height: 28, width: 28 }],
            ['RandomSplit', { train: 0.8, seed: 0 }],
            ['ToTensor'],
            ['Normalize', { mean: [0.5], std: [0.5] }],
            ['DataLoader', { batchSize: 16 }],
            ['Flatten'],
            ['Linear', { inFeatures: 784, outFeatures: 3 }],
            ['CrossEntropyLoss'],
          ],
          { epochs: 5 },
        )
        expect(inferShapes(doc).issues).toEqual([])
        expect(await trainScript('folder', doc, [])).toBeGreaterThan(70)
      },
    )
  })

  it.each(['residualMlp', 'twoTower', 'smallResNet'] as const)(
    'trains the branching template %s with python: the loss falls, accuracy above chance',
    async (name) => {
      const script = await write(`${name}.py`, templates[name])
      const result = await run(
        [script, '--data-root', root, '--max-steps', '300', '--log-interval', '10'],
        dir,
        150_000,
      )
      expect(result.stderr).not.toMatch(/Traceback/)
      expect(result.code).toBe(0)
      const values = losses(result.stdout)
      expect(values).toHaveLength(30)
      expect(mean(values.slice(-5))).toBeLessThan(0.5 * mean(values.slice(0, 3)))
      expect(accuracy(result.stdout)).toBeGreaterThan(80)
    },
  )

  it.each(['lesson', 'residualMlp'] as const)(
    'trains %s under torchrun --nproc_per_node=2 with DistributedDataParallel',
    async (name) => {
      const script = await write(`${name}_ddp.py`, templates[name])
      const args = ['--data-root', root, '--max-steps', '200', '--log-interval', '10']
      let result = await run(
        ['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=2', script, ...args],
        dir,
        150_000,
      )
      if (result.code !== 0 && result.stderr.includes("'NoneType' object has no attribute 'get'")) {
        // torch 1.13's launcher cannot parse its own default --redirects/--tee on Python 3.11
        // (enum.Flag no longer iterates the zero member); naming the streams avoids the bug.
        console.warn(
          'torchrun hit the PyTorch 1.13 + Python 3.11 launcher bug; retrying with --redirects 1 --tee 1',
        )
        result = await run(
          [
            '-m',
            'torch.distributed.run',
            '--standalone',
            '--nproc_per_node=2',
            '--redirects',
            '1',
            '--tee',
            '1',
            script,
            ...args,
          ],
          dir,
          150_000,
        )
      }
      expect(result.stderr).not.toMatch(/Traceback/)
      expect(result.code).toBe(0)
      // Each of the 2 processes gets half of the 938 batches from its DistributedSampler.
      expect(result.stdout).toContain('Step [200/469], Loss: ')
      const values = losses(result.stdout)
      expect(values).toHaveLength(20)
      expect(mean(values.slice(-5))).toBeLessThan(0.5 * mean(values.slice(0, 3)))
      expect(accuracy(result.stdout)).toBeGreaterThan(80)
    },
  )

  it('builds models whose output shapes and parameter counts match inferShapes', async () => {
    const docs: Record<string, GraphDocument> = {
      lesson: templates.lesson,
      deepMlp: templates.deepMlp,
      smallCnn: templates.smallCnn,
      residualMlp: templates.residualMlp,
      twoTower: templates.twoTower,
      smallResNet: templates.smallResNet,
      variety: chainDoc([...pipeline, ...everyLayer, ['NLLLoss']]),
      newBlocks: lessonWith(newBlocks),
    }
    const expected: Record<string, { shape: number[]; params: number }> = {}
    const paths: Record<string, string> = {}
    for (const [name, doc] of Object.entries(docs)) {
      paths[name] = await write(`${name}.py`, doc)
      const inference = inferShapes(doc)
      expect(
        inference.issues.filter((i) => i.severity === 'error'),
        name,
      ).toEqual([])
      const loss = doc.nodes.find((n) => n.type.endsWith('Loss'))!
      expected[name] = {
        shape: inference.nodes[loss.id]!.inputShape!,
        params: inference.totalParams,
      }
    }
    // Imports each script (its main() does not run on import) and runs one batch forward.
    const program = `
import importlib.util, json, sys, torch
out = {}
for name, path in json.loads(sys.argv[1]).items():
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.SimpleNN()
    y = model(torch.zeros(64, 1, 28, 28))
    out[name] = {'shape': list(y.shape), 'params': sum(p.numel() for p in model.parameters())}
print(json.dumps(out))
`
    const result = await run(['-c', program, JSON.stringify(paths)], dir, 120_000)
    expect(result.stderr).not.toMatch(/Traceback/)
    expect(JSON.parse(result.stdout)).toEqual(expected)
  })
})
