import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serializeGraph, templates } from '@tensorloom/graph'
import { decodeSafetensors } from '@tensorloom/layers'
import { describe, expect, it } from 'vitest'
import { hasFashionMnist, writeFashionFolder } from '../../../../scripts/testing/fashionFolder.js'
import { IRIS, irisSteps } from '../../../../scripts/testing/iris.js'
import { mnistDataDir } from '../../../../scripts/testing/mnistRoot.js'
import type { CliIO } from '../io.js'
import { main } from '../main.js'
import { formatProgress, trainGraph } from './train.js'

const mnistDir = mnistDataDir(import.meta.url)

/** A document whose nodes form one chain through `steps` (defaults filled by the loader). */
const chain = (steps: Array<[string, Record<string, unknown>?]>) => {
  const nodes = steps.map(([type, params], i) => ({ id: `n${i + 1}`, type, params: params ?? {} }))
  const edges = nodes
    .slice(1)
    .map((n, i) => ({ id: `e${i + 1}`, source: `n${i + 1}`, target: n.id }))
  return { version: 2, name: 'own data', nodes, edges, training: { lr: 0.01 } }
}

function memoryIO(files: Record<string, string> = {}) {
  const out = { stdout: '', stderr: '' }
  const bytes: Record<string, Uint8Array> = {}
  const io: CliIO & { writeBytes(path: string, data: Uint8Array): Promise<void> } = {
    stdout: (t) => {
      out.stdout += t
    },
    stderr: (t) => {
      out.stderr += t
    },
    readFile: async (path) => {
      const text = files[path]
      if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`)
      return text
    },
    writeFile: async (path, text) => {
      files[path] = text
    },
    writeBytes: async (path, data) => {
      bytes[path] = data
    },
  }
  return { io, out, files, bytes }
}

describe('tensorloom train', () => {
  it('trains the lesson graph, writing safetensors weights and a JSON history', async () => {
    const { io, out, files, bytes } = memoryIO({ 'lesson.json': serializeGraph(templates.lesson) })
    const code = await trainGraph(io, 'lesson.json', {
      epochs: 2,
      backend: 'wasm',
      data: mnistDir,
      limit: 640,
      progressBar: true,
    })
    expect(code).toBe(0)
    expect(out.stderr).toContain("backend: wasm (using 'wasm', as preferred)")
    expect(out.stderr).toMatch(/\(\d+ training, \d+ test images\)/)
    expect(out.stderr).toMatch(
      /\repoch 1\/2 +\[#{20}\] +10\/10 +loss \d\.\d{4} +acc \d+\.\d% +\d+ samples\/s/,
    )
    expect(out.stderr).toMatch(
      /epoch 2\/2: train loss \d\.\d{4}, train acc \d+\.\d\d%, test loss \d\.\d{4}, test acc \d+\.\d\d%/,
    )
    expect(out.stderr).toContain(
      'Wrote lesson.safetensors (weights, safetensors) and lesson.history.json (history)',
    )
    const { tensors } = decodeSafetensors(bytes['lesson.safetensors']!)
    expect(Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, t.shape]))).toEqual({
      'layers.0.weight': [128, 784],
      'layers.0.bias': [128],
      'layers.2.weight': [10, 128],
      'layers.2.bias': [10],
    })
    for (const t of Object.values(tensors)) t.dispose()
    const report = JSON.parse(files['lesson.history.json']!)
    expect(report).toMatchObject({
      status: 'completed',
      backend: 'wasm',
      epochs: 2,
      batchSize: 64,
      loss: 'CrossEntropyLoss',
    })
    expect(report.history).toHaveLength(2)
    expect(report.lastEvaluation.total).toBe(640)
    expect(report.lastEvaluation.accuracy).toBeGreaterThan(0.5)
  })

  it('is reachable from main with --epochs, --backend, -o and --history', async () => {
    const { io, bytes, files } = memoryIO({ 'g.json': serializeGraph(templates.lesson) })
    const args = [
      'train',
      'g.json',
      '--epochs',
      '1',
      '--backend',
      'cpu',
      '--data',
      mnistDir,
      '--limit',
      '128',
    ]
    const code = await main([...args, '-o', 'w.safetensors', '--history', 'h.json'], io)
    expect(code).toBe(0)
    expect(bytes['w.safetensors']).toBeInstanceOf(Uint8Array)
    expect(JSON.parse(files['h.json']!).backend).toBe('cpu')
  })

  it('refuses more epochs than a graph may hold before loading anything', async () => {
    const { io, out } = memoryIO({ 'g.json': serializeGraph(templates.lesson) })
    expect(await main(['train', 'g.json', '--epochs', '1000000000'], io)).toBe(2)
    expect(out.stderr).toContain(
      "--epochs 1000000000 is more than 1000, the most a graph's training settings allow",
    )
  })

  it('reports a missing dataset and a graph without a loss', async () => {
    const missing = memoryIO({ 'g.json': serializeGraph(templates.lesson) })
    expect(await trainGraph(missing.io, 'g.json', { root: '/nonexistent', backend: 'cpu' })).toBe(1)
    expect(missing.out.stderr).toMatch(/tensorloom: .*MNIST/)
    const doc = JSON.parse(serializeGraph(templates.lesson))
    doc.nodes = doc.nodes.filter((n: { type: string }) => n.type !== 'CrossEntropyLoss')
    doc.edges = doc.edges.filter((e: { target: string }) => e.target !== 'n9')
    const noLoss = memoryIO({ 'g.json': JSON.stringify(doc) })
    expect(await trainGraph(noLoss.io, 'g.json', { data: mnistDir })).toBe(1)
    expect(noLoss.out.stderr).toMatch(/loss/i)
  })

  it('trains what check passes: the lesson with MSELoss compares the outputs with one-hot labels', async () => {
    const doc = JSON.parse(serializeGraph(templates.lesson))
    doc.nodes.find((n: { id: string }) => n.id === 'n9').type = 'MSELoss'
    doc.nodes.find((n: { id: string }) => n.id === 'n9').params = { reduction: 'mean' }
    const checked = memoryIO({ 'g.json': JSON.stringify(doc) })
    expect(await main(['check', 'g.json'], checked.io)).toBe(0)
    const { io, out, files } = memoryIO({ 'g.json': JSON.stringify(doc) })
    const code = await trainGraph(io, 'g.json', { backend: 'wasm', data: mnistDir, limit: 256 })
    expect(out.stderr).not.toContain('LOSS_SHAPE_MISMATCH')
    expect(code).toBe(0)
    const report = JSON.parse(files['g.history.json']!)
    expect(report).toMatchObject({ status: 'completed', loss: 'MSELoss' })
    expect(report.history[0].trainLoss).toBeGreaterThan(0)
  })

  it.skipIf(!existsSync(IRIS))(
    'trains a CSV table given with --data (scikit-learn’s iris)',
    async () => {
      const doc = chain(irisSteps())
      const { io, out, files } = memoryIO({ 'iris.json': JSON.stringify(doc) })
      const code = await trainGraph(io, 'iris.json', { backend: 'wasm', data: IRIS, epochs: 40 })
      expect(out.stderr).toContain('(120 training, 30 test rows)')
      expect(code).toBe(0)
      const report = JSON.parse(files['iris.history.json']!)
      expect(report.lastEvaluation.accuracy).toBeGreaterThan(0.85)
    },
  )

  it.skipIf(!hasFashionMnist())(
    'trains a folder of images given with --data (FashionMNIST pictures)',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'tensorloom-cli-folder-'))
      try {
        const classes = await writeFashionFolder(dir, { perClass: 40, classes: [1, 8] })
        const doc = chain([
          ['ImageFolder', { classes, channels: 1, height: 28, width: 28 }],
          ['RandomSplit', { train: 0.75, seed: 0 }],
          ['ToTensor'],
          ['Normalize', { mean: [0.5], std: [0.5] }],
          ['DataLoader', { batchSize: 8 }],
          ['Flatten'],
          ['Linear', { inFeatures: 784, outFeatures: 2 }],
          ['CrossEntropyLoss'],
        ])
        const { io, files } = memoryIO({ 'f.json': JSON.stringify(doc) })
        expect(await trainGraph(io, 'f.json', { backend: 'wasm', data: dir, epochs: 3 })).toBe(0)
        expect(JSON.parse(files['f.history.json']!).lastEvaluation.accuracy).toBeGreaterThan(0.8)
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
    },
  )

  it('formats a progress line', () => {
    expect(
      formatProgress({
        status: 'training',
        epoch: 2,
        epochs: 5,
        step: 412,
        stepsPerEpoch: 938,
        smoothedLoss: 0.28712,
        accuracy: 0.9161,
        samplesPerSecond: 6120.4,
        etaSeconds: 72.4,
      }),
    ).toBe(
      'epoch 2/5  [#########-----------]  412/938  loss 0.2871  acc 91.6%  6120 samples/s  ETA 1m12s',
    )
    expect(
      formatProgress({
        status: 'evaluating',
        epoch: 1,
        epochs: 1,
        step: 10,
        stepsPerEpoch: 10,
        smoothedLoss: null,
        accuracy: null,
        samplesPerSecond: null,
        etaSeconds: 3,
      }),
    ).toBe('epoch 1/1  [####################]  10/10  evaluating…')
  })
})
