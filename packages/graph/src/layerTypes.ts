import { blocks } from './blocks/index.js'
import type { NodeParams, NodeType, NodeTypeOfKind } from './types.js'

export type { Fix, ShapeIssue, ShapeResult } from './issue.js'

/** The layer node types: each has a shape rule here and a runtime module in `@tensorloom/layers`. */
export type LayerType = NodeTypeOfKind<'layer'>

/** Parameters of each layer type, camelCase; PyTorch's defaults are in `layerDefaults`. */
export type LayerParams = { [T in LayerType]: NodeParams[T] }

/** Every layer type, in palette order. */
export const layerTypes: readonly LayerType[] = (Object.keys(blocks) as NodeType[]).filter(
  (type): type is LayerType => blocks[type].kind === 'layer',
)
