import type * as tf from '@tensorflow/tfjs-core'
import { type MergeType, mergeOutputShape, ShapeError } from '@tensorloom/graph'
import type { Flatten } from './Flatten'
import type { Layer } from './Layer'
import { Module } from './Module'
import { runMerge } from './merges'
import { Sequential } from './Sequential'

/** One node of a {@link GraphModel}: a layer (with its attribute path) or a merge. */
export type GraphModelStep =
  | { id: string; kind: 'layer'; path: string; module: Layer; inputs: readonly string[] }
  | { id: string; kind: 'merge'; type: MergeType; params: object; inputs: readonly string[] }

/** How a {@link GraphModel} is laid out: the steps in execution order and the output. */
export interface GraphModelLayout {
  steps: readonly GraphModelStep[]
  /** The step whose output is the model's output (`''`: the input). */
  output: string
  /**
   * True for a chain of layers: laid out like the lesson's class, `flatten` (when `leadingFlatten`)
   * and an `nn.Sequential` named `layers`. Otherwise each layer is an attribute of its own.
   */
  chain: boolean
  leadingFlatten: boolean
}

/**
 * The model built from a graph, in the manner of `torch.fx.GraphModule`: its attributes are
 * those of the class `toPyTorch` exports — for a chain the lesson's `flatten` and `layers`
 * (`layers.0.weight`), for a branching network one attribute per layer (`fc1.weight`) — so its
 * state-dict keys and printout match the exported PyTorch model and weights move between them as
 * safetensors. `forward` runs the steps in order, joining branches with the merges (`x + identity`,
 * `torch.cat`).
 */
export class GraphModel extends Module {
  /** The class name `toString()` prints (the exported script's class). */
  declare readonly className: string
  /** In a chain: the layers after the optional leading `flatten`; null in a branching network. */
  declare readonly layers: Sequential | null
  /** The leading `Flatten` of a chain (or a branching network's only one), else null. */
  declare readonly flatten: Flatten | null
  declare private readonly layout: GraphModelLayout

  constructor(layout: GraphModelLayout, className: string) {
    super()
    const hidden = (name: string, value: unknown) =>
      Object.defineProperty(this, name, { value, enumerable: false, writable: false })
    hidden('className', className)
    hidden('layout', layout)
    const layers = layout.steps.filter((s) => s.kind === 'layer')
    if (layout.chain) {
      const first = layout.leadingFlatten ? layers[0] : undefined
      if (first) this.registerModule('flatten', first.module)
      else hidden('flatten', null)
      const rest = layers.filter((s) => s !== first).map((s) => s.module as Module)
      this.registerModule('layers', new Sequential(...rest))
    } else {
      for (const step of layers) this.registerModule(step.path, step.module)
      if (!Object.hasOwn(this, 'flatten')) hidden('flatten', null)
      hidden('layers', null)
    }
  }

  /** The steps in execution order and the output (what `forward` runs). */
  get steps(): readonly GraphModelStep[] {
    return this.layout.steps
  }

  forward(input: tf.Tensor): tf.Tensor {
    const { layout } = this
    if (layout.chain) {
      const x = this.flatten ? this.flatten.call(input) : input
      return this.layers!.call(x)
    }
    const values = new Map<string, tf.Tensor>([['', input]])
    for (const step of layout.steps) {
      const args = step.inputs.map((id) => values.get(id)!)
      values.set(
        step.id,
        step.kind === 'layer' ? step.module.call(args[0]!) : runMerge(step.type, args, step.params),
      )
    }
    return values.get(layout.output)!
  }

  /** The output shape from the layers' and merges' shape rules, without computing. */
  override outputShape(inputShape: readonly number[]): number[] {
    const shapes = new Map<string, number[]>([['', [...inputShape]]])
    for (const step of this.layout.steps) {
      const inputs = step.inputs.map((id) => shapes.get(id)!)
      if (step.kind === 'layer') shapes.set(step.id, step.module.outputShape(inputs[0]!))
      else {
        const result = mergeOutputShape(step.type, step.params, inputs)
        if (!result.ok) throw new ShapeError(result.error)
        shapes.set(step.id, result.shape)
      }
    }
    return shapes.get(this.layout.output)!
  }

  protected override getName(): string {
    return this.className
  }
}
