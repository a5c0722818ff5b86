import type { GraphDocument, GraphNode } from '../types.js'
import { commentText, type ExportPlan, NUM_CLASSES, plan } from './common.js'

const js = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.map(js).join(', ')}]`
    : typeof value === 'string'
      ? `'${value}'`
      : String(value)

/** `{ key: value }` of the options that differ from their defaults, or '' when none do. */
const options = (pairs: [string, unknown, unknown][], leading = ', '): string => {
  const set = pairs.filter(([, value, fallback]) => value !== fallback)
  return set.length === 0 ? '' : `${leading}{ ${set.map(([k, v]) => `${k}: ${js(v)}`).join(', ')} }`
}

function tsLayer(node: GraphNode): string {
  const q = node.params
  switch (node.type) {
    case 'Flatten':
      return `new Flatten(${options(
        [
          ['startDim', q.startDim, 1],
          ['endDim', q.endDim, -1],
        ],
        '',
      )})`
    case 'Linear':
      return `new Linear(${q.inFeatures}, ${q.outFeatures}${options([['bias', q.bias, true]])})`
    case 'Conv2d':
      return `new Conv2d(${q.inChannels}, ${q.outChannels}, ${q.kernelSize}${options([
        ['stride', q.stride, 1],
        ['padding', q.padding, 0],
        ['bias', q.bias, true],
      ])})`
    case 'MaxPool2d':
      return `new MaxPool2d(${q.kernelSize}${options([['stride', q.stride, null]])})`
    case 'Dropout':
      return `new Dropout(${q.p})`
    case 'BatchNorm1d':
      return `new BatchNorm1d(${q.numFeatures}${options([
        ['eps', q.eps, 1e-5],
        ['momentum', q.momentum, 0.1],
      ])})`
    case 'Softmax':
    case 'LogSoftmax':
      return `new ${node.type}(${q.dim})`
    default:
      return `new ${node.type}()`
  }
}

function tsLoss(node: GraphNode): string {
  const q = node.params
  const smoothing: [string, unknown, unknown][] =
    node.type === 'CrossEntropyLoss' ? [['labelSmoothing', q.labelSmoothing, 0]] : []
  return `new ${node.type}(${options([...smoothing, ['reduction', q.reduction, 'mean']], '')})`
}

function tsOptimizer(t: GraphDocument['training']): string {
  const momentum = t.optimizer === 'SGD' && t.momentum ? `, momentum: ${t.momentum}` : ''
  return `new ${t.optimizer}(model.parameters(), { lr: ${t.lr}${momentum} })`
}

function tsTransform(node: GraphNode): string {
  if (node.type === 'Normalize')
    return `new Normalize(${js(node.params.mean)}, ${js(node.params.std)})`
  return 'new ToTensor()'
}

function imports(x: ExportPlan): string {
  const layerNames = new Set<string>(['Module', 'Sequential', 'manualSeed'])
  if (x.flatten) layerNames.add('Flatten')
  for (const layer of x.layers) layerNames.add(layer.type)
  const dataNames = new Set<string>(['Compose', 'DataLoader', x.dataset])
  for (const t of x.transforms) dataNames.add(t.type)
  const trainNames = new Set<string>([x.training.optimizer, x.loss.type, 'evaluate'])
  const sorted = (names: Set<string>) => [...names].sort((a, b) => a.localeCompare(b)).join(', ')
  return [
    `import { parseArgs } from 'node:util'`,
    `import * as tf from '@tensorflow/tfjs-core'`,
    `import '@tensorflow/tfjs-backend-cpu'`,
    `import { ${sorted(dataNames)} } from '@tensorloom/data'`,
    `import { ${sorted(layerNames)} } from '@tensorloom/layers'`,
    `import { ${sorted(trainNames)} } from '@tensorloom/train'`,
  ].join('\n')
}

function model(x: ExportPlan): string {
  const lines = ['class SimpleNN extends Module {']
  if (x.flatten) lines.push('  flatten = new Flatten()')
  lines.push('  layers = new Sequential(')
  for (const layer of x.layers) lines.push(`    ${tsLayer(layer)},`)
  lines.push('  )', '', '  forward(x: tf.Tensor): tf.Tensor {')
  if (x.flatten) lines.push('    x = this.flatten.call(x)')
  lines.push('    x = this.layers.call(x)', '    return x', '  }', '}')
  return lines.join('\n')
}

/**
 * Exports the graph as a TypeScript program for Node that trains the same network with
 * `@tensorloom/data`, `@tensorloom/layers` and `@tensorloom/train`, in the shape of the PyTorch
 * export: a `SimpleNN extends Module`, `MNIST.load` + `Compose` + `DataLoader`, the loss, the
 * optimizer, and a loop printing the loss and the test accuracy. Flags: `--data-root`,
 * `--epochs`, `--max-steps`, `--log-interval`.
 *
 * Throws `GraphExportError` when `inferShapes` reports errors; warnings become comments.
 */
export function toTypeScript(doc: GraphDocument): string {
  const x = plan(doc)
  const t = x.training
  const mse = x.loss.type === 'MSELoss'
  const mean = x.loss.params.reduction === 'none' ? '.mean()' : ''
  const warnings = x.warnings.map(
    (w) => `// Warning${w.nodeId ? ` (${w.nodeId})` : ''}: ${commentText(w.message)}`,
  )
  const criterion = mse
    ? `const mse = ${tsLoss(x.loss)}
  // MSELoss compares the outputs with one-hot encoded labels.
  const criterion = {
    call: (outputs: tf.Tensor, labels: tf.Tensor) =>
      mse.call(outputs, tf.oneHot(tf.cast(labels, 'int32'), ${NUM_CLASSES}).toFloat())${mean},
  }`
    : mean
      ? `const loss = ${tsLoss(x.loss)}
  const criterion = { call: (outputs: tf.Tensor, labels: tf.Tensor) => loss.call(outputs, labels)${mean} }`
      : `const criterion = ${tsLoss(x.loss)}`
  return `// ${commentText(x.name) || 'Untitled'}, exported from Tensorloom.
//
// Train: npx tsx train.ts [--data-root ./data] [--epochs N] [--max-steps N] [--log-interval N]
${warnings.length > 0 ? `//\n${warnings.join('\n')}\n` : ''}${imports(x)}

${model(x)}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      'data-root': { type: 'string', default: './data' },
      epochs: { type: 'string', default: '${t.epochs}' },
      'max-steps': { type: 'string', default: '0' },
      'log-interval': { type: 'string', default: '100' },
    },
  })
  const epochs = Number(args.epochs)
  const maxSteps = Number(args['max-steps'])
  const logInterval = Number(args['log-interval'])
  manualSeed(${t.seed})

  const transform = new Compose([${x.transforms.map(tsTransform).join(', ')}])
  const root = args['data-root']
  const trainDataset = await ${x.dataset}.load({ root, train: ${x.train}, download: true, transform })
  const testDataset = await ${x.dataset}.load({ root, train: false, download: true, transform })
  const trainLoader = new DataLoader(trainDataset, { batchSize: ${x.loader.batchSize}, shuffle: ${x.loader.shuffle}, seed: ${t.seed} })
  const testLoader = new DataLoader(testDataset, { batchSize: 1000 })

  const model = new SimpleNN()
  ${criterion}
  const optimizer = ${tsOptimizer(t)}

  let step = 0
  for (let epoch = 1; epoch <= epochs; epoch++) {
    model.train()
    let batch = 0
    for await (const [images, labels] of trainLoader) {
      const loss = optimizer.step(() => criterion.call(model.call(images), labels))
      step++
      batch++
      if (batch % logInterval === 0) {
        const value = (await loss.data())[0] ?? Number.NaN
        console.log(\`Epoch [\${epoch}/\${epochs}], Step [\${batch}/\${trainLoader.length}], Loss: \${value.toFixed(4)}\`)
      }
      tf.dispose([images, labels, loss])
      if (maxSteps > 0 && step >= maxSteps) break
    }
    const result = await evaluate(model, testLoader, criterion)
    console.log(\`Epoch [\${epoch}/\${epochs}], Test accuracy: \${(100 * (result.accuracy ?? 0)).toFixed(2)}%\`)
    if (maxSteps > 0 && step >= maxSteps) break
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
`
}
