import { gunzipSync } from 'node:zlib'
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import { serializeGraph, templates } from '@tensorloom/graph'
import { fromGraph, saveSafetensors } from '@tensorloom/layers'
import { beforeAll, describe, expect, it } from 'vitest'
import { mnistDataDir } from '../../../../scripts/testing/mnistRoot.js'
import type { CliIO } from '../io.js'
import { main } from '../main.js'
import { packageNameFor, packGraph } from './pack.js'

const mnistDir = mnistDataDir(import.meta.url)

beforeAll(async () => {
  await tf.setBackend('cpu')
})

/** The files of a .tgz, by path inside `package/`. */
function untar(tgz: Uint8Array): Map<string, Buffer> {
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

function memoryIO(files: Record<string, string>, bytes: Record<string, Uint8Array>) {
  const out = { stdout: '', stderr: '' }
  const io: CliIO & {
    writeBytes(path: string, data: Uint8Array): Promise<void>
    readBytes(path: string): Promise<Uint8Array>
  } = {
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
    readBytes: async (path) => {
      const data = bytes[path]
      if (!data) throw new Error(`ENOENT: no such file or directory, open '${path}'`)
      return data
    },
    writeBytes: async (path, data) => {
      bytes[path] = data
    },
  }
  return { io, out }
}

const lesson = () => ({ 'graph.json': serializeGraph(templates.lesson) })

describe('tensorloom pack', () => {
  it('writes the lesson with its weights, test accuracy, confusion matrix and 100 reference predictions', async () => {
    const built = fromGraph(templates.lesson)
    const bytes: Record<string, Uint8Array> = { 'w.safetensors': saveSafetensors(built.model) }
    built.model.dispose()
    const { io, out } = memoryIO(lesson(), bytes)
    const code = await packGraph(io, 'graph.json', {
      weights: 'w.safetensors',
      name: '@me/digits',
      version: '0.3.0',
      data: mnistDir,
      backend: 'wasm',
    })
    expect(code, out.stderr).toBe(0)
    expect(out.stderr).toMatch(
      /Wrote me-digits-0\.3\.0\.tgz \(@me\/digits@0\.3\.0, \d+ kB, test accuracy \d+\.\d\d%\): npm publish me-digits-0\.3\.0\.tgz/,
    )
    const files = untar(bytes['me-digits-0.3.0.tgz']!)
    expect([...files.keys()].sort()).toContain('weights.safetensors')
    expect(files.get('weights.safetensors')).toEqual(Buffer.from(bytes['w.safetensors']!))
    const manifest = JSON.parse(files.get('package.json')!.toString())
    expect(manifest.name).toBe('@me/digits')
    expect(manifest.version).toBe('0.3.0')
    expect(manifest.dependencies['@tensorloom/layers']).toMatch(/^\^\d+\.\d+\.\d+$/)
    const card = JSON.parse(files.get('model-card.json')!.toString())
    expect(card.classes[7]).toBe('7 - seven')
    expect(card.trainedWith).toBe('tensorloom pack')
    expect(card.evaluation.images).toBe(10_000)
    expect(card.evaluation.confusionMatrix.flat().reduce((a: number, b: number) => a + b)).toBe(
      10_000,
    )
    // Untrained weights: about a tenth right.
    expect(card.evaluation.accuracy).toBeGreaterThan(0.01)
    expect(card.evaluation.accuracy).toBeLessThan(0.3)
    expect(card.reference.firstImages).toBe(100)
    expect(card.reference.classIndex).toHaveLength(100)
    expect(files.get('README.md')!.toString()).toContain('Confusion matrix')
  })

  it('without the test split, packs anyway and says how to add the accuracy', async () => {
    const built = fromGraph(templates.lesson)
    const bytes: Record<string, Uint8Array> = { 'w.safetensors': saveSafetensors(built.model) }
    built.model.dispose()
    const { io, out } = memoryIO(lesson(), bytes)
    const code = await packGraph(io, 'graph.json', {
      weights: 'w.safetensors',
      root: '/nonexistent-tensorloom',
      output: 'out.tgz',
    })
    // An explicit --root that lacks the data is an error, worded in the CLI's flags.
    expect(code).toBe(1)
    expect(out.stderr).toContain('--download')
    // Without any data option (and no ./data here), the package is made without an evaluation.
    const quiet = memoryIO(lesson(), bytes)
    expect(await packGraph(quiet.io, 'graph.json', { weights: 'w.safetensors' })).toBe(0)
    expect(quiet.out.stderr).toContain(
      "MNIST's test split was not found in ./data: the package is made without its test accuracy",
    )
    const card = JSON.parse(
      untar(bytes['mnist-lesson-1.0.0.tgz']!).get('model-card.json')!.toString(),
    )
    expect(card.evaluation).toBeNull()
    expect(card.reference).toBeNull()
  })

  it('without the data, names the classes the graph knows (FashionMNIST)', async () => {
    const built = fromGraph(templates.lesson)
    const bytes: Record<string, Uint8Array> = { 'w.safetensors': saveSafetensors(built.model) }
    built.model.dispose()
    const fashion = {
      ...templates.lesson,
      nodes: templates.lesson.nodes.map((n) =>
        n.type === 'MNIST' ? { ...n, type: 'FashionMNIST' as const } : n,
      ),
    }
    const { io } = memoryIO({ 'graph.json': serializeGraph(fashion) }, bytes)
    const options = { weights: 'w.safetensors', output: 'out.tgz' }
    expect(await packGraph(io, 'graph.json', options)).toBe(0)
    const card = JSON.parse(untar(bytes['out.tgz']!).get('model-card.json')!.toString())
    expect(card.classes).toEqual([
      'T-shirt/top',
      'Trouser',
      'Pullover',
      'Dress',
      'Coat',
      'Sandal',
      'Shirt',
      'Sneaker',
      'Bag',
      'Ankle boot',
    ])
  })

  it('refuses a network that is not an image classifier before reading anything', async () => {
    const steps: Array<[string, object]> = [
      [
        'CSVDataset',
        { source: 'iris.csv', features: ['a', 'b'], target: 'c', classes: ['x', 'y'] },
      ],
      ['RandomSplit', {}],
      ['DataLoader', {}],
      ['Linear', { inFeatures: 2, outFeatures: 2 }],
      ['CrossEntropyLoss', {}],
    ]
    const table = {
      version: 1,
      name: 'Table',
      nodes: steps.map(([type, params], i) => ({
        id: `n${i}`,
        type,
        params,
        position: { x: 0, y: 0 },
      })),
      edges: steps.slice(1).map((_, i) => ({ id: `e${i}`, source: `n${i}`, target: `n${i + 1}` })),
      training: { optimizer: 'Adam', lr: 0.001, momentum: 0.9, epochs: 1, seed: 0 },
    }
    const { io, out } = memoryIO({ 'graph.json': JSON.stringify(table) }, {})
    expect(await packGraph(io, 'graph.json', { weights: 'missing.safetensors' })).toBe(1)
    expect(out.stderr).toContain(
      'tensorloom: graph.json: an npm package classifies images ([channels, height, width]), and its samples are [2] values of CSVDataset, not images; export it to PyTorch or TypeScript instead',
    )
  })

  it('refuses names npm refuses, and weights that do not fit the graph', async () => {
    const other = fromGraph(templates.residualMlp)
    const bytes: Record<string, Uint8Array> = { 'w.safetensors': saveSafetensors(other.model) }
    other.model.dispose()
    const bad = memoryIO(lesson(), bytes)
    expect(
      await packGraph(bad.io, 'graph.json', { weights: 'w.safetensors', name: 'My Digits' }),
    ).toBe(2)
    expect(bad.out.stderr).toContain(
      '"My Digits" is not a valid npm package name: name can no longer contain capital letters',
    )
    const version = memoryIO(lesson(), bytes)
    expect(
      await packGraph(version.io, 'graph.json', { weights: 'w.safetensors', version: '1.0' }),
    ).toBe(2)
    expect(version.out.stderr).toContain('--package-version must be semver (e.g. 1.0.0), got "1.0"')
    const misfit = memoryIO(lesson(), bytes)
    expect(await packGraph(misfit.io, 'graph.json', { weights: 'w.safetensors' })).toBe(1)
    expect(misfit.out.stderr).toContain('w.safetensors: these weights do not fit graph.json')
  })

  it('is in the usage text, needs --weights, and names the package after the graph', async () => {
    const { io, out } = memoryIO(lesson(), {})
    expect(await main(['pack', 'graph.json'], io)).toBe(2)
    expect(out.stderr).toContain('pack needs --weights file')
    expect(out.stderr).toContain('pack <graph.json> --weights file.safetensors')
    expect(packageNameFor('MNIST lesson')).toBe('mnist-lesson')
    expect(packageNameFor('  ∑∑ ')).toBe('tensorloom-model')
  })
})
