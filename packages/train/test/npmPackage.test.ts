// The code of a package made by @tensorloom/graph's toNpmPackage, run for real: written to disk,
// imported as Node imports it, loading its safetensors weights with @tensorloom/layers. Its
// predictions must be the network's own, for a chain and for branching networks.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import * as tf from '@tensorflow/tfjs-core'
import { type GraphDocument, templates, toNpmPackage } from '@tensorloom/graph'
import { fromGraph, saveSafetensors } from '@tensorloom/layers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectClose, useCpu } from './helpers'

// Inside this package, so the generated code finds @tensorloom/layers and tfjs in node_modules.
const root = join(
  fileURLToPath(new URL('..', import.meta.url)),
  'test-results',
  `npm-${process.pid}`,
)

interface GeneratedPackage {
  load(options?: { weights?: Uint8Array | string | URL }): Promise<{
    predict(image: ArrayLike<number> | tf.Tensor): Promise<Prediction>
    predictBatch(images: readonly ArrayLike<number>[] | tf.Tensor): Promise<Prediction[]>
    module: { toString(): string }
    dispose(): void
  }>
  predict(image: ArrayLike<number>): Promise<Prediction>
  classes: readonly string[]
  card: { output: string; parameters: number }
}
interface Prediction {
  classIndex: number
  className: string
  confidence: number
  probabilities: number[]
}

/** Writes the package for `doc` with the weights of a model built from it (seeded, untrained). */
async function generate(name: string, doc: GraphDocument) {
  const built = fromGraph(doc)
  // Move the weights away from their initialisation so a package that ignored them would fail.
  for (const p of built.model.parameters()) p.assign(tf.tidy(() => tf.mul(p, 1.5)))
  const weights = saveSafetensors(built.model)
  const files = toNpmPackage(doc, { name, weights, layersVersion: '0.1.0' })
  const dir = join(root, name)
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
  const pkg = (await import(pathToFileURL(join(dir, 'node.js')).href)) as GeneratedPackage
  return { built, pkg, dir }
}

/** What the network itself says: the lesson's transforms, forward, softmax. */
function expected(built: ReturnType<typeof fromGraph>, images: Float32Array, n: number) {
  built.model.eval()
  return tf.tidy(() => {
    const x = tf.div(tf.sub(tf.div(tf.tensor4d(images, [n, 1, 28, 28]), 255), 0.1307), 0.3081)
    return tf.softmax(built.model.call(x) as tf.Tensor2D).arraySync() as number[][]
  })
}

function images(n: number, seed: number): Float32Array {
  const out = new Float32Array(n * 784)
  let s = seed
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31
    out[i] = s % 256
  }
  return out
}

beforeAll(async () => {
  await useCpu()
  mkdirSync(root, { recursive: true })
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('a generated npm package', () => {
  it.for(['lesson', 'residualMlp', 'twoTower'] as const)(
    '%s: predict and predictBatch give the network’s own probabilities, from its weights file',
    async (template) => {
      const { built, pkg } = await generate(`pkg-${template.toLowerCase()}`, templates[template])
      const x = images(5, 7)
      const want = expected(built, x, 5)
      const model = await pkg.load()
      const batch = await model.predictBatch(
        Array.from({ length: 5 }, (_, i) => x.subarray(i * 784, (i + 1) * 784)),
      )
      for (const [i, p] of batch.entries()) {
        expectClose(p.probabilities, want[i]!, 1e-4, 1e-6)
        expect(p.classIndex).toBe(want[i]!.indexOf(Math.max(...want[i]!)))
        expect(p.className).toBe(String(p.classIndex))
        expect(p.confidence).toBe(p.probabilities[p.classIndex])
      }
      const fromTensor = await model.predictBatch(tf.tensor3d(x, [5, 28, 28]))
      expect(fromTensor.map((p) => p.classIndex)).toEqual(batch.map((p) => p.classIndex))
      const one = await pkg.predict(Array.from(x.subarray(0, 784)))
      expectClose(one.probabilities, want[0]!, 1e-4, 1e-6)
      expect(model.module.toString()).toBe(built.model.toString())
      const before = tf.memory().numTensors
      await model.predict(x.subarray(0, 784))
      expect(tf.memory().numTensors).toBe(before)
      model.dispose()
      built.model.dispose()
    },
  )

  it('says what is wrong with an image of the wrong size, and loads other weights', async () => {
    const { built, pkg, dir } = await generate('pkg-errors', templates.lesson)
    const model = await pkg.load()
    await expect(model.predict(new Uint8Array(10))).rejects.toThrow(
      'image 0 has 10 values: expected 784 (1×28×28, row by row)',
    )
    await expect(model.predictBatch(tf.zeros([3, 27, 27]))).rejects.toThrow(
      'expected images of 784 values (1×28×28), got a tensor of shape [3, 27, 27]',
    )
    model.dispose()
    const other = fromGraph(templates.lesson, { validate: true })
    const x = images(1, 3)
    const fromPath = await pkg.load({ weights: join(dir, 'weights.safetensors') })
    const fromBytes = await pkg.load({ weights: saveSafetensors(other.model) })
    expectClose((await fromBytes.predict(x)).probabilities, expected(other, x, 1)[0]!, 1e-4, 1e-6)
    expectClose((await fromPath.predict(x)).probabilities, expected(built, x, 1)[0]!, 1e-4, 1e-6)
    for (const m of [fromPath, fromBytes, other.model, built.model]) m.dispose()
  })
})
