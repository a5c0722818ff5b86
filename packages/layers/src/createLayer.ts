import type { LayerParams, LayerType } from '@tensorloom/graph'
import { AdaptiveAvgPool2d } from './AdaptiveAvgPool2d'
import { AvgPool2d } from './AvgPool2d'
import { BatchNorm1d } from './BatchNorm1d'
import { BatchNorm2d } from './BatchNorm2d'
import { Conv2d } from './Conv2d'
import { Dropout } from './Dropout'
import { Dropout2d } from './Dropout2d'
import { ELU } from './ELU'
import { layersError } from './errors'
import { Flatten } from './Flatten'
import { GELU } from './GELU'
import type { Generator } from './Generator'
import { Identity } from './Identity'
import type { Layer } from './Layer'
import { LayerNorm } from './LayerNorm'
import { LeakyReLU } from './LeakyReLU'
import { Linear } from './Linear'
import { LogSoftmax } from './LogSoftmax'
import { MaxPool2d } from './MaxPool2d'
import { ReLU } from './ReLU'
import { Sigmoid } from './Sigmoid'
import { SiLU } from './SiLU'
import { Softmax } from './Softmax'
import { Tanh } from './Tanh'

/** Options every layer builder takes: where random initial weights and masks come from. */
interface BuildOptions {
  generator?: Generator
}

/**
 * The runtime constructor of every graph layer type, keyed by the same names as
 * `@tensorloom/graph`'s `blocks`: a layer type without a builder here does not compile.
 */
export const layerBuilders = {
  Flatten: (p: LayerParams['Flatten']) => new Flatten({ startDim: p.startDim, endDim: p.endDim }),
  Linear: (p: LayerParams['Linear'], o: BuildOptions) =>
    new Linear(p.inFeatures, p.outFeatures, { bias: p.bias, ...o }),
  Conv2d: (p: LayerParams['Conv2d'], o: BuildOptions) =>
    new Conv2d(p.inChannels, p.outChannels, p.kernelSize, {
      stride: p.stride,
      padding: p.padding,
      bias: p.bias,
      ...o,
    }),
  MaxPool2d: (p: LayerParams['MaxPool2d']) => new MaxPool2d(p.kernelSize, { stride: p.stride }),
  Dropout: (p: LayerParams['Dropout'], o: BuildOptions) => new Dropout(p.p, o),
  BatchNorm1d: (p: LayerParams['BatchNorm1d']) =>
    new BatchNorm1d(p.numFeatures, { eps: p.eps, momentum: p.momentum }),
  BatchNorm2d: (p: LayerParams['BatchNorm2d']) =>
    new BatchNorm2d(p.numFeatures, { eps: p.eps, momentum: p.momentum }),
  LayerNorm: (p: LayerParams['LayerNorm']) => new LayerNorm(p.normalizedShape, { eps: p.eps }),
  AvgPool2d: (p: LayerParams['AvgPool2d']) =>
    new AvgPool2d(p.kernelSize, { stride: p.stride, padding: p.padding }),
  AdaptiveAvgPool2d: (p: LayerParams['AdaptiveAvgPool2d']) => new AdaptiveAvgPool2d(p.outputSize),
  Dropout2d: (p: LayerParams['Dropout2d'], o: BuildOptions) => new Dropout2d(p.p, o),
  Identity: () => new Identity(),
  ReLU: () => new ReLU(),
  LeakyReLU: (p: LayerParams['LeakyReLU']) => new LeakyReLU(p.negativeSlope),
  ELU: (p: LayerParams['ELU']) => new ELU(p.alpha),
  GELU: (p: LayerParams['GELU']) => new GELU(p.approximate),
  SiLU: () => new SiLU(),
  Sigmoid: () => new Sigmoid(),
  Tanh: () => new Tanh(),
  Softmax: (p: LayerParams['Softmax']) => new Softmax(p.dim),
  LogSoftmax: (p: LayerParams['LogSoftmax']) => new LogSoftmax(p.dim),
} satisfies {
  [T in LayerType]: (params: LayerParams[T], options: BuildOptions) => Layer<T>
}

/** Maps each graph layer type to the class implementing it. */
export type LayerClasses = { [T in LayerType]: ReturnType<(typeof layerBuilders)[T]> }

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
  if (!Object.hasOwn(layerBuilders, type)) {
    throw layersError('UNKNOWN_LAYER', { type, known: Object.keys(layerBuilders) })
  }
  const build = layerBuilders[type] as unknown as (p: LayerParams[T], o: BuildOptions) => Layer<T>
  return build(params, generator === undefined ? {} : { generator }) as LayerClasses[T] & Layer<T>
}
