import type { Block, DatasetBlock, DatasetCode } from '../blocks/block.js'
import { blockCode, blockOf, blocks } from '../blocks/index.js'
import type { PlannedNode, PlannedStep, ValidPlan } from '../planGraph.js'
import { formatTypeScript } from '../python.js'
import type { GraphDocument } from '../types.js'
import { commentText, plan } from './common.js'
import { forwardStatements } from './forward.js'

/** The module, transform or loss expression of a planned node, from its block definition. */
const code = (node: PlannedNode): string => blockCode(node, 'typescript')

function tsOptimizer(t: GraphDocument['training']): string {
  const momentum = t.optimizer === 'SGD' && t.momentum ? `, momentum: ${t.momentum}` : ''
  return `new ${t.optimizer}(model.parameters(), { lr: ${t.lr}${momentum} })`
}

/**
 * Biome's order for named imports: letter by letter ignoring case, an upper-case letter before
 * its lower-case twin (`Module, manualSeed, ReLU`), so the program passes the repository's lint.
 */
function compareNames(a: string, b: string): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const ca = a[i]!
    const cb = b[i]!
    if (ca === cb) continue
    const la = ca.toLowerCase()
    const lb = cb.toLowerCase()
    if (la !== lb) return la < lb ? -1 : 1
    return ca < cb ? -1 : 1
  }
  return a.length - b.length
}

/**
 * `open items close` on one line when it fits in 100 columns, else one item per line — the
 * repository's formatter (Biome) does the same, so the program reads like the rest of the code.
 */
function fit(open: string, items: readonly string[], close: string, indent: string): string {
  const brace = open.endsWith('{')
  const line = `${indent}${open}${brace ? ' ' : ''}${items.join(', ')}${brace ? ' ' : ''}${close}`
  if (items.length === 0) return `${indent}${open}${close}`
  if (line.length <= 100) return line
  return [
    `${indent}${open}`,
    ...items.map((item) => `${indent}  ${item},`),
    `${indent}${close}`,
  ].join('\n')
}

function imports(x: ValidPlan): string {
  const layerNames = new Set<string>(['Module', 'manualSeed', ...(x.chain ? ['Sequential'] : [])])
  for (const layer of x.layers) layerNames.add(layer.type)
  const dataNames = new Set<string>([
    'DataLoader',
    ...(usesCompose(x) ? ['Compose'] : []),
    ...(x.split ? ['randomSplit'] : []),
    ...datasetCode(x).imports(x.dataset.params),
  ])
  for (const t of x.transforms) dataNames.add(t.type)
  const trainNames = new Set<string>([
    x.training.optimizer,
    x.loss.type,
    'evaluate',
    'selectBackend',
  ])
  const named = (names: Set<string>, from: string) =>
    fit('import {', [...names].sort(compareNames), `} from '${from}'`, '')
  return [
    `import { parseArgs } from 'node:util'`,
    `import '@tensorflow/tfjs-backend-cpu'`,
    `import '@tensorflow/tfjs-backend-wasm'`,
    `import * as tf from '@tensorflow/tfjs-core'`,
    named(dataNames, '@tensorloom/data'),
    named(layerNames, '@tensorloom/layers'),
    named(trainNames, '@tensorloom/train'),
  ].join('\n')
}

/** `merge(args)` in tfjs, e.g. `tf.add(x, identity)`. */
const mergeCode = (step: PlannedStep, args: readonly string[]): string =>
  (blockOf(step.type) as Extract<Block, { kind: 'merge' }>).typescript(step.params, args)

/** A branching network: one field per layer, and a `forward` with named intermediates. */
function graphModel(plan: ValidPlan): string[] {
  const lines = plan.layers.map((layer) => `  ${layer.path} = ${code(layer)}`)
  lines.push('', '  forward(x: tf.Tensor): tf.Tensor {')
  const { statements, result } = forwardStatements(plan)
  const assignments = new Map<string, number>()
  for (const s of statements) assignments.set(s.target, (assignments.get(s.target) ?? 0) + 1)
  const declared = new Set(['x'])
  for (const s of statements) {
    const value =
      s.kind === 'call'
        ? `this.${s.attribute}.call(${s.arg})`
        : s.kind === 'merge'
          ? mergeCode(s.step, s.args)
          : s.source
    const keyword = declared.has(s.target)
      ? ''
      : assignments.get(s.target) === 1
        ? 'const '
        : 'let '
    declared.add(s.target)
    lines.push(`    ${keyword}${s.target} = ${value}`)
  }
  lines.push(`    return ${result}`, '  }', '}')
  return lines
}

function model(x: ValidPlan): string {
  const lines = ['class SimpleNN extends Module {']
  if (!x.chain) return [...lines, ...graphModel(x)].join('\n')
  if (x.leadingFlatten) lines.push('  flatten = new Flatten()')
  const layers = x.layers.filter((layer) => layer.path !== 'flatten')
  lines.push(fit('layers = new Sequential(', layers.map(code), ')', '  '))
  lines.push('', '  forward(x: tf.Tensor): tf.Tensor {')
  if (x.leadingFlatten) lines.push('    x = this.flatten.call(x)')
  lines.push('    x = this.layers.call(x)', '    return x', '  }', '}')
  return lines.join('\n')
}

const datasetCode = (x: ValidPlan): DatasetCode<object> =>
  (blockOf(x.dataset.type) as DatasetBlock<string, object>).typescript

/** The lines that make `trainDataset` and `testDataset` (and what they need: transform, root). */
function datasetLines(x: ValidPlan): string {
  const load = datasetCode(x).load
  const { params, train, split: own } = x.dataset
  let lines: string[]
  if (x.split) {
    lines = [
      `  const dataset = ${load(params, own === 'own' ? train : null)}`,
      `  const [trainDataset, testDataset] = randomSplit(dataset, ${blocks.RandomSplit.typescript(x.split)})`,
    ]
  } else if (own === 'own') {
    lines = [
      `  const trainDataset = ${load(params, train)}`,
      `  const testDataset = ${load(params, false)}`,
    ]
  } else {
    lines = [
      `  const trainDataset = ${load(params, null)}`,
      '  const testDataset = trainDataset // no held-out samples: add a RandomSplit',
    ]
  }
  lines = lines.map(wrapObjectArgument)
  const uses = (name: string) => lines.some((line) => new RegExp(`\\b${name}\\b`).test(line))
  const head: string[] = []
  if (uses('transform')) {
    head.push(fit('const transform = new Compose([', x.transforms.map(code), '])', '  '))
  }
  if (uses('root')) head.push(`  const root = args['data-root']`)
  return [...head, ...lines].join('\n')
}

/** The top-level parts of `text` separated by commas (commas inside brackets stay). */
function splitTopLevel(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let quote = ''
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (quote) {
      if (ch === '\\') i++
      else if (ch === quote) quote = ''
    } else if (ch === "'" || ch === '"') quote = ch
    else if ('([{'.includes(ch)) depth++
    else if (')]}'.includes(ch)) depth--
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim())
      start = i + 1
    }
  }
  parts.push(text.slice(start).trim())
  return parts.filter((p) => p !== '')
}

/**
 * A statement ending in a call with one object argument, `f({ a, b })`, one property per line
 * when it does not fit in 100 columns, as the repository's formatter writes it.
 */
function wrapObjectArgument(line: string): string {
  const open = line.indexOf('({ ')
  if (line.length <= 100 || open === -1 || !line.endsWith(' })')) return line
  const indent = line.match(/^ */)![0]
  const props = splitTopLevel(line.slice(open + 3, -3))
  return [`${line.slice(0, open)}({`, ...props.map((p) => `${indent}  ${p},`), `${indent}})`].join(
    '\n',
  )
}

/** Whether the program builds a `Compose` of transforms. */
const usesCompose = (x: ValidPlan): boolean => datasetLines(x).includes('new Compose(')

/** `const criterion = …`: the loss, adapted where PyTorch's script adapts the call. */
function criterion(x: ValidPlan): string {
  const mean = x.loss.reduction === 'none'
  if (x.loss.target === 'value') {
    return `const mse = ${code(x.loss)}
  // ${x.loss.type} compares the outputs with the numbers to predict.${mean ? '\n  // Reduction none gives one loss per value: train on their mean.' : ''}
  const criterion = {
    call: (outputs: tf.Tensor, targets: tf.Tensor) =>
      ${mean ? 'tf.mean(' : ''}mse.call(outputs, tf.reshape(tf.cast(targets, 'float32'), outputs.shape))${mean ? ')' : ''},
  }`
  }
  if (x.loss.target === 'oneHot') {
    return `const mse = ${code(x.loss)}
  // ${x.loss.type} compares the outputs with one-hot encoded labels.${mean ? '\n  // Reduction none gives one loss per value: train on their mean.' : ''}
  const criterion = {
    call: (outputs: tf.Tensor, labels: tf.Tensor) =>
      ${mean ? 'tf.mean(' : ''}mse.call(outputs, tf.cast(tf.oneHot(labels, ${x.loss.classes}), 'float32'))${mean ? ')' : ''},
  }`
  }
  if (mean) {
    return `const perSample = ${code(x.loss)}
  // Reduction none gives one loss per sample: train on their mean.
  const criterion = {
    call: (outputs: tf.Tensor, labels: tf.Tensor) => tf.mean(perSample.call(outputs, labels)),
  }`
  }
  return `const criterion = ${code(x.loss)}`
}

/**
 * Exports the graph as a TypeScript program for Node that trains the same network with
 * `@tensorloom/data`, `@tensorloom/layers` and `@tensorloom/train`, in the shape of the PyTorch
 * export and the lesson: a `SimpleNN extends Module`, `MNIST.load` + `Compose` + `DataLoader`, the
 * loss, the optimizer, and a loop printing the loss and the test accuracy in the PyTorch script's
 * words. It trains on the tfjs wasm backend (falling back to cpu). Flags, as in the PyTorch
 * export: `--data-root`, `--epochs`, `--max-steps`, `--log-interval`.
 *
 * Throws `GraphExportError` when `inferShapes` reports errors; warnings become comments.
 */
export function toTypeScript(doc: GraphDocument): string {
  const x = plan(doc)
  const t = x.training
  const warnings = x.warnings.map(
    (w) => `// Warning${w.nodeId ? ` (${commentText(w.nodeId)})` : ''}: ${commentText(w.message)}`,
  )
  return `// ${commentText(x.name) || 'Untitled'}, exported from Tensorloom.
//
// Needs:   npm install @tensorloom/data @tensorloom/layers @tensorloom/train tsx
//            @tensorflow/tfjs-core @tensorflow/tfjs-backend-wasm @tensorflow/tfjs-backend-cpu
// Train:   npx tsx train.ts
// Options: --data-root DIR  --epochs N  --max-steps N  --log-interval N
${warnings.length > 0 ? `//\n${warnings.join('\n')}\n` : ''}${imports(x)}

${model(x)}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
${fit(
  "'data-root': {",
  ["type: 'string'", `default: ${formatTypeScript(datasetCode(x).defaultRoot(x.dataset.params))}`],
  '},',
  '      ',
)}
      epochs: { type: 'string', default: '${t.epochs}' },
      'max-steps': { type: 'string', default: '0' },
      'log-interval': { type: 'string', default: '100' },
    },
  })
  const count = (name: 'epochs' | 'max-steps' | 'log-interval'): number => {
    const value = Number(args[name])
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(\`--\${name} must be a whole number, got '\${args[name]}'\`)
    }
    return value
  }
  const epochs = count('epochs')
  const maxSteps = count('max-steps') // stop after this many steps (0: no limit)
  const logInterval = count('log-interval') // print the loss every N steps

  // The tfjs engine to run on: WebAssembly, or plain JavaScript where it does not start.
  await selectBackend('wasm')
  manualSeed(${t.seed})

${datasetLines(x)}
${fit(
  'const trainLoader = new DataLoader(trainDataset, {',
  [
    `batchSize: ${x.loader.params.batchSize}`,
    `shuffle: ${x.loader.params.shuffle}`,
    `seed: ${t.seed}`,
  ],
  '})',
  '  ',
)}
  const testLoader = new DataLoader(testDataset, { batchSize: 1000, shuffle: false })

  const model = new SimpleNN()
  ${criterion(x)}
  const optimizer = ${tsOptimizer(t)}

  let step = 0
  for (let epoch = 1; epoch <= epochs; epoch++) {
    model.train()
    let batch = 0
    for await (const [images, labels] of trainLoader) {
      optimizer.zeroGrad()
      // step() runs the closure, differentiates the loss and updates the parameters:
      // PyTorch's loss.backward() and optimizer.step() in one call.
      const loss = optimizer.step(() => {
        const outputs = model.call(images)
        return criterion.call(outputs, labels)
      })
      step++
      batch++
      if (logInterval > 0 && batch % logInterval === 0) {
        const [value = Number.NaN] = await loss.data()
        console.log(
          \`Epoch [\${epoch}/\${epochs}], Step [\${batch}/\${trainLoader.length}], Loss: \${value.toFixed(4)}\`,
        )
      }
      tf.dispose([images, labels, loss])
      if (maxSteps > 0 && step >= maxSteps) break
    }
    const { accuracy } = await evaluate(model, testLoader, criterion)
    console.log(\`Epoch [\${epoch}/\${epochs}], Test accuracy: \${(100 * (accuracy ?? 0)).toFixed(2)}%\`)
    if (maxSteps > 0 && step >= maxSteps) break
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
`
}
