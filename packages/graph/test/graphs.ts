import { parseGraph } from '../src/parseGraph.js'
import type { GraphDocument, NodeType } from '../src/types.js'

/** One step of a chain: a node type and the params that differ from the defaults. */
export type Step = [NodeType | string, Record<string, unknown>?]

/** The lesson's data pipeline. */
export const pipeline: Step[] = [['MNIST'], ['ToTensor'], ['Normalize'], ['DataLoader']]

/**
 * Every layer type of the first release once, each with arguments other than its defaults: a
 * strided Conv2d stem, MaxPool2d, then an MLP head ending in LogSoftmax (inputs [N, 1, 28, 28],
 * 10 outputs). `newBlocks` holds the layer types added since.
 */
export const everyLayer: Step[] = [
  ['Conv2d', { inChannels: 1, outChannels: 8, kernelSize: 5, stride: 2, padding: 2, bias: false }],
  ['MaxPool2d', { kernelSize: 3, stride: 1 }],
  ['Tanh'],
  ['Flatten', { startDim: 1, endDim: 3 }],
  ['Linear', { inFeatures: 1152, outFeatures: 64, bias: false }],
  ['BatchNorm1d', { numFeatures: 64, eps: 0.001, momentum: 0.2 }],
  ['Sigmoid'],
  ['Dropout', { p: 0.25 }],
  ['Linear', { inFeatures: 64, outFeatures: 10 }],
  ['LogSoftmax', { dim: 1 }],
]

/**
 * Every block added after the first release (BatchNorm2d, LeakyReLU, AvgPool2d, Dropout2d,
 * AdaptiveAvgPool2d, LayerNorm, GELU, SiLU, ELU, Identity), most with arguments other than their
 * defaults, in a small CNN (inputs [N, 1, 28, 28], 10 outputs). AdaptiveAvgPool2d takes 12 to 5,
 * whose windows overlap.
 */
export const newBlocks: Step[] = [
  ['Conv2d', { inChannels: 1, outChannels: 8, kernelSize: 3, stride: 1, padding: 1, bias: true }],
  ['BatchNorm2d', { numFeatures: 8, eps: 0.001, momentum: 0.2 }],
  ['LeakyReLU', { negativeSlope: 0.2 }],
  ['AvgPool2d', { kernelSize: 3, stride: 2, padding: 1 }],
  ['Dropout2d', { p: 0.25 }],
  ['Conv2d', { inChannels: 8, outChannels: 16, kernelSize: 3, stride: 1, padding: 0, bias: true }],
  ['AdaptiveAvgPool2d', { outputSize: 5 }],
  ['LayerNorm', { normalizedShape: [16, 5, 5], eps: 0.0001 }],
  ['Flatten'],
  ['Linear', { inFeatures: 400, outFeatures: 64 }],
  ['GELU', { approximate: 'tanh' }],
  ['Linear', { inFeatures: 64, outFeatures: 32 }],
  ['SiLU'],
  ['ELU', { alpha: 0.5 }],
  ['Identity'],
  ['Linear', { inFeatures: 32, outFeatures: 10 }],
]

/** A document whose nodes n1, n2, … form one chain through `steps` (unchecked: may be invalid). */
export function chainDoc(
  steps: readonly Step[],
  training: Partial<GraphDocument['training']> = {},
): GraphDocument {
  const nodes = steps.map(([type, params], i) => ({
    id: `n${i + 1}`,
    type,
    params: params ?? {},
    position: { x: i * 220, y: 0 },
  }))
  const edges = nodes
    .slice(1)
    .map((n, i) => ({ id: `e${i + 1}`, source: `n${i + 1}`, target: n.id }))
  // Fill defaults through parseGraph when the document is valid JSON-wise; keep it raw otherwise.
  const raw = {
    version: 1,
    name: 'test',
    nodes,
    edges,
    training: { optimizer: 'Adam', lr: 0.001, momentum: 0.9, epochs: 1, seed: 42, ...training },
  }
  try {
    return parseGraph(raw)
  } catch {
    return raw as unknown as GraphDocument
  }
}

/** The lesson's network with its layers replaced by `layers`. */
export const lessonWith = (layers: readonly Step[], loss: Step = ['CrossEntropyLoss']) =>
  chainDoc([...pipeline, ...layers, loss])
