import type * as tf from '@tensorflow/tfjs-core'
import { layersError } from './errors'
import { Module } from './Module'

/**
 * A chain of modules run one after another, like `torch.nn.Sequential`. Children are named `'0'`,
 * `'1'`, ... (state-dict keys `'0.weight'`), or by the keys of an object:
 *
 * ```ts
 * const mlp = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10))
 * const named = new Sequential({ fc1: new Linear(784, 128), act: new ReLU() })
 * ```
 */
export class Sequential extends Module implements Iterable<Module> {
  static readonly displayName = 'Sequential'

  /** Modules in order (`new Sequential(a, b, c)`) or by name (`new Sequential({ fc1: a, act: b })`). */
  constructor(...modules: Module[] | [Record<string, Module>]) {
    super()
    const [first] = modules
    if (modules.length === 1 && first !== undefined && !(first instanceof Module)) {
      for (const [name, module] of Object.entries(first)) this.registerModule(name, module)
    } else {
      for (const module of modules as Module[]) this.append(module)
    }
  }

  /** Number of child modules. */
  get length(): number {
    return this.children().length
  }

  /** The child at `index` (negative counts from the end), like `seq[i]`. */
  at(index: number): Module {
    const children = this.children()
    const i = index < 0 ? children.length + index : index
    const child = children[i]
    if (!Number.isInteger(index) || child === undefined) {
      throw layersError('SEQUENTIAL_INDEX', { index, length: children.length })
    }
    return child
  }

  /** Adds a module at the end under the next free index, like `Sequential.append`. */
  append(module: Module): this {
    return this.registerModule(String(this.namedChildren().length), module)
  }

  /** A new `Sequential` sharing the children from `start` to `end` (exclusive), like `seq[a:b]`. */
  slice(start?: number, end?: number): Sequential {
    const entries = this.namedChildren().slice(start, end)
    return new Sequential(Object.fromEntries(entries))
  }

  /** Iterates over the child modules in order. */
  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]()
  }

  /** Passes the input through every child in order. */
  forward(input: tf.Tensor): tf.Tensor {
    let x = input
    for (const module of this.children()) x = module.call(x)
    return x
  }

  /** Chains the children's `outputShape`s. */
  override outputShape(inputShape: readonly number[]): number[] {
    let shape = [...inputShape]
    for (const module of this.children()) shape = module.outputShape(shape)
    return shape
  }
}
