import { CURRENT_VERSION, NODE_SPACING } from './limits.js'
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

/** A node of a branching template: id, type, parameters, and where it sits (column, row). */
type Place = [id: string, step: Step, col: number, row?: number]
/** An edge of a branching template: source, target and, into a merge block, the target's port. */
type Wire = [source: string, target: string, port?: string]

/** Builds a document from placed nodes and wires (a network with branches and merges). */
function graph(name: string, places: readonly Place[], wires: readonly Wire[]): GraphDocument {
  const nodes: GraphNode[] = places.map(([id, [type, params], col, row = 0]) => ({
    id,
    type,
    params: { ...structuredClone(nodeSpecs[type].defaults), ...structuredClone(params ?? {}) },
    position: { x: col * NODE_SPACING, y: row * 160 },
  }))
  const edges: GraphEdge[] = wires.map(([source, target, port], i) => ({
    id: `e${i + 1}`,
    source,
    target,
    ...(port === undefined ? {} : { targetPort: port }),
  }))
  return deepFreeze({
    version: CURRENT_VERSION,
    name,
    nodes,
    edges,
    training: { ...defaultTraining },
  })
}

/** The lesson's data pipeline as placed nodes n1–n4, wired in a line. */
const pipelinePlaces = (): { places: Place[]; wires: Wire[] } => ({
  places: [
    ['n1', ['MNIST', { train: true }], 0],
    ['n2', ['ToTensor'], 1],
    ['n3', ['Normalize', { mean: [0.1307], std: [0.3081] }], 2],
    ['n4', ['DataLoader', { batchSize: 64, shuffle: true }], 3],
  ],
  wires: [
    ['n1', 'n2'],
    ['n2', 'n3'],
    ['n3', 'n4'],
  ],
})

/** The residual MLP: a skip connection around two Linear(128, 128) layers. */
function residualMlp(): GraphDocument {
  const { places, wires } = pipelinePlaces()
  return graph(
    'Residual MLP',
    [
      ...places,
      ['n5', ['Flatten'], 4],
      ['n6', ['Linear', { inFeatures: 784, outFeatures: 128 }], 5],
      ['n7', ['ReLU'], 6],
      ['n8', ['Linear', { inFeatures: 128, outFeatures: 128 }], 7, 1],
      ['n9', ['ReLU'], 8, 1],
      ['n10', ['Linear', { inFeatures: 128, outFeatures: 128 }], 9, 1],
      ['n11', ['Add'], 10],
      ['n12', ['ReLU'], 11],
      ['n13', ['Linear', { inFeatures: 128, outFeatures: 10 }], 12],
      ['n14', ['CrossEntropyLoss'], 13],
    ],
    [
      ...wires,
      ['n4', 'n5'],
      ['n5', 'n6'],
      ['n6', 'n7'],
      ['n7', 'n8'],
      ['n8', 'n9'],
      ['n9', 'n10'],
      ['n10', 'n11', 'a'],
      ['n7', 'n11', 'b'],
      ['n11', 'n12'],
      ['n12', 'n13'],
      ['n13', 'n14'],
    ],
  )
}

/** Two towers of different widths over the same image, joined by Concat. */
function twoTower(): GraphDocument {
  const { places, wires } = pipelinePlaces()
  return graph(
    'Two towers',
    [
      ...places,
      ['n5', ['Flatten'], 4],
      ['n6', ['Linear', { inFeatures: 784, outFeatures: 128 }], 5, -1],
      ['n8', ['Linear', { inFeatures: 784, outFeatures: 32 }], 5, 1],
      ['n7', ['ReLU'], 6, -1],
      ['n9', ['Tanh'], 6, 1],
      ['n10', ['Concat', { dim: 1 }], 7],
      ['n11', ['Linear', { inFeatures: 160, outFeatures: 10 }], 8],
      ['n12', ['CrossEntropyLoss'], 9],
    ],
    [
      ...wires,
      ['n4', 'n5'],
      ['n5', 'n6'],
      ['n6', 'n7'],
      ['n5', 'n8'],
      ['n8', 'n9'],
      ['n7', 'n10', '0'],
      ['n9', 'n10', '1'],
      ['n10', 'n11'],
      ['n11', 'n12'],
    ],
  )
}

/**
 * A small ResNet on MNIST: a Conv2d stem with BatchNorm2d, max pooling to 14×14, two residual
 * blocks (conv -> bn -> relu -> conv -> bn, added back to the block's input, then relu), global
 * average pooling and a Linear classifier.
 */
function smallResNet(): GraphDocument {
  const { places, wires } = pipelinePlaces()
  const conv = { inChannels: 16, outChannels: 16, kernelSize: 3, padding: 1 }
  const blockPlaces = (first: number, col: number): Place[] => {
    const n = (k: number) => `n${first + k}`
    return [
      [n(0), ['Conv2d', conv], col, 1],
      [n(1), ['BatchNorm2d', { numFeatures: 16 }], col + 1, 1],
      [n(2), ['ReLU'], col + 2, 1],
      [n(3), ['Conv2d', conv], col + 3, 1],
      [n(4), ['BatchNorm2d', { numFeatures: 16 }], col + 4, 1],
      [n(5), ['Add'], col + 5],
      [n(6), ['ReLU'], col + 6],
    ]
  }
  const blockWires = (input: string, first: number): Wire[] => {
    const n = (k: number) => `n${first + k}`
    return [
      [input, n(0)],
      [n(0), n(1)],
      [n(1), n(2)],
      [n(2), n(3)],
      [n(3), n(4)],
      [n(4), n(5), 'a'],
      [input, n(5), 'b'],
      [n(5), n(6)],
    ]
  }
  return graph(
    'Small ResNet',
    [
      ...places,
      ['n5', ['Conv2d', { inChannels: 1, outChannels: 16, kernelSize: 3, padding: 1 }], 4],
      ['n6', ['BatchNorm2d', { numFeatures: 16 }], 5],
      ['n7', ['ReLU'], 6],
      ['n8', ['MaxPool2d', { kernelSize: 2 }], 7],
      ...blockPlaces(9, 8),
      ...blockPlaces(16, 15),
      ['n23', ['AdaptiveAvgPool2d', { outputSize: 1 }], 22],
      ['n24', ['Flatten'], 23],
      ['n25', ['Linear', { inFeatures: 16, outFeatures: 10 }], 24],
      ['n26', ['CrossEntropyLoss'], 25],
    ],
    [
      ...wires,
      ['n4', 'n5'],
      ['n5', 'n6'],
      ['n6', 'n7'],
      ['n7', 'n8'],
      ...blockWires('n8', 9),
      ...blockWires('n15', 16),
      ['n22', 'n23'],
      ['n23', 'n24'],
      ['n24', 'n25'],
      ['n25', 'n26'],
    ],
  )
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
 * - `residualMlp`: Flatten -> Linear(784, 128) -> ReLU -> two Linear(128, 128) with a ReLU between,
 *   added back to their input (`x + identity`) -> ReLU -> Linear(128, 10);
 * - `smallResNet`: a Conv2d stem with BatchNorm2d and two residual blocks (conv-bn-relu-conv-bn,
 *   `x + identity`, relu), global average pooling, Linear(16, 10);
 * - `twoTower`: a wide (128, ReLU) and a narrow (32, Tanh) tower over the flattened image, joined
 *   by Concat(dim=1) -> Linear(160, 10);
 * - `empty`: no nodes.
 */
export const templates: {
  lesson: GraphDocument
  deepMlp: GraphDocument
  smallCnn: GraphDocument
  residualMlp: GraphDocument
  smallResNet: GraphDocument
  twoTower: GraphDocument
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
  residualMlp: residualMlp(),
  smallResNet: smallResNet(),
  twoTower: twoTower(),
  empty: chain('Untitled', []),
}
