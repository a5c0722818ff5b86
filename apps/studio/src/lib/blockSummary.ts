import type { GraphNode } from '@tensorloom/graph'

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v))
const list = (v: unknown) => (Array.isArray(v) ? v.join(', ') : String(v))

/** One short line with a block's key parameters, as shown on the canvas. */
export function blockSummary(node: GraphNode): string {
  const p = node.params
  switch (node.type) {
    case 'MNIST':
    case 'FashionMNIST':
      return p.train === false ? 'test split · 10,000 images' : 'train split · 60,000 images'
    case 'ToTensor':
      return 'uint8 0–255 → float 0–1'
    case 'Normalize':
      return `mean ${list(p.mean)} · std ${list(p.std)}`
    case 'DataLoader':
      return `batch ${num(p.batchSize)}${p.shuffle ? ' · shuffled' : ''}`
    case 'Flatten':
      return `start_dim ${num(p.startDim)} · end_dim ${num(p.endDim)}`
    case 'Linear':
      return `${num(p.inFeatures)} → ${num(p.outFeatures)}${p.bias === false ? ' · no bias' : ''}`
    case 'Conv2d':
      return `${num(p.inChannels)} → ${num(p.outChannels)} · ${num(p.kernelSize)}×${num(p.kernelSize)}${
        num(p.stride) !== 1 ? ` · stride ${num(p.stride)}` : ''
      }${num(p.padding) !== 0 ? ` · pad ${num(p.padding)}` : ''}`
    case 'MaxPool2d':
      return `${num(p.kernelSize)}×${num(p.kernelSize)}${
        p.stride !== null && p.stride !== undefined && num(p.stride) !== num(p.kernelSize)
          ? ` · stride ${num(p.stride)}`
          : ''
      }`
    case 'Dropout':
      return `p = ${num(p.p)}`
    case 'BatchNorm1d':
      return `${num(p.numFeatures)} features`
    case 'ReLU':
      return 'max(0, x)'
    case 'Sigmoid':
      return '1 / (1 + e⁻ˣ)'
    case 'Tanh':
      return 'tanh(x)'
    case 'Softmax':
    case 'LogSoftmax':
      return `dim ${num(p.dim)}`
    case 'CrossEntropyLoss':
      return `reduction ${String(p.reduction ?? 'mean')}${
        num(p.labelSmoothing) > 0 ? ` · smoothing ${num(p.labelSmoothing)}` : ''
      }`
    default:
      return `reduction ${String(p.reduction ?? 'mean')}`
  }
}

/** '101,770' */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}
