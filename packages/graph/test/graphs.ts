import { parseGraph } from '../src/parseGraph.js'
import type { GraphDocument, NodeType } from '../src/types.js'

/** One step of a chain: a node type and the params that differ from the defaults. */
export type Step = [NodeType | string, Record<string, unknown>?]

/** The lesson's data pipeline. */
export const pipeline: Step[] = [['MNIST'], ['ToTensor'], ['Normalize'], ['DataLoader']]

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
