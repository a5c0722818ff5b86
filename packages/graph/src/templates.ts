import { CURRENT_VERSION, NODE_SPACING } from './parseGraph.js'
import { nodeSpecs } from './specs.js'
import { defaultTraining } from './training.js'
import type { GraphDocument, GraphEdge, GraphNode, NodeParams, NodeType } from './types.js'

type Step = { [T in NodeType]: [T, Partial<NodeParams[T]>?] }[NodeType]

const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

/** Builds a document whose nodes form one chain, laid out left to right. */
function chain(name: string, steps: readonly Step[]): GraphDocument {
  const nodes: GraphNode[] = steps.map(([type, params], i) => ({
    id: `n${i + 1}`,
    type,
    params: { ...structuredClone(nodeSpecs[type].defaults), ...structuredClone(params ?? {}) },
    position: { x: i * NODE_SPACING, y: 0 },
  }))
  const edges: GraphEdge[] = nodes.slice(1).map((node, i) => ({
    id: `e${i + 1}`,
    source: nodes[i]!.id,
    target: node.id,
  }))
  return deepFreeze({
    version: CURRENT_VERSION,
    name,
    nodes,
    edges,
    training: { ...defaultTraining },
  })
}

const mnistPipeline: Step[] = [
  ['MNIST', { train: true }],
  ['ToTensor'],
  ['Normalize', { mean: [0.1307], std: [0.3081] }],
  ['DataLoader', { batchSize: 64, shuffle: true }],
]

/**
 * Built-in documents (deeply frozen: copy before editing, or edit through `applyFix`):
 * - `lesson`: the lesson's network, MNIST -> ToTensor -> Normalize(0.1307, 0.3081) ->
 *   DataLoader(64, shuffle) -> Flatten -> Linear(784, 128) -> ReLU -> Linear(128, 10) ->
 *   CrossEntropyLoss, trained with Adam (lr 0.001), 101,770 parameters;
 * - `deepMlp`: two hidden layers with BatchNorm1d and Dropout;
 * - `smallCnn`: (Conv2d -> ReLU -> MaxPool2d) x 2 -> Flatten -> Linear;
 * - `empty`: no nodes.
 */
export const templates: {
  lesson: GraphDocument
  deepMlp: GraphDocument
  smallCnn: GraphDocument
  empty: GraphDocument
} = {
  lesson: chain('MNIST lesson', [
    ...mnistPipeline,
    ['Flatten'],
    ['Linear', { inFeatures: 784, outFeatures: 128 }],
    ['ReLU'],
    ['Linear', { inFeatures: 128, outFeatures: 10 }],
    ['CrossEntropyLoss'],
  ]),
  deepMlp: chain('Deeper MLP', [
    ...mnistPipeline,
    ['Flatten'],
    ['Linear', { inFeatures: 784, outFeatures: 256 }],
    ['BatchNorm1d', { numFeatures: 256 }],
    ['ReLU'],
    ['Dropout', { p: 0.2 }],
    ['Linear', { inFeatures: 256, outFeatures: 128 }],
    ['BatchNorm1d', { numFeatures: 128 }],
    ['ReLU'],
    ['Dropout', { p: 0.2 }],
    ['Linear', { inFeatures: 128, outFeatures: 10 }],
    ['CrossEntropyLoss'],
  ]),
  smallCnn: chain('Small CNN', [
    ...mnistPipeline,
    ['Conv2d', { inChannels: 1, outChannels: 16, kernelSize: 3, padding: 1 }],
    ['ReLU'],
    ['MaxPool2d', { kernelSize: 2 }],
    ['Conv2d', { inChannels: 16, outChannels: 32, kernelSize: 3, padding: 1 }],
    ['ReLU'],
    ['MaxPool2d', { kernelSize: 2 }],
    ['Flatten'],
    ['Linear', { inFeatures: 32 * 7 * 7, outFeatures: 10 }],
    ['CrossEntropyLoss'],
  ]),
  empty: chain('Untitled', []),
}
