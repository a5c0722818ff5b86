import type { LayerParams, LayerType } from '@tensorloom/graph'
import { BatchNorm1d } from './BatchNorm1d'
import { Conv2d } from './Conv2d'
import { Dropout } from './Dropout'
import { LayersError } from './errors'
import { Flatten } from './Flatten'
import type { Generator } from './Generator'
import type { Layer } from './Layer'
import { Linear } from './Linear'
import { LogSoftmax } from './LogSoftmax'
import { MaxPool2d } from './MaxPool2d'
import { ReLU } from './ReLU'
import { Sigmoid } from './Sigmoid'
import { Softmax } from './Softmax'
import { Tanh } from './Tanh'

/** Maps each graph layer type to the class implementing it. */
export interface LayerClasses {
  Flatten: Flatten
  Linear: Linear
  Conv2d: Conv2d
  MaxPool2d: MaxPool2d
  Dropout: Dropout
  BatchNorm1d: BatchNorm1d
  ReLU: ReLU
  Sigmoid: Sigmoid
  Tanh: Tanh
  Softmax: Softmax
  LogSoftmax: LogSoftmax
}

/**
 * Creates the layer for a graph node's type and params (the same camelCase params as
 * `@tensorloom/graph`'s `LayerParams`). Random initial weights come from `generator` (default: the
 * default generator).
 *
 * @example createLayer('Linear', { inFeatures: 784, outFeatures: 128, bias: true })
 */
export function createLayer<T extends LayerType>(
  type: T,
  params: LayerParams[T],
  generator?: Generator,
): LayerClasses[T] & Layer<T> {
  const g = generator === undefined ? {} : { generator }
  const make = (): Layer => {
    switch (type) {
      case 'Flatten': {
        const p = params as LayerParams['Flatten']
        return new Flatten({ startDim: p.startDim, endDim: p.endDim })
      }
      case 'Linear': {
        const p = params as LayerParams['Linear']
        return new Linear(p.inFeatures, p.outFeatures, { bias: p.bias, ...g })
      }
      case 'Conv2d': {
        const p = params as LayerParams['Conv2d']
        return new Conv2d(p.inChannels, p.outChannels, p.kernelSize, {
          stride: p.stride,
          padding: p.padding,
          bias: p.bias,
          ...g,
        })
      }
      case 'MaxPool2d': {
        const p = params as LayerParams['MaxPool2d']
        return new MaxPool2d(p.kernelSize, { stride: p.stride })
      }
      case 'Dropout':
        return new Dropout((params as LayerParams['Dropout']).p, g)
      case 'BatchNorm1d': {
        const p = params as LayerParams['BatchNorm1d']
        return new BatchNorm1d(p.numFeatures, { eps: p.eps, momentum: p.momentum })
      }
      case 'ReLU':
        return new ReLU()
      case 'Sigmoid':
        return new Sigmoid()
      case 'Tanh':
        return new Tanh()
      case 'Softmax':
        return new Softmax((params as LayerParams['Softmax']).dim)
      case 'LogSoftmax':
        return new LogSoftmax((params as LayerParams['LogSoftmax']).dim)
      default:
        throw new LayersError('INVALID_ARGUMENT', `Unknown layer type ${JSON.stringify(type)}`, {
          values: { type },
          hint: 'Use one of Flatten, Linear, Conv2d, MaxPool2d, Dropout, BatchNorm1d, ReLU, Sigmoid, Tanh, Softmax, LogSoftmax.',
        })
    }
  }
  return make() as LayerClasses[T] & Layer<T>
}
