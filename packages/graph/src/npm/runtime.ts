// The code of a generated package (see toNpmPackage.ts): plain ES modules and a hand-written .d.ts,
// so the package needs no build step. Every variable part is in model.js.

export const CORE_JS = `// The network and its predictions; node.js and browser.js add how the weights are read.
import * as tf from '@tensorflow/tfjs-core'
import { fromGraph, loadSafetensors } from '@tensorloom/layers'
import { card, graph } from './model.js'

export { card, graph }

/** The class names, in the order of the network's outputs. */
export const classes = card.classes

/** The shape of one image: [channels, height, width]. */
export const inputShape = card.inputShape

const [channels, height, width] = inputShape
const size = channels * height * width

/** Images (0–255, as the dataset's files hold them) as one float32 batch [N, C, H, W]. */
function toBatch(images) {
  if (images instanceof tf.Tensor) {
    if (images.size % size !== 0) {
      throw new Error(\`expected images of \${size} values (\${inputShape.join('×')}), got a tensor of shape [\${images.shape.join(', ')}]\`)
    }
    return tf.tidy(() => tf.reshape(tf.cast(images, 'float32'), [-1, channels, height, width]))
  }
  const list = Array.isArray(images) ? images : [images]
  const values = new Float32Array(list.length * size)
  list.forEach((image, i) => {
    if (image == null || image.length !== size) {
      throw new Error(\`image \${i} has \${image?.length} values: expected \${size} (\${inputShape.join('×')}, row by row)\`)
    }
    values.set(image, i * size)
  })
  return tf.tensor4d(values, [list.length, channels, height, width])
}

/** The graph's transforms, batched: ToTensor scales to [0, 1], Normalize per channel. */
function preprocess(x, data) {
  let out = data.toTensor ? tf.div(x, 255) : x
  if (data.normalize) {
    const shape = [1, channels, 1, 1]
    out = tf.div(tf.sub(out, tf.tensor(data.normalize.mean, shape)), tf.tensor(data.normalize.std, shape))
  }
  return out
}

function toProbabilities(output) {
  if (card.output === 'probabilities') return output
  if (card.output === 'logProbabilities') return tf.exp(output)
  return tf.softmax(output)
}

/** A loaded network: predict with it, then dispose() it to free its weights. */
export class Model {
  constructor(built) {
    /** The @tensorloom/layers GraphModel (PyTorch's attribute names, print(model) as toString). */
    this.module = built.model
    this.data = built.data
    this.classes = classes
  }

  /** The class of one image, with the probabilities of all classes. */
  async predict(image) {
    const [prediction] = await this.predictBatch([image])
    return prediction
  }

  /** The classes of several images (an array of images, or a tensor of N images). */
  async predictBatch(images) {
    const x = toBatch(images)
    const probabilities = tf.tidy(() => toProbabilities(this.module.call(preprocess(x, this.data))))
    x.dispose()
    const values = await probabilities.data()
    probabilities.dispose()
    const k = classes.length
    const out = []
    for (let i = 0; i < values.length / k; i++) {
      const row = Array.from(values.subarray(i * k, (i + 1) * k))
      let best = 0
      for (let c = 1; c < k; c++) if (row[c] > row[best]) best = c
      out.push({ classIndex: best, className: classes[best], confidence: row[best], probabilities: row })
    }
    return out
  }

  /** Frees the weights. */
  dispose() {
    this.module.dispose()
  }
}

/** Builds the network from the graph and loads safetensors weights into it. */
export function createModel(weights) {
  const bytes = weights instanceof Uint8Array ? weights : new Uint8Array(weights)
  const built = fromGraph(graph)
  built.model.eval()
  loadSafetensors(built.model, bytes)
  return new Model(built)
}

/** \`predict\` on a model loaded once, by the first call. */
export function predictWith(load) {
  let model
  return async (image) => {
    model ??= load()
    return (await model).predict(image)
  }
}
`

export const NODE_JS = `// Node: the weights are read from this package's folder.
import { readFile } from 'node:fs/promises'
import { createModel, predictWith } from './core.js'

export { card, classes, createModel, graph, inputShape, Model } from './core.js'

/** Where the trained weights are. */
export const weightsUrl = new URL('./weights.safetensors', import.meta.url)

/** Loads the trained network; \`weights\` (bytes, a path or a file URL) replaces this package's. */
export async function load(options = {}) {
  const weights = options.weights ?? weightsUrl
  const bytes = typeof weights === 'string' || weights instanceof URL ? await readFile(weights) : weights
  return createModel(bytes)
}

/** The class of one image (28×28 values 0–255, row by row), loading the network on first use. */
export const predict = predictWith(() => load())
`

/** browser.js of a package named \`name\`. */
export const browserJs = (
  name: string,
) => `// Browsers and bundlers: the weights are fetched from next to this file; Vite and webpack copy
// weights.safetensors into the build through new URL(..., import.meta.url).
import { createModel, predictWith } from './core.js'

export { card, classes, createModel, graph, inputShape, Model } from './core.js'

const here = import.meta.url

/**
 * Where the trained weights are. Vite's dev server pre-bundles dependencies into
 * node_modules/.vite/deps/ without rewriting new URL(): there they are served from the package.
 */
export const weightsUrl = here.includes('/node_modules/.vite/deps/')
  ? new URL(${JSON.stringify(`../../${name}/weights.safetensors`)}, here)
  : new URL('./weights.safetensors', import.meta.url)

/** Loads the trained network; \`weights\` (bytes or a URL) replaces this package's. */
export async function load(options = {}) {
  const weights = options.weights ?? weightsUrl
  if (typeof weights !== 'string' && !(weights instanceof URL)) return createModel(weights)
  const response = await fetch(weights)
  if (!response.ok) throw new Error(\`could not fetch the weights from \${weights}: HTTP \${response.status}\`)
  return createModel(new Uint8Array(await response.arrayBuffer()))
}

/** The class of one image (28×28 values 0–255, row by row), loading the network on first use. */
export const predict = predictWith(() => load())
`

export const INDEX_D_TS = `import type { Tensor } from '@tensorflow/tfjs-core'
import type { GraphModel } from '@tensorloom/layers'

/**
 * One image: its values row by row (channels first), 0–255 like the dataset's files — an MNIST
 * digit is white on black — as an array, a typed array or a tensor.
 */
export type Image = ArrayLike<number> | Tensor

/** What the network says about one image. */
export interface Prediction {
  /** The most probable class, an index into \`classes\`. */
  classIndex: number
  /** Its name, e.g. \`'7 - seven'\`. */
  className: string
  /** Its probability, 0–1. */
  confidence: number
  /** The probability of every class, in the order of \`classes\`. */
  probabilities: number[]
}

/** What the package says about the network: how it was trained and how well it does. */
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
  training: Record<string, unknown>
  evaluation: {
    split: 'test'
    images: number
    accuracy: number
    loss: number | null
    confusionMatrix: number[][]
  } | null
  reference: { split: 'test'; firstImages: number; classIndex: number[]; confidence: number[] } | null
}

/** A loaded network. */
export declare class Model {
  /** The @tensorloom/layers GraphModel: PyTorch's attribute names, \`toString()\` prints it. */
  readonly module: GraphModel
  readonly classes: readonly string[]
  /** The class of one image. */
  predict(image: Image): Promise<Prediction>
  /** The classes of several images: an array of images, or a tensor of N images. */
  predictBatch(images: readonly Image[] | Tensor): Promise<Prediction[]>
  /** Frees the weights. */
  dispose(): void
}

/** Options of {@link load}. */
export interface LoadOptions {
  /** Other weights: safetensors bytes, or where to read them (a URL; in Node also a path). */
  weights?: Uint8Array | ArrayBuffer | URL | string
}

/** The class names, in the order of the network's outputs. */
export declare const classes: readonly string[]
/** The shape of one image: [channels, height, width]. */
export declare const inputShape: readonly [number, number, number]
/** The Tensorloom graph document of the network (also in graph.json). */
export declare const graph: {
  version: number
  name: string
  nodes: unknown[]
  edges: unknown[]
  training: Record<string, unknown>
}
/** The model card (also in model-card.json). */
export declare const card: ModelCard
/** Where this package's trained weights are. */
export declare const weightsUrl: URL
/** Loads the trained network. Import a tfjs backend first (e.g. '@tensorflow/tfjs-backend-wasm'). */
export declare function load(options?: LoadOptions): Promise<Model>
/** Builds the network with the given safetensors weights. */
export declare function createModel(weights: Uint8Array | ArrayBuffer): Model
/** The class of one image, loading the network on the first call. */
export declare function predict(image: Image): Promise<Prediction>
`
