/** The layer node types that have a shape rule and a runtime module. */
export type LayerType =
  | 'Flatten'
  | 'Linear'
  | 'Conv2d'
  | 'MaxPool2d'
  | 'Dropout'
  | 'BatchNorm1d'
  | 'ReLU'
  | 'Sigmoid'
  | 'Tanh'
  | 'Softmax'
  | 'LogSoftmax'

/** Every layer type, in palette order. */
export const layerTypes: readonly LayerType[] = [
  'Flatten',
  'Linear',
  'Conv2d',
  'MaxPool2d',
  'Dropout',
  'BatchNorm1d',
  'ReLU',
  'Sigmoid',
  'Tanh',
  'Softmax',
  'LogSoftmax',
]

/** Parameters of each layer type, camelCase; PyTorch's defaults are in `layerDefaults`. */
export interface LayerParams {
  /** `nn.Flatten(start_dim=1, end_dim=-1)` */
  Flatten: { startDim: number; endDim: number }
  /** `nn.Linear(in_features, out_features, bias=True)` */
  Linear: { inFeatures: number; outFeatures: number; bias: boolean }
  /** `nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True)` */
  Conv2d: {
    inChannels: number
    outChannels: number
    kernelSize: number
    stride: number
    padding: number
    bias: boolean
  }
  /** `nn.MaxPool2d(kernel_size, stride=None)`; `stride: null` means `kernelSize`. */
  MaxPool2d: { kernelSize: number; stride: number | null }
  /** `nn.Dropout(p=0.5)` */
  Dropout: { p: number }
  /** `nn.BatchNorm1d(num_features, eps=1e-5, momentum=0.1)` */
  BatchNorm1d: { numFeatures: number; eps: number; momentum: number }
  /** `nn.ReLU()` */
  ReLU: Record<string, never>
  /** `nn.Sigmoid()` */
  Sigmoid: Record<string, never>
  /** `nn.Tanh()` */
  Tanh: Record<string, never>
  /** `nn.Softmax(dim)`: dim is required in Tensorloom (PyTorch warns when it is omitted). */
  Softmax: { dim: number }
  /** `nn.LogSoftmax(dim)`: dim is required in Tensorloom. */
  LogSoftmax: { dim: number }
}

/**
 * A structured, one-click fix the studio can apply with `applyFix`. `nodeId` names the node the
 * fix changes when it is not the node the issue is reported on.
 */
export type Fix =
  | {
      kind: 'insertBefore'
      nodeId?: string
      type: string
      params?: Record<string, unknown>
      label: string
    }
  | { kind: 'setParam'; nodeId?: string; param: string; value: unknown; label: string }
  | { kind: 'removeNode'; nodeId?: string; label: string }
  | {
      kind: 'replaceNode'
      nodeId?: string
      type: string
      params?: Record<string, unknown>
      label: string
    }

/** A problem found by a shape rule: a stable code, PyTorch's wording, the values, maybe a fix. */
export interface ShapeIssue {
  code: string
  message: string
  fix?: Fix
  values?: Record<string, unknown>
}

/** The output shape of a layer, or the error PyTorch would raise. */
export type ShapeResult = { ok: true; shape: number[] } | { ok: false; error: ShapeIssue }
