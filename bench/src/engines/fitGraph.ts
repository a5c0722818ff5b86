// The baseline for the network rows: each template written in plain tfjs the way its guides write
// such models — the functional API (`tf.input`, layers applied to symbolic tensors, `tf.model`),
// channels-last images, softmax output, categoricalCrossentropy, Adam 1e-3 — trained with
// `model.fit` on the dataset uploaded once as tensors.
import * as tf from '@tensorflow/tfjs'
import type { NetworkName, RunRequest, RunResult } from '../protocol'
import { cpuNow, cpuSince } from './cpuClock'
import { trainSplit } from './fit'

type Sym = tf.SymbolicTensor
const apply = (layer: tf.layers.Layer, x: Sym | Sym[]) => layer.apply(x) as Sym

function residualMlp(input: Sym): Sym {
  const flat = apply(tf.layers.flatten(), input)
  const h = apply(tf.layers.dense({ units: 128, activation: 'relu' }), flat)
  let x = apply(tf.layers.dense({ units: 128, activation: 'relu' }), h)
  x = apply(tf.layers.dense({ units: 128 }), x)
  x = apply(tf.layers.reLU(), apply(tf.layers.add(), [x, h]))
  return apply(tf.layers.dense({ units: 10, activation: 'softmax' }), x)
}

function smallCnn(input: Sym): Sym {
  let x = apply(
    tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
    input,
  )
  x = apply(tf.layers.maxPooling2d({ poolSize: 2 }), x)
  x = apply(
    tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
    x,
  )
  x = apply(tf.layers.maxPooling2d({ poolSize: 2 }), x)
  x = apply(tf.layers.flatten(), x)
  return apply(tf.layers.dense({ units: 10, activation: 'softmax' }), x)
}

function smallResNet(input: Sym): Sym {
  // PyTorch's BatchNorm2d defaults: momentum 0.1 (tfjs counts it the other way), eps 1e-5.
  const bn = () => tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 })
  const conv = () => tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same' })
  let x = apply(tf.layers.reLU(), apply(bn(), apply(conv(), input)))
  x = apply(tf.layers.maxPooling2d({ poolSize: 2 }), x)
  for (let block = 0; block < 2; block++) {
    let y = apply(tf.layers.reLU(), apply(bn(), apply(conv(), x)))
    y = apply(bn(), apply(conv(), y))
    x = apply(tf.layers.reLU(), apply(tf.layers.add(), [y, x]))
  }
  x = apply(tf.layers.globalAveragePooling2d({}), x)
  return apply(tf.layers.dense({ units: 10, activation: 'softmax' }), x)
}

const BUILDERS: Record<NetworkName, (input: Sym) => Sym> = { residualMlp, smallCnn, smallResNet }

function buildModel(name: NetworkName): tf.LayersModel {
  const input = tf.input({ shape: [28, 28, 1] })
  const model = tf.model({ inputs: input, outputs: BUILDERS[name](input) })
  model.compile({
    optimizer: tf.train.adam(1e-3),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  })
  return model
}

/**
 * tfjs-backend-wasm has no Conv2DBackpropFilter kernel, so `model.fit` of any network with a
 * convolution fails there ("Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'").
 * The baseline gets it the way a tfjs user would write it from tfjs' own kernels, as Tensorloom's
 * reference path computes it: the filter's gradient is itself a convolution, of the padded input
 * (channels as batch) with the output's gradient (batch as channels).
 */
export function registerConv2DBackpropFilter(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) =>
      tf.tidy(() => {
        const { x, dy } = inputs as { x: tf.Tensor4D; dy: tf.Tensor4D }
        const { strides, pad, filterShape, dimRoundingMode } = attrs as unknown as {
          strides: [number, number]
          pad: 'valid' | 'same' | number
          filterShape: [number, number, number, number]
          dimRoundingMode?: 'floor' | 'round' | 'ceil'
        }
        const [kh, kw, inChannels, outChannels] = filterShape
        const info = tf.backend_util.computeConv2DInfo(
          x.shape,
          filterShape,
          strides,
          1,
          pad,
          dimRoundingMode,
        )
        const { top, bottom, left, right } = info.padInfo
        const padded = tf.pad(x, [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ])
        const full = tf.conv2d(
          tf.transpose(padded, [3, 1, 2, 0]) as tf.Tensor4D,
          tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D,
          1,
          'valid',
          'NHWC',
          [info.strideHeight, info.strideWidth],
        )
        return tf.transpose(
          tf.slice(full, [0, 0, 0, 0], [inChannels, kh, kw, outChannels]),
          [1, 2, 0, 3],
        )
      }) as unknown as tf.TensorInfo,
  })
}

/**
 * One run of `model.fit` on a template: a fresh model; with `warmupSteps`, a first untimed fit on
 * that many batches; then one timed fit over the first `steps` batches (or one epoch).
 */
export async function runFitNetwork(source: string, request: RunRequest): Promise<RunResult> {
  if (tf.getBackend() === 'wasm') registerConv2DBackpropFilter()
  const { batchSize } = request
  const setupStart = performance.now()
  const data = await trainSplit(source, request.steps ? request.steps * batchSize : undefined)
  const tensorsBefore = tf.memory().numTensors
  const model = buildModel(request.network!)
  const xs = tf.reshape(data.xs, [-1, 28, 28, 1])
  if (request.warmupSteps) {
    const n = Math.min(request.warmupSteps * batchSize, data.xs.shape[0])
    const [wx, wy] = [xs.slice(0, n), data.ys.slice(0, n)]
    await model.fit(wx, wy, { batchSize, epochs: 1, shuffle: true, verbose: 0 })
    tf.dispose([wx, wy])
  }
  const setupSeconds = (performance.now() - setupStart) / 1000
  const cpuStart = await cpuNow()
  const start = performance.now()
  const history = await model.fit(xs, data.ys, { batchSize, epochs: 1, shuffle: true, verbose: 0 })
  const seconds = (performance.now() - start) / 1000
  const cpuSeconds = cpuSince(cpuStart, await cpuNow())
  const tfBytes = tf.memory().numBytes
  const optimizer = model.optimizer
  model.dispose()
  optimizer.dispose()
  xs.dispose()
  const samples = data.xs.shape[0]
  return {
    seconds,
    steps: Math.ceil(samples / batchSize),
    samples,
    trainLoss: (history.history.loss?.[0] as number | undefined) ?? null,
    testAccuracy: null,
    tfBytes,
    setupSeconds,
    cpuSeconds,
    leakedTensors: tf.memory().numTensors - tensorsBefore,
  }
}
