import { describe, expect, it } from 'vitest'
import { chainDoc, lessonWith } from '../../test/graphs.js'
import { GraphExportError } from '../GraphExportError.js'
import { templates } from '../templates.js'
import { toTypeScript } from './toTypeScript.js'

describe('toTypeScript', () => {
  it("writes the lesson's program", () => {
    expect(toTypeScript(templates.lesson)).toMatchInlineSnapshot(`
      "// MNIST lesson, exported from Tensorloom.
      //
      // Needs:   npm install @tensorloom/data @tensorloom/layers @tensorloom/train tsx
      //            @tensorflow/tfjs-core @tensorflow/tfjs-backend-wasm @tensorflow/tfjs-backend-cpu
      // Train:   npx tsx train.ts
      // Options: --data-root DIR  --epochs N  --max-steps N  --log-interval N
      import { parseArgs } from 'node:util'
      import '@tensorflow/tfjs-backend-cpu'
      import '@tensorflow/tfjs-backend-wasm'
      import * as tf from '@tensorflow/tfjs-core'
      import { Compose, DataLoader, MNIST, Normalize, ToTensor } from '@tensorloom/data'
      import { Flatten, Linear, Module, manualSeed, ReLU, Sequential } from '@tensorloom/layers'
      import { Adam, CrossEntropyLoss, evaluate, selectBackend } from '@tensorloom/train'

      class SimpleNN extends Module {
        flatten = new Flatten()
        layers = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10))

        forward(x: tf.Tensor): tf.Tensor {
          x = this.flatten.call(x)
          x = this.layers.call(x)
          return x
        }
      }

      async function main(): Promise<void> {
        const { values: args } = parseArgs({
          options: {
            'data-root': { type: 'string', default: './data' },
            epochs: { type: 'string', default: '1' },
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
        manualSeed(42)

        const transform = new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])])
        const root = args['data-root']
        const trainDataset = await MNIST.load({ root, train: true, download: true, transform })
        const testDataset = await MNIST.load({ root, train: false, download: true, transform })
        const trainLoader = new DataLoader(trainDataset, { batchSize: 64, shuffle: true, seed: 42 })
        const testLoader = new DataLoader(testDataset, { batchSize: 1000, shuffle: false })

        const model = new SimpleNN()
        const criterion = new CrossEntropyLoss()
        const optimizer = new Adam(model.parameters(), { lr: 0.001 })

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
      "
    `)
  })

  it('writes each layer with the constructor of @tensorloom/layers', () => {
    const code = toTypeScript(templates.smallCnn)
    expect(code).toContain(`  layers = new Sequential(
    new Conv2d(1, 16, 3, { padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(16, 32, 3, { padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(1568, 10),
  )`)
    // Named imports in Biome's order, one per line when they do not fit in 100 columns.
    expect(code).toContain(`import {
  Conv2d,
  Flatten,
  Linear,
  MaxPool2d,
  Module,
  manualSeed,
  ReLU,
  Sequential,
} from '@tensorloom/layers'`)
    const deep = toTypeScript(templates.deepMlp)
    expect(deep).toContain('new BatchNorm1d(256),')
    expect(deep).toContain('new Dropout(0.2),')
  })

  it('follows the optimizer, loss and dataset', () => {
    const doc = chainDoc(
      [
        ['FashionMNIST'],
        ['ToTensor'],
        ['Normalize', { mean: [0.286], std: [0.353] }],
        ['DataLoader', { batchSize: 32, shuffle: true }],
        ['Flatten'],
        ['Linear', { inFeatures: 784, outFeatures: 10, bias: false }],
        ['CrossEntropyLoss', { labelSmoothing: 0.1 }],
      ],
      { optimizer: 'SGD', lr: 0.01, momentum: 0.9, seed: 3 },
    )
    const code = toTypeScript(doc)
    expect(code).toContain('new Linear(784, 10, { bias: false })')
    expect(code).toContain(
      'const optimizer = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 })',
    )
    expect(code).toContain('const criterion = new CrossEntropyLoss({ labelSmoothing: 0.1 })')
    expect(code).toContain(
      'await FashionMNIST.load({ root, train: true, download: true, transform })',
    )
    expect(code).toContain('new Compose([new ToTensor(), new Normalize([0.286], [0.353])])')
    expect(code).toContain('{ batchSize: 32, shuffle: true, seed: 3 }')
    expect(code).toContain('manualSeed(3)')
  })

  it('encodes labels one-hot for MSELoss', () => {
    const code = toTypeScript(
      lessonWith([['Flatten'], ['Linear', { inFeatures: 784, outFeatures: 10 }]], ['MSELoss']),
    )
    expect(code).toContain("mse.call(outputs, tf.cast(tf.oneHot(labels, 10), 'float32'))")
    const perValue = toTypeScript(
      lessonWith(
        [['Flatten'], ['Linear', { inFeatures: 784, outFeatures: 10 }]],
        ['MSELoss', { reduction: 'none' }],
      ),
    )
    expect(perValue).toContain(
      "tf.mean(mse.call(outputs, tf.cast(tf.oneHot(labels, 10), 'float32')))",
    )
  })

  it('refuses graphs with errors', () => {
    expect(() => toTypeScript(templates.empty)).toThrowError(GraphExportError)
  })
})
