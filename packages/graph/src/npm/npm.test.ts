import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { chainDoc } from '../../test/graphs.js'
import { GraphExportError } from '../GraphExportError.js'
import { templates } from '../templates.js'
import { checkPackageName, isValidVersion, tarballName } from './packageName.js'
import { packTarball, tar } from './tarball.js'
import {
  NpmPackageError,
  type NpmPackageOptions,
  toNpmPackage,
  toNpmTarball,
} from './toNpmPackage.js'

const weights = new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32])
const options: NpmPackageOptions = {
  name: 'mnist-digits',
  weights,
  layersVersion: '0.1.0',
  classes: Array.from({ length: 10 }, (_, i) => `${i} - digit`),
  trainedWith: 'Tensorloom Studio',
  training: { batches: 200, backend: 'webgl' },
  evaluation: {
    images: 10_000,
    accuracy: 0.9123,
    loss: 0.3012,
    confusionMatrix: Array.from({ length: 10 }, (_, i) =>
      Array.from({ length: 10 }, (_, j) => (i === j ? 900 : 11)),
    ),
  },
  reference: { classIndex: [7, 2, 1], confidence: [0.99, 0.9, 0.95] },
}

describe('checkPackageName', () => {
  it("accepts what npm accepts, and says why it refuses the rest in npm's words", () => {
    expect(checkPackageName('mnist-digits')).toEqual([])
    expect(checkPackageName('@you/digits')).toEqual([])
    expect(checkPackageName('digits.v2_final-1')).toEqual([])
    expect(checkPackageName('')).toEqual(['name length must be greater than zero'])
    expect(checkPackageName('My Model')).toEqual([
      'name can no longer contain capital letters',
      'name can only contain URL-friendly characters',
    ])
    expect(checkPackageName('.hidden')).toEqual(['name cannot start with a period'])
    expect(checkPackageName('_private')).toEqual(['name cannot start with an underscore'])
    expect(checkPackageName(' digits')).toEqual([
      'name cannot contain leading or trailing spaces',
      'name can only contain URL-friendly characters',
    ])
    expect(checkPackageName('http')).toEqual(['http is a core module name'])
    expect(checkPackageName('node_modules')).toEqual(['node_modules is not a valid package name'])
    expect(checkPackageName('digits!')).toEqual([
      'name can no longer contain special characters ("~\'!()*")',
    ])
    expect(checkPackageName('a/b')).toEqual(['name can only contain URL-friendly characters'])
    expect(checkPackageName('x'.repeat(215))).toEqual([
      'name can no longer contain more than 214 characters',
    ])
  })

  it('checks versions as semver and names tarballs as npm pack does', () => {
    expect(['1.0.0', '0.2.1-beta.1', '1.0.0+build.5'].map(isValidVersion)).toEqual([
      true,
      true,
      true,
    ])
    expect(['1.0', 'v1.0.0', '01.0.0', ''].map(isValidVersion)).toEqual([
      false,
      false,
      false,
      false,
    ])
    expect(tarballName('@you/digits', '1.0.0')).toBe('you-digits-1.0.0.tgz')
    expect(tarballName('digits', '2.0.0')).toBe('digits-2.0.0.tgz')
  })
})

describe('tarball', () => {
  it('writes a gzipped ustar archive under package/ that tar reads back byte for byte', async () => {
    const long = `${'deep/'.repeat(25)}file.txt`
    const files = { 'b.txt': 'second\n', 'a.bin': new Uint8Array([0, 1, 2, 255]), [long]: 'x' }
    const tgz = await packTarball(files)
    expect(gunzipSync(tgz)).toEqual(Buffer.from(tar(files)))
    const dir = mkdtempSync(join(tmpdir(), 'tensorloom-tar-'))
    try {
      writeFileSync(join(dir, 'p.tgz'), tgz)
      const listed = spawnSync('tar', ['-tzvf', 'p.tgz'], { cwd: dir, encoding: 'utf8' })
      expect(listed.status, listed.stderr).toBe(0)
      expect(listed.stdout).toContain('package/a.bin')
      expect(listed.stdout).toContain(`package/${long}`)
      expect(spawnSync('tar', ['-xzf', 'p.tgz'], { cwd: dir }).status).toBe(0)
      expect(readFileSync(join(dir, 'package/b.txt'), 'utf8')).toBe('second\n')
      expect([...readFileSync(join(dir, 'package/a.bin'))]).toEqual([0, 1, 2, 255])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    expect(await packTarball(files)).toEqual(tgz) // fixed mtimes: the same bytes every time
  })

  it('refuses paths outside the package', () => {
    expect(() => tar({ '../evil': 'x' })).toThrow('not a path inside the package')
    expect(() => tar({ '/etc/passwd': 'x' })).toThrow('not a path inside the package')
  })
})

describe('toNpmPackage', () => {
  it('writes the lesson as a package: code, types, weights, graph, model card and README', () => {
    const files = toNpmPackage(templates.lesson, options)
    expect(Object.keys(files).sort()).toEqual([
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
    expect(files['weights.safetensors']).toBe(weights)
    const manifest = JSON.parse(files['package.json'] as string)
    expect(manifest).toMatchObject({
      name: 'mnist-digits',
      version: '1.0.0',
      license: 'MIT',
      type: 'module',
      types: './index.d.ts',
      dependencies: { '@tensorloom/layers': '^0.1.0' },
      peerDependencies: { '@tensorflow/tfjs-core': '^4.22.0' },
      description:
        'MNIST lesson: a MNIST classifier trained with Tensorloom (91.23% test accuracy)',
    })
    expect(manifest.exports['.']).toEqual({
      types: './index.d.ts',
      node: './node.js',
      default: './browser.js',
    })
    const card = JSON.parse(files['model-card.json'] as string)
    expect(card).toMatchObject({
      name: 'MNIST lesson',
      dataset: 'MNIST',
      inputShape: [1, 28, 28],
      output: 'logits',
      parameters: 101_770,
      trainedWith: 'Tensorloom Studio',
      reference: { split: 'test', firstImages: 3, classIndex: [7, 2, 1] },
    })
    const readme = files['README.md'] as string
    expect(readme).toContain('# mnist-digits')
    expect(readme).toContain('**91.23% test accuracy**')
    expect(readme).toContain('| **3** | 11 | 11 | 11 | 900 |')
    expect(readme).toContain('npm install mnist-digits @tensorflow/tfjs-core')
    expect(readme).toContain('ToTensor → Normalize(mean=[0.1307], std=[0.3081])')
    expect(readme).toContain('| `layers.0` | Linear | (64, 128) | 100,480 |')
    expect(readme).toContain('- batches: 200')
    expect(files['model.js']).toContain('export const graph = {')
  })

  it('exports branching networks and uses the last step for the output kind', () => {
    for (const name of ['residualMlp', 'twoTower', 'smallResNet'] as const) {
      const files = toNpmPackage(templates[name], { ...options, classes: undefined })
      const card = JSON.parse(files['model-card.json'] as string)
      expect(card.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
      expect(JSON.parse(files['graph.json'] as string).edges.length).toBe(
        templates[name].edges.length,
      )
    }
  })

  it('says what is wrong with an option or the graph', async () => {
    const bad = (o: Partial<NpmPackageOptions>, doc = templates.lesson) => {
      try {
        toNpmPackage(doc, { ...options, ...o })
      } catch (error) {
        expect(error).toBeInstanceOf(doc === templates.lesson ? NpmPackageError : GraphExportError)
        return (error as Error).message
      }
      return 'no error'
    }
    expect(bad({ name: 'My Model' })).toBe(
      'Invalid name "My Model": name can no longer contain capital letters; name can only contain URL-friendly characters',
    )
    expect(bad({ version: '1.0' })).toBe('Invalid version "1.0": use semver, e.g. 1.0.0')
    expect(bad({ license: 'MIT\n<script>' })).toContain('Invalid license "MIT &lt;script&gt;"')
    expect(bad({ weights: new Uint8Array(2) })).toContain('safetensors')
    expect(bad({ classes: ['a', 'b'] })).toContain('2 names for a dataset of 10 classes')
    const broken = {
      ...templates.lesson,
      nodes: templates.lesson.nodes.filter((n) => n.type !== 'Flatten'),
    }
    expect(bad({}, broken)).toContain('cannot be exported')
    const rows = chainDoc([
      [
        'CSVDataset',
        {
          source: 'iris.csv',
          features: ['a', 'b', 'c', 'd'],
          target: 'e',
          classes: ['x', 'y', 'z'],
        },
      ],
      ['RandomSplit'],
      ['DataLoader'],
      ['Linear', { inFeatures: 4, outFeatures: 3 }],
      ['CrossEntropyLoss'],
    ])
    expect(() => toNpmPackage(rows, { ...options, classes: undefined })).toThrow(
      'Invalid graph "test": an npm package classifies images ([channels, height, width]), and its samples are [4] values of CSVDataset, not images; export it to PyTorch or TypeScript instead',
    )
    const values = chainDoc([
      [
        'CSVDataset',
        {
          source: 'houses.csv',
          features: ['rooms'],
          target: 'price',
          task: 'regression',
          classes: [],
        },
      ],
      ['RandomSplit'],
      ['DataLoader'],
      ['Linear', { inFeatures: 1, outFeatures: 1 }],
      ['MSELoss'],
    ])
    expect(() => toNpmPackage(values, { ...options, classes: undefined })).toThrow(
      'it predicts numbers (regression) from CSVDataset',
    )
    const tgz = await toNpmTarball(templates.lesson, options)
    expect(gunzipSync(tgz).subarray(0, 20).toString()).toContain('package/')
  })

  it('keeps hostile text out of the README and the code', () => {
    const doc = { ...templates.lesson, name: 'x\n# injected <img src=x onerror=alert(1)>' }
    const files = toNpmPackage(doc, { ...options, description: 'line one\nline two' })
    const readme = files['README.md'] as string
    expect(readme).not.toContain('\n# injected')
    expect(readme).not.toContain('<img')
    expect(readme).toContain('line one line two')
    // The name reaches model.js only as JSON.
    expect(files['model.js']).toContain(JSON.stringify(doc.name))
  })
})
