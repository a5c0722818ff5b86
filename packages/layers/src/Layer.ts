import type * as tf from '@tensorflow/tfjs-core'
import { assertLayerShape, type LayerParams, type LayerType } from '@tensorloom/graph'
import { Module } from './Module'

/**
 * A built-in layer: a {@link Module} that corresponds to one `@tensorloom/graph` layer node type.
 * Its shape behaviour comes from the graph's shape rules, so the editor and the runtime agree:
 * `outputShape` answers from the rules without computing, and `forward` checks its input against
 * them first, throwing the graph's `ShapeError` (same code, PyTorch's wording, a fix).
 */
export abstract class Layer<T extends LayerType = LayerType> extends Module {
  /** The graph node type this layer implements, e.g. `'Linear'`. */
  abstract get layerType(): T

  /** The layer's configuration as a graph node's params (camelCase, e.g. `{ inFeatures: 784, ... }`). */
  abstract get params(): LayerParams[T]

  /** The output shape for `inputShape`, from the graph's shape rule; throws its `ShapeError`. */
  override outputShape(inputShape: readonly number[]): number[] {
    return assertLayerShape(this.layerType, this.params, inputShape)
  }

  /** Checks `input` against the shape rule and returns the output shape it must produce. */
  protected checkInput(input: tf.Tensor): number[] {
    return assertLayerShape(this.layerType, this.params, input.shape)
  }
}
