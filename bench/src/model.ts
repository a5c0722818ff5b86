import type * as tf from '@tensorflow/tfjs-core'
import { Compose, MNIST, Normalize, ToTensor } from '@tensorloom/data'
import { Flatten, Linear, Module, ReLU, Sequential } from '@tensorloom/layers'

/** The lesson's transform: ToTensor, then Normalize((0.1307,), (0.3081,)). */
export const lessonTransform = () =>
  new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])])

/** MNIST as the lesson loads it, from a directory (Node) or a base URL (browser). */
export type LessonDataset = MNIST<tf.Tensor, number>

/** Loads a split from `source` (a directory in Node, a base URL in a browser). */
export function loadMnist(source: string, train: boolean): Promise<LessonDataset> {
  return MNIST.load({ source, train, transform: lessonTransform() })
}

/** The lesson's network, written as in the lesson. */
export class SimpleNN extends Module {
  static readonly displayName = 'SimpleNN'
  flatten = new Flatten()
  layers = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10))

  forward(x: tf.Tensor): tf.Tensor {
    return this.layers.call(this.flatten.call(x))
  }
}

/** Pixels normalised like the lesson, as one host array (for the plain-tfjs baseline). */
export function normalized(data: Uint8Array): Float32Array {
  const out = new Float32Array(data.length)
  for (let i = 0; i < data.length; i++) out[i] = (data[i]! / 255 - 0.1307) / 0.3081
  return out
}

/** A chain of Linear+ReLU layers of `hidden` widths, then Linear(…, 10): other shapes than the lesson's. */
export class MLP extends Module {
  static readonly displayName = 'MLP'
  flatten = new Flatten()
  layers: Sequential

  constructor(hidden: number[]) {
    super()
    const widths = [784, ...hidden]
    const modules: Module[] = []
    for (let i = 1; i < widths.length; i++) {
      modules.push(new Linear(widths[i - 1]!, widths[i]!), new ReLU())
    }
    modules.push(new Linear(widths[widths.length - 1]!, 10))
    this.layers = new Sequential(...modules)
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.layers.call(this.flatten.call(x))
  }
}
