import { plan as validPlan } from '../codegen/common.js'
import { errorMessages } from '../errors.js'
import { formatShape } from '../formatShape.js'
import { safeParseGraph } from '../parseGraph.js'
import { planGraph, type ValidPlan } from '../planGraph.js'
import type { GraphDocument } from '../types.js'
import { checkPackageName, isValidVersion } from './packageName.js'
import { browserJs, CORE_JS, INDEX_D_TS, NODE_JS } from './runtime.js'
import { type PackageFiles, packTarball } from './tarball.js'

/** How well the trained network does on the test split. */
export interface ModelEvaluation {
  /** Test images evaluated. */
  images: number
  /** Fraction classified correctly, 0–1. */
  accuracy: number
  /** Mean test loss, when measured. */
  loss: number | null
  /** `confusionMatrix[label][predicted]` counts. */
  confusionMatrix: number[][]
}

/** What the network predicted for the first images of the test split, to check a copy against. */
export interface ModelReference {
  /** The predicted class of test images 0, 1, 2, … */
  classIndex: number[]
  /** The probability it gave each of those classes. */
  confidence: number[]
}

/** Options of {@link toNpmPackage}. */
export interface NpmPackageOptions {
  /** The package name, as npm validates it (`mnist-digits`, `@you/digits`). */
  name: string
  /** Semver version (default `1.0.0`). */
  version?: string
  /** SPDX license id or expression (default `MIT`); `UNLICENSED` for a package you keep private. */
  license?: string
  /** One line for npm's search (default: made from the graph). */
  description?: string
  /** The trained weights, as safetensors bytes (`saveSafetensors` of `@tensorloom/layers`). */
  weights: Uint8Array
  /** The `@tensorloom/layers` version the code runs on (the package depends on `^` it). */
  layersVersion: string
  /** Class names in output order (default `'0'`, `'1'`, …): e.g. `MNIST.classes` of `@tensorloom/data`. */
  classes?: readonly string[]
  /** What trained it, e.g. `'Tensorloom Studio'` or `'tensorloom train'`. */
  trainedWith?: string
  /** Facts of the run shown in the README: batches trained, backend, seconds… (strings or numbers). */
  training?: Readonly<Record<string, string | number>>
  evaluation?: ModelEvaluation | null
  reference?: ModelReference | null
}

/** The machine-readable facts of a generated package (`model-card.json`). */
export interface ModelCard {
  format: 'tensorloom-model-card'
  version: 1
  name: string
  dataset: string
  classes: string[]
  inputShape: [number, number, number]
  output: 'logits' | 'probabilities' | 'logProbabilities'
  parameters: number
  trainedWith: string
  training: Record<string, string | number>
  evaluation: (ModelEvaluation & { split: 'test' }) | null
  reference: (ModelReference & { split: 'test'; firstImages: number }) | null
}

/** Thrown by {@link toNpmPackage} for an option npm or the package format refuses. */
export class NpmPackageError extends Error {
  /** Always `INVALID_PACKAGE_OPTION`. */
  readonly code = 'INVALID_PACKAGE_OPTION'
  /**
   * The option: `name`, `version`, `license`, `weights`, `classes` or `layersVersion`; `graph`
   * for a network the package cannot serve (not an image classifier).
   */
  readonly option: string

  constructor(option: string, value: string, problem: string) {
    super(errorMessages.INVALID_PACKAGE_OPTION({ option, value, problem }))
    this.name = 'NpmPackageError'
    this.option = option
  }
}

const invalid = (option: string, value: unknown, problem: string) =>
  new NpmPackageError(option, line(String(value)), problem)

/** One line of text for Markdown: no newlines or control characters, no HTML. */
function line(text: string): string {
  let out = ''
  for (const ch of text) {
    const code = ch.codePointAt(0)!
    out += code < 0x20 || (code >= 0x7f && code <= 0x9f) ? ' ' : ch
  }
  return out.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;')).trim()
}

/** Markdown table cells: no pipes or newlines. */
const cell = (text: string) => line(text).replaceAll('|', '\\|')

const percent = (x: number) => `${(x * 100).toFixed(2)}%`

function outputKind(plan: ValidPlan): ModelCard['output'] {
  const last = plan.steps.find((s) => s.id === plan.output)
  if (last?.type === 'Softmax') return 'probabilities'
  if (last?.type === 'LogSoftmax') return 'logProbabilities'
  return 'logits'
}

function confusionTable(card: ModelCard, matrix: number[][]): string {
  const short = card.classes.map((c) => cell(c.split(' - ')[0] ?? c))
  const rows = [
    `| true ＼ predicted | ${short.join(' | ')} |`,
    `| --- | ${short.map(() => '---:').join(' | ')} |`,
    ...matrix.map((row, i) => `| **${short[i]}** | ${row.join(' | ')} |`),
  ]
  return rows.join('\n')
}

function layerTable(plan: ValidPlan): string {
  const rows = ['| layer | type | output shape | parameters |', '| --- | --- | --- | ---: |']
  for (const layer of plan.layers) {
    const node = plan.inference.nodes[layer.id]
    const shape = node?.outputShape ? formatShape(node.outputShape) : '?'
    rows.push(
      `| \`${cell(layer.path)}\` | ${cell(layer.type)} | ${shape} | ${(node?.paramCount ?? 0).toLocaleString('en-US')} |`,
    )
  }
  return rows.join('\n')
}

function readme(
  options: Required<Pick<NpmPackageOptions, 'name' | 'license'>>,
  description: string,
  card: ModelCard,
  plan: ValidPlan,
): string {
  const name = options.name
  const example = card.classes[7] ?? card.classes[0] ?? '0'
  const training = Object.entries(card.training)
    .map(([k, v]) => `- ${cell(k)}: ${cell(String(v))}`)
    .join('\n')
  const transforms = plan.transforms
    .map((t) =>
      t.type === 'Normalize' && plan.normalize
        ? `Normalize(mean=${JSON.stringify(plan.normalize.mean)}, std=${JSON.stringify(plan.normalize.std)})`
        : t.type,
    )
    .join(' → ')
  const evaluation = card.evaluation
  return `# ${line(name)}

${line(description)}

A neural network trained with [Tensorloom](https://github.com/tensorloom/tensorloom) to classify
${line(card.dataset)} images (${card.inputShape.join('×')}, ${card.classes.length} classes):
“${line(card.name)}”, ${card.parameters.toLocaleString('en-US')} parameters.${
    evaluation
      ? ` **${percent(evaluation.accuracy)} test accuracy** on the ${evaluation.images.toLocaleString('en-US')} ${line(card.dataset)} test images.`
      : ''
  }

## Use it

\`\`\`sh
npm install ${name} @tensorflow/tfjs-core @tensorflow/tfjs-backend-wasm
\`\`\`

\`\`\`js
import '@tensorflow/tfjs-backend-wasm' // any tfjs backend: -wasm, -cpu, -webgl
import { predict } from '${name}'

// One ${card.inputShape.join('×')} image, row by row, values 0–255 as in the ${line(card.dataset)} files
const image = new Uint8Array(${card.inputShape.reduce((a, b) => a * b, 1)})
const { classIndex, className, confidence, probabilities } = await predict(image)
console.log(className, confidence) // e.g. '${cell(example)}' 0.98
\`\`\`

\`predict(image)\` loads the network on its first call. For control over memory, load it yourself:

\`\`\`js
import { load } from '${name}'

const model = await load() // or load({ weights }) with other safetensors bytes or a URL
const predictions = await model.predictBatch([image1, image2]) // or a tensor of N images
console.log(model.module.toString()) // the network, printed like PyTorch's print(model)
model.dispose()
\`\`\`

An image is an array, a typed array or a tensor of ${card.inputShape.reduce((a, b) => a * b, 1)} values; the package applies the
network's own preprocessing (${transforms}). In Node the weights are read from this package's
folder; in a browser they are fetched from next to the code (Vite and webpack copy
\`weights.safetensors\` into the build). Types are included.

## How it was trained

- Dataset: ${line(card.dataset)}, training split; ${transforms}
- Trained with: ${line(card.trainedWith)}
${training}

${layerTable(plan)}

Total: ${card.parameters.toLocaleString('en-US')} trainable parameters.

## How well it does

${
  evaluation
    ? `Test accuracy **${percent(evaluation.accuracy)}** on ${evaluation.images.toLocaleString('en-US')} test images${
        evaluation.loss === null ? '' : ` (test loss ${evaluation.loss.toFixed(4)})`
      }.

Confusion matrix (rows: the true class, columns: the prediction):

${confusionTable(card, evaluation.confusionMatrix)}`
    : 'Not evaluated: the test split was not available when this package was made.'
}

## Files

- \`weights.safetensors\` — the trained weights with PyTorch's key names: the network class that
  \`npx tensorloom export graph.json --to pytorch\` writes takes them with
  \`model.load_state_dict(safetensors.torch.load_file('weights.safetensors'))\`.
- \`graph.json\` — the network as a Tensorloom graph document: open it in Tensorloom Studio, or
  \`npx tensorloom check graph.json\`.
- \`model-card.json\` — these facts, machine-readable${
    card.reference
      ? `, with the predictions on the first ${card.reference.firstImages} test images to check a copy of the network against`
      : ''
  }.

## License

${line(options.license)}
`
}

/**
 * Why a valid graph's network cannot be an npm package, or null: the package's `predict()` takes
 * images and returns classes, so a network reading CSV rows or 2-D points, or predicting numbers,
 * is exported to PyTorch or TypeScript instead.
 */
export function npmPackageProblem(doc: GraphDocument): string | null {
  const dataset = planGraph(doc).dataset
  if (!dataset) return null
  const sample = dataset.sampleShape
  if (dataset.task === 'classification' && sample.length === 3) return null
  const what =
    dataset.task !== 'classification'
      ? `it predicts numbers (regression) from ${dataset.type}`
      : `its samples are [${sample.join(', ')}] values of ${dataset.type}, not images`
  return `an npm package classifies images ([channels, height, width]), and ${what}; export it to PyTorch or TypeScript instead`
}

/**
 * The files of an npm package holding a trained network: `predict(image)` and `load()` built on
 * `@tensorloom/layers` (typed, ESM, for Node and bundlers), the weights as safetensors, the graph
 * document, a model card (`model-card.json`) and a README with what it was trained on, its
 * accuracy and confusion matrix and how to use it. Works for any valid image classifier, branching
 * networks included. Throws `GraphExportError` when the graph has errors, `NpmPackageError` for an
 * option npm would refuse or a network that is not an image classifier ({@link npmPackageProblem}).
 *
 * @example
 * const files = toNpmPackage(doc, { name: 'mnist-digits', weights, layersVersion: '0.1.0' })
 * Object.keys(files) // ['package.json', 'README.md', 'index.d.ts', 'core.js', ...]
 */
export function toNpmPackage(doc: GraphDocument, options: NpmPackageOptions): PackageFiles {
  const problems = checkPackageName(options.name)
  if (problems.length > 0) throw invalid('name', options.name, problems.join('; '))
  const version = options.version ?? '1.0.0'
  if (!isValidVersion(version)) throw invalid('version', version, 'use semver, e.g. 1.0.0')
  const license = options.license?.trim() || 'MIT'
  if (!/^[\w.+\-() :]+$/.test(license) || license.length > 200) {
    throw invalid('license', license, 'use an SPDX id such as MIT or Apache-2.0')
  }
  if (!isValidVersion(options.layersVersion)) {
    throw invalid('layersVersion', options.layersVersion, 'use the semver of @tensorloom/layers')
  }
  if (!(options.weights instanceof Uint8Array) || options.weights.length < 8) {
    throw invalid('weights', typeof options.weights, 'pass the bytes of a safetensors file')
  }
  const parsed = safeParseGraph(doc)
  const plan = validPlan(doc) // throws GraphExportError with the graph's errors
  if (!parsed.ok) throw parsed.error
  const unfit = npmPackageProblem(doc)
  if (unfit) throw invalid('graph', plan.name, unfit)
  const classCount = plan.dataset.classes
  const classes = options.classes
    ? [...options.classes]
    : Array.from({ length: classCount }, (_, i) => String(i))
  if (classes.length !== classCount) {
    throw invalid(
      'classes',
      classes.join(', '),
      `${classes.length} names for a dataset of ${classCount} classes`,
    )
  }
  const [c = 1, h = 28, w = 28] = plan.dataset.sampleShape
  const card: ModelCard = {
    format: 'tensorloom-model-card',
    version: 1,
    name: plan.name,
    dataset: plan.dataset.type,
    classes,
    inputShape: [c, h, w],
    output: outputKind(plan),
    parameters: plan.inference.totalParams,
    trainedWith: options.trainedWith ?? 'Tensorloom',
    training: {
      optimizer: `${plan.training.optimizer}(lr=${plan.training.lr})`,
      loss: plan.loss.type,
      'batch size': plan.loader.params.batchSize,
      seed: plan.training.seed,
      ...options.training,
    },
    evaluation: options.evaluation ? { split: 'test', ...options.evaluation } : null,
    reference: options.reference
      ? { split: 'test', firstImages: options.reference.classIndex.length, ...options.reference }
      : null,
  }
  const description =
    options.description?.trim() ||
    `${plan.name}: a ${plan.dataset.type} classifier trained with Tensorloom${
      card.evaluation ? ` (${percent(card.evaluation.accuracy)} test accuracy)` : ''
    }`
  // The document as parseGraph returned it (defaults filled): what fromGraph rebuilds.
  const graphJson = `${JSON.stringify(parsed.doc, null, 2)}\n`
  const cardJson = `${JSON.stringify(card, null, 2)}\n`
  const manifest = {
    name: options.name,
    version,
    description: line(description),
    license,
    type: 'module',
    sideEffects: false,
    exports: {
      '.': { types: './index.d.ts', node: './node.js', default: './browser.js' },
      './graph.json': './graph.json',
      './model-card.json': './model-card.json',
      './weights.safetensors': './weights.safetensors',
      './package.json': './package.json',
    },
    types: './index.d.ts',
    keywords: [
      'tensorloom',
      'neural-network',
      plan.dataset.type.toLowerCase(),
      'tensorflowjs',
      'safetensors',
    ],
    engines: { node: '>=20.19' },
    dependencies: { '@tensorloom/layers': `^${options.layersVersion}` },
    peerDependencies: { '@tensorflow/tfjs-core': '^4.22.0' },
  }
  return {
    'package.json': `${JSON.stringify(manifest, null, 2)}\n`,
    'README.md': readme({ name: options.name, license }, description, card, plan),
    'index.d.ts': INDEX_D_TS,
    'core.js': CORE_JS,
    'node.js': NODE_JS,
    'browser.js': browserJs(options.name),
    'model.js': `// The network (a Tensorloom graph document) and its model card.\nexport const graph = ${graphJson.trim()}\n\nexport const card = ${cardJson.trim()}\n`,
    'graph.json': graphJson,
    'model-card.json': cardJson,
    'weights.safetensors': options.weights,
  }
}

/** {@link toNpmPackage} packed as the `.tgz` that `npm publish` and `npm install` take. */
export function toNpmTarball(doc: GraphDocument, options: NpmPackageOptions): Promise<Uint8Array> {
  return packTarball(toNpmPackage(doc, options))
}
